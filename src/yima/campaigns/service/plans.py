"""What a draw reads of its campaign — state and period, audience, targeting, limits, its
wallet budget and slices, the prize pool — kept in process as a plan, so a scan's draw costs
no query for them. Plans are kept like the live campaigns (matching.py): a change made in this
process drops the brand's plans at once, other worker processes see it within ``LIVE_TTL``
seconds. Nothing that may not be overspent is read from a plan: stock, budgets, spend and
per-person counts are conditional writes on their own rows, so a stale plan can only have a
prize tried that its row then refuses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yima.campaigns import repository as repo
from yima.campaigns import rules
from yima.campaigns.models import Campaign, CampaignPrize
from yima.campaigns.schemas import Limits, PrizeRead, Targeting
from yima.platform.caches import TtlCache
from yima.platform.ctx import Ctx
from yima.platform.errors import NotFound

LIVE_TTL = 5.0  # seconds a paused or edited campaign may still be matched or drawn by another process


@dataclass(frozen=True)
class PlannedPrize:
    state: rules.PrizeState
    name: str
    points: int | None


@dataclass(frozen=True)
class DrawPlan:
    id: int
    audience: str
    state: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    budget_account_id: int | None
    budget_fen: int | None
    daily_cap_fen: int | None
    slices: int
    targeting: rules.Targeting
    limits: Limits
    prizes: tuple[PlannedPrize, ...]


_plans: TtlCache[int, dict[int, DrawPlan]] = TtlCache(LIVE_TTL)


def prize_state(prize: CampaignPrize | PrizeRead) -> rules.PrizeState:
    return rules.PrizeState(
        id=prize.id, kind=prize.kind, weight=prize.weight, amount_fen=prize.amount_fen,  # type: ignore[arg-type]
        min_fen=prize.min_fen, max_fen=prize.max_fen, cost_fen=prize.cost_fen, stock_left=prize.stock_left,
        budget_left=None if prize.budget_fen is None else prize.budget_fen - prize.spent_fen, fallback=prize.fallback,
    )  # fmt: skip


def targeting_of(campaign: Campaign) -> rules.Targeting:
    t = Targeting.model_validate(campaign.targeting)
    return rules.Targeting(
        hours=frozenset(t.hours), weekdays=frozenset(t.weekdays), holidays=frozenset(t.holidays),
        holiday_mode=t.holiday_mode, regions=frozenset(t.regions), dealer_ids=frozenset(t.dealer_ids),
        store_ids=frozenset(t.store_ids), member_levels=frozenset(t.member_levels),
        member_tags=frozenset(t.member_tags), scanner=t.scanner, nth_scans=frozenset(t.nth_scans),
    )  # fmt: skip


def _plan(campaign: Campaign, prizes: list[CampaignPrize]) -> DrawPlan:
    return DrawPlan(
        id=campaign.id, audience=campaign.audience, state=campaign.state, starts_at=campaign.starts_at,
        ends_at=campaign.ends_at, budget_account_id=campaign.budget_account_id, budget_fen=campaign.budget_fen,
        daily_cap_fen=campaign.daily_cap_fen, slices=campaign.slices, targeting=targeting_of(campaign),
        limits=Limits.model_validate(campaign.limits),
        prizes=tuple(PlannedPrize(prize_state(p), p.name, p.points) for p in prizes),
    )  # fmt: skip


async def plan_of(ctx: Ctx, campaign_id: int) -> DrawPlan:
    """The campaign as its draws read it (NotFound when the brand has no such campaign)."""
    plans = _plans.get(ctx.tenant_id)
    if plans is None:
        plans = {}
        _plans.put(ctx.tenant_id, plans)
    found = plans.get(campaign_id)
    if found is None:
        campaign = await repo.get_campaign(ctx.session, campaign_id)
        if campaign is None:
            raise NotFound(f"campaign {campaign_id} not found")
        found = plans[campaign_id] = _plan(campaign, (await repo.prizes_of(ctx.session, [campaign_id]))[campaign_id])
    return found


def forget_plans(ctx: Ctx) -> None:
    _plans.drop(ctx.tenant_id)
