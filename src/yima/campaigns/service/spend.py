"""A campaign's spend against its budget and its day's pacing cap, in slices (分片).

Every award adds its cost to one slice of the campaign's "total" and one of its day's
(``campaign_days`` rows), each within the slice's quota, in one statement: concurrent draws
that picked other slices do not wait for each other. The quotas of a period sum to its cap, so
the slices together never pass it. When the picked slice has no room the draw retries exactly:
it locks every slice of the day and of the total (in that order, the lock order), and if
together they have room it moves the room left so that one slice can take the cost and the
others keep even shares (rules.requota). The total's slices are made at publication with the
budget split evenly; a day's when its first award comes; a changed cap re-splits what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from yima.campaigns import repository as repo
from yima.campaigns import rules
from yima.campaigns.models import Campaign
from yima.campaigns.service.plans import DrawPlan
from yima.platform.ctx import Ctx
from yima.platform.db.direct import Deferred, Rows

TOTAL = repo.TOTAL


async def open_total(ctx: Ctx, campaign: Campaign) -> None:
    """The campaign's budget split in its slices (at publication)."""
    caps = rules.quotas(campaign.budget_fen, campaign.slices)
    await repo.open_slices(ctx.session, ctx.tenant_id, campaign.id, TOTAL, caps)


def _day_cap(campaign: DrawPlan, k: int) -> int | None:
    return rules.quotas(campaign.daily_cap_fen, campaign.slices)[k % campaign.slices]


def fits_slice(campaign: DrawPlan, k: int, cost: int) -> bool:
    """Could slice ``k`` of a day take ``cost`` at all (a new day's slice has its whole quota)?"""
    day_cap = _day_cap(campaign, k)
    return day_cap is None or cost <= day_cap


async def spend_fast(
    ctx: Ctx, campaign: DrawPlan, day: str, cost: int, k: int, award: dict[str, Any],
    also: Sequence[Deferred[Any]] = (),
) -> int | None:  # fmt: skip
    """Add ``cost`` to slice ``k`` of the day and of the total, and write ``award`` (one round
    trip on PostgreSQL, with ``also``): its id, or None when either slice had no room (what the
    statement did is undone by the caller's savepoint, then ``spend_exact``)."""
    if not fits_slice(campaign, k, cost):
        return None
    return await repo.spend_slices_and_award(
        ctx.session, ctx.tenant_id, campaign.id, day, k % campaign.slices, _day_cap(campaign, k), cost, award, also
    )


def spend_fast_later(
    ctx: Ctx, campaign: DrawPlan, day: str, cost: int, k: int, award: dict[str, Any]
) -> Deferred[int | None]:
    """``spend_fast``'s statement on PostgreSQL, not run, for a slice that ``fits_slice``."""
    statement, params = repo.spend_and_award_later(
        ctx.tenant_id, campaign.id, day, k % campaign.slices, _day_cap(campaign, k), cost, award
    )
    return Deferred(statement, params, _award_id)


async def _award_id(rows: Rows) -> int | None:
    return repo.award_id_in(rows)


async def spend_exact(ctx: Ctx, campaign: DrawPlan, day: str, cost: int) -> bool:
    """Add ``cost`` to the day and the total with every slice of both locked, moving quota
    between slices where one alone has too little room; False when a period has too little."""
    session = ctx.session
    await repo.open_slices(
        session, ctx.tenant_id, campaign.id, day, rules.quotas(campaign.daily_cap_fen, campaign.slices)
    )
    rows = await repo.lock_slices(session, campaign.id, [day, TOTAL])
    for period in (day, TOTAL):
        slices = [r for r in rows if r.day == period]
        moved = rules.requota([(r.cap_fen, r.spent_fen) for r in slices], cost) if slices else None
        if moved is None:
            return False
        target, caps = moved
        for k, (row, cap) in enumerate(zip(slices, caps, strict=True)):
            taken = k == target
            if taken or cap != row.cap_fen:
                await repo.set_slice(
                    session, row.id, cap, row.spent_fen + (cost if taken else 0), row.awards + (1 if taken else 0)
                )
    return True


async def resize(ctx: Ctx, campaign: Campaign, period: str, cap: int | None) -> None:
    """A period's cap changed (the budget, or the daily cap for ``period`` today): its slices,
    locked, keep what they spent and share the room left evenly."""
    session = ctx.session
    await repo.open_slices(session, ctx.tenant_id, campaign.id, period, rules.quotas(cap, campaign.slices))
    rows = await repo.lock_slices(session, campaign.id, [period])
    for row, new in zip(rows, rules.resized([(r.cap_fen, r.spent_fen) for r in rows], cap), strict=True):
        if new != row.cap_fen:
            await repo.set_slice(session, row.id, new, row.spent_fen, row.awards)


async def spent(ctx: Ctx, campaign_ids: list[int], period: str = TOTAL) -> dict[int, int]:
    return await repo.spent_of(ctx.session, campaign_ids, period)
