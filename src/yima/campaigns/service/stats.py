"""The awards of one campaign for the live dashboard (活动实时看板): no permission of its own
(analytics checks ``campaigns:read`` and combines these with the scans' figures)."""

from __future__ import annotations

from yima.campaigns import rules
from yima.campaigns.repository import stats as stats_repo
from yima.campaigns.schemas import AwardStats, AwardTally, DayAwards, HourAwards, PrizeStats, RegionAwards
from yima.campaigns.service import spend
from yima.campaigns.service.campaigns import load_campaign, read_prizes
from yima.platform.ctx import Ctx


def _tally(values: stats_repo.Tally) -> dict[str, int]:
    awards, winners, cost, cash, fallback = values
    return {"awards": awards, "winners": winners, "cost_fen": cost, "cash_fen": cash, "fallback_awards": fallback}


async def award_stats(ctx: Ctx, campaign_id: int, since_day: str) -> AwardStats:
    """The campaign's budget, spend and today's pacing; awards in total, per tenant-local day and
    hour from ``since_day`` (an ISO date), per region (as scanned) and per prize. NotFound when
    the brand has no such campaign."""
    campaign = await load_campaign(ctx, campaign_id)
    session = ctx.session
    today = rules.day_key(ctx.local(ctx.now()))
    state = rules.effective_state(campaign.state, campaign.starts_at, campaign.ends_at, ctx.now())  # type: ignore[arg-type]
    prizes = (await read_prizes(ctx, [campaign.id]))[campaign.id]
    return AwardStats(
        campaign_id=campaign.id,
        name=campaign.name,
        state=state,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        published_at=campaign.published_at,
        ended_at=campaign.ended_at,
        budget_fen=campaign.budget_fen,
        spent_fen=(await spend.spent(ctx, [campaign.id]))[campaign.id],
        daily_cap_fen=campaign.daily_cap_fen,
        today=today,
        paced_today_fen=(await spend.spent(ctx, [campaign.id], today))[campaign.id],
        total=AwardTally(**_tally(await stats_repo.award_totals(session, campaign.id))),
        days=[
            DayAwards(day=day, **_tally(tally))
            for day, tally in await stats_repo.awards_by_day(session, campaign.id, since_day)
        ],
        hours=[
            HourAwards(day=day, hour=hour, awards=awards, cost_fen=cost)
            for day, hour, awards, cost in await stats_repo.awards_by_hour(session, campaign.id, since_day)
        ],
        regions=[
            RegionAwards(region_code=code, awards=awards, cost_fen=cost)
            for code, awards, cost in await stats_repo.awards_by_region(session, campaign.id)
        ],
        prizes=[PrizeStats.model_validate(p) for p in prizes],
    )
