"""Plain factories for campaigns, a brand committed outside the test transaction for the
concurrency tests, and the objects the route harnesses point at."""

from __future__ import annotations

import itertools
from typing import Any

from tests.identity.factories import system
from yima.campaigns import service as campaigns
from yima.campaigns.schemas import BlacklistEntryCreate, CampaignCreate, CampaignRead
from yima.platform.db.session import Database
from yima.wallet import service as wallet

_seq = itertools.count(1)
POOL: list[dict[str, Any]] = [
    {"name": "88元红包", "kind": "cash", "amount_fen": 8800, "weight": 1, "stock": 10},
    {"name": "随机红包", "kind": "cash", "min_fen": 30, "max_fen": 500, "weight": 20},
    {"name": "10积分", "kind": "points", "points": 10, "fallback": True, "weight": 0},
]


async def create_campaign(db: Database, slug: str, **overrides: Any) -> CampaignRead:
    values: dict[str, Any] = {"name": f"扫码活动 {next(_seq)}", "budget_fen": 1_000_000, "prizes": POOL}
    async with system(db, slug) as ctx:
        return await campaigns.create_campaign(ctx, CampaignCreate(**values | overrides))


async def running_campaign(db: Database, slug: str, funded_fen: int = 1_000_000, **overrides: Any) -> CampaignRead:
    """Published with no start (so running now), its wallet budget funded with ``funded_fen``."""
    created = await create_campaign(db, slug, **overrides)
    async with system(db, slug) as ctx:
        published = await campaigns.publish_campaign(ctx, created.id)
        assert published.state == "running" and published.budget_account_id is not None
        if funded_fen:
            await wallet.fund_brand(ctx, funded_fen, f"bank-{published.id}")
            await wallet.allocate_budget(ctx, published.budget_account_id, funded_fen, f"camp-{published.id}")
    return published


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    campaign = await create_campaign(db, slug, name=f"{marker} 活动", description=f"{marker} 说明")
    async with system(db, slug) as ctx:
        entry = await campaigns.add_blacklist_entry(
            ctx, BlacklistEntryCreate(kind="device", value=f"{marker}-device", reason=f"{marker} 刷奖")
        )
    return {"campaign_id": campaign.id, "blacklist_entry_id": entry.id}, []


async def add_award(
    db: Database,
    slug: str,
    campaign: CampaignRead,
    person_id: int,
    *,
    day: str,
    hour: int = 12,
    region_code: str | None = None,
    prize: int = 0,
    amount_fen: int | None = None,
) -> None:
    """An award row as the draw writes it, on any tenant-local day and hour, for the dashboard's
    figures (the prize, budget and pacing counters are left as they are). ``prize`` indexes
    ``campaign.prizes``; a cash prize pays ``amount_fen`` (default: its fixed or least amount)."""
    from yima.campaigns.models import CampaignAward  # the test writes what only the draw writes

    chosen, n = campaign.prizes[prize], next(_seq)
    amount = (amount_fen or chosen.amount_fen or chosen.min_fen or 0) if chosen.kind == "cash" else 0
    async with system(db, slug) as ctx:
        ctx.session.add(
            CampaignAward(
                tenant_id=ctx.tenant_id, campaign_id=campaign.id, prize_id=chosen.id, scan_ref=f"stats-{n}",
                person_id=person_id, code_serial=10**9 + n, role="consumer", seq=1, kind=chosen.kind,
                prize_name=chosen.name, amount_fen=amount, points=chosen.points,
                cost_fen=amount if chosen.kind == "cash" else chosen.cost_fen, fallback=chosen.fallback,
                reason="drawn", day=day, local_hour=hour, region_code=region_code, created_at=ctx.now(),
            )
        )  # fmt: skip


async def local_days(db: Database, slug: str, *back: int) -> list[str]:
    """The brand's local dates (ISO) ``back`` days before today."""
    import datetime as dt

    async with system(db, slug) as ctx:
        today = ctx.local(ctx.now()).date()
    return [(today - dt.timedelta(days=n)).isoformat() for n in back]
