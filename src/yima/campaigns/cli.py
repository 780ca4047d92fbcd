"""``yima campaigns list|show|simulate`` and ``yima campaigns risk show|purge|blacklist add|list|remove``."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from yima.campaigns import service
from yima.campaigns.risk import BlacklistKind
from yima.campaigns.schemas import BlacklistEntryCreate, BlacklistEntryFilter, CampaignFilter
from yima.identity.permissions import cli_context
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.platform.money import yuan
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


@campaigns_app.command("list")
def list_(tenant: Tenant, limit: Annotated[int, typer.Option(help="At most this many")] = 50) -> None:
    """The brand's campaigns, newest first."""
    rows = _run(tenant, lambda ctx: service.list_campaigns(ctx, CampaignFilter(), limit, None))[:limit]
    table = Table("id", "名称 name", "状态 state", "预算 budget (元)", "已用 spent (元)", "奖品 prizes")
    for c in rows:
        table.add_row(str(c.id), c.name, c.state, yuan(c.budget_fen), yuan(c.spent_fen), str(len(c.prizes)))
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
        table.add_row(p.name, f"{p.expected_count:,.1f}", yuan(p.expected_cost_fen), ends)
    out.print(table)
    exhausted = result.budget_exhausted_at_scan
    out.print(f"预计花费 expected cost: {yuan(result.expected_cost_fen)} / {yuan(result.budget_fen)} 元")
    out.print(f"预算用完于 budget runs out at scan: {f'{exhausted:,.0f}' if exhausted is not None else '—'}")


risk_app = typer.Typer(help="Risk control (风控): the rules and the blacklist.", no_args_is_help=True)
blacklist_app = typer.Typer(help="The blacklist (黑名单).", no_args_is_help=True)
risk_app.add_typer(blacklist_app, name="blacklist")
campaigns_app.add_typer(risk_app, name="risk")


@risk_app.command("show")
def risk_show(tenant: Tenant) -> None:
    """The brand's risk rules as JSON (the defaults until changed)."""
    settings = _run(tenant, service.get_risk_settings)
    out.print_json(json.dumps(settings.model_dump(mode="json"), ensure_ascii=False))


@risk_app.command("purge")
def risk_purge(tenant: Tenant) -> None:
    """Delete counter windows older than two days now (a daily job does it anyway)."""
    deleted = _run(tenant, service.purge_risk_counters)
    out.print(f"已清理 purged: {deleted} counter windows")


@blacklist_app.command("add")
def blacklist_add(
    kind: Annotated[BlacklistKind, typer.Argument(help="person | phone | device | ip | serial")],
    value: Annotated[str, typer.Argument(help="A person id, phone, device id, IP or CIDR block, serial")],
    tenant: Tenant,
    reason: Annotated[str, typer.Option(help="Why (shown to reviewers)")],
    days: Annotated[float | None, typer.Option(help="In force this many days (default: until removed)")] = None,
) -> None:
    """Blacklist a value; it applies to scans at once."""
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=days) if days else None
    data = BlacklistEntryCreate(kind=kind, value=value, reason=reason, expires_at=until)
    entry = _run(tenant, lambda ctx: service.add_blacklist_entry(ctx, data))
    out.print(f"已加入黑名单 blacklisted: #{entry.id} {entry.kind} {entry.value}")


@blacklist_app.command("list")
def blacklist_list(
    tenant: Tenant,
    kind: Annotated[BlacklistKind | None, typer.Option(help="Only this kind")] = None,
    limit: Annotated[int, typer.Option(help="At most this many")] = 100,
) -> None:
    """The blacklist, newest first."""
    rows = _run(tenant, lambda ctx: service.list_blacklist(ctx, BlacklistEntryFilter(kind=kind), limit, None))
    table = Table("id", "类型 kind", "值 value", "原因 reason", "到期 expires", "生效 active")
    for e in rows[:limit]:
        expires = e.expires_at.isoformat(timespec="minutes") if e.expires_at else "—"
        table.add_row(str(e.id), e.kind, e.value, e.reason, expires, "yes" if e.active else "no")
    out.print(table)


@blacklist_app.command("remove")
def blacklist_remove(entry_id: int, tenant: Tenant) -> None:
    """Take an entry off the blacklist."""
    _run(tenant, lambda ctx: service.remove_blacklist_entry(ctx, entry_id))
    out.print(f"已移出 removed: #{entry_id}")


commands = {"campaigns": campaigns_app}
