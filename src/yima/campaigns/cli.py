"""``yima campaigns list|show|simulate``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from yima.campaigns import service
from yima.campaigns.schemas import CampaignFilter
from yima.identity.permissions import cli_context
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.settings import get_settings

T = TypeVar("T")
campaigns_app = typer.Typer(help="Scan-to-win campaigns (扫码活动).", no_args_is_help=True)
out = Console()
Tenant = Annotated[str, typer.Option(help="Brand slug")]


def _run(slug: str, use_case: Callable[[Ctx], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(get_settings().database_url)
        try:
            async with cli_context(db, slug) as ctx:
                return await use_case(ctx)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _yuan(fen: float) -> str:
    return f"{fen / 100:,.2f}"


@campaigns_app.command("list")
def list_(tenant: Tenant, limit: Annotated[int, typer.Option(help="At most this many")] = 50) -> None:
    """The brand's campaigns, newest first."""
    rows = _run(tenant, lambda ctx: service.list_campaigns(ctx, CampaignFilter(), limit, None))[:limit]
    table = Table("id", "名称 name", "状态 state", "预算 budget (元)", "已用 spent (元)", "奖品 prizes")
    for c in rows:
        table.add_row(str(c.id), c.name, c.state, _yuan(c.budget_fen), _yuan(c.spent_fen), str(len(c.prizes)))
    out.print(table)


@campaigns_app.command("show")
def show(campaign_id: int, tenant: Tenant) -> None:
    """One campaign as JSON."""
    campaign = _run(tenant, lambda ctx: service.get_campaign(ctx, campaign_id))
    out.print_json(json.dumps(campaign.model_dump(mode="json"), ensure_ascii=False))


@campaigns_app.command("simulate")
def simulate(
    campaign_id: int, tenant: Tenant, scans: Annotated[int, typer.Option(help="Expected valid scans")]
) -> None:
    """Expected cost and prize distribution for a number of scans."""
    result = _run(tenant, lambda ctx: service.simulate_campaign(ctx, campaign_id, scans))
    table = Table("奖品 prize", "预计数量 count", "预计花费 cost (元)", "用完于 runs out at scan")
    for p in result.prizes:
        ends = f"{p.runs_out_at_scan:,.0f}" if p.runs_out_at_scan is not None else "—"
        table.add_row(p.name, f"{p.expected_count:,.1f}", _yuan(p.expected_cost_fen), ends)
    out.print(table)
    exhausted = result.budget_exhausted_at_scan
    out.print(f"预计花费 expected cost: {_yuan(result.expected_cost_fen)} / {_yuan(result.budget_fen)} 元")
    out.print(f"预算用完于 budget runs out at scan: {f'{exhausted:,.0f}' if exhausted is not None else '—'}")


commands = {"campaigns": campaigns_app}
