"""活动实时看板: the live dashboard of one scan-to-win campaign, for the staff watching it run.

The figures are two services' GROUP BYs over one campaign's rows: ``campaigns.award_stats``
(awards, winners, spend, pacing, prizes) and ``scans.scan_stats`` (the scans that took part, by
outcome, risk decision and review). This module only merges them: days and hours side by side
(zeros filled in), district codes rolled up to provinces or, in a picked province, to cities
(GB/T 2260 prefixes), named through geo. See docs/analytics.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from yima.analytics import rules
from yima.analytics.schemas import CampaignDashboard, DashboardKpis, DayPoint, HourPoint, RegionPoint
from yima.campaigns import service as campaigns
from yima.campaigns.permissions import CAMPAIGNS_READ
from yima.campaigns.schemas import AwardStats, CampaignRead
from yima.geo import service as geo
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Invalid
from yima.scans import service as scans
from yima.scans.schemas import ScanStats

DAYS = 14  # the daily chart's window


def _day(value: dt.date) -> str:
    return value.isoformat()


def day_window(ctx: Ctx, campaign: CampaignRead) -> tuple[str, str]:
    """(first, last) tenant-local day of the daily chart: the campaign's last ``DAYS`` days — up
    to today, or to its end when it is over."""
    today = ctx.local(ctx.now()).date()
    ended = campaign.ended_at or (campaign.ends_at if campaign.ends_at and campaign.ends_at < ctx.now() else None)
    last = min(today, ctx.local(ended).date()) if ended else today
    return _day(last - dt.timedelta(days=DAYS - 1)), _day(last)


def first_shown(first: str, began: str | None, seen: Iterable[str]) -> str:
    """The daily chart starts at ``first``, or later: on the day the campaign began (its start,
    else its publication), or on its first day with figures when that is earlier still."""
    if began is None:
        return first
    return max(first, min([began, *(d for d in seen if d >= first)]))


def _days(first: str, last: str) -> list[str]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [_day(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]


def _points(first: str, last: str, awards: AwardStats, found: ScanStats) -> list[DayPoint]:
    points = {day: DayPoint(day=day) for day in _days(first, last)}
    for a in awards.days:
        if (p := points.get(a.day)) is not None:
            p.awards, p.winners, p.spent_fen = a.awards, a.winners, a.cost_fen
    for s in found.days:
        if (p := points.get(s.day)) is not None:
            p.scans, p.scanners = s.scans, s.scanners
            p.held, p.rejected = s.outcomes.get("held", 0), s.outcomes.get("rejected", 0)
    return list(points.values())


def _hours(today: str, yesterday: str, awards: AwardStats, found: ScanStats) -> list[HourPoint]:
    hours = [HourPoint(hour=h) for h in range(24)]
    for a in awards.hours:
        if a.day == today:
            hours[a.hour].awards, hours[a.hour].spent_fen = a.awards, a.cost_fen
        elif a.day == yesterday:
            hours[a.hour].prev_awards = a.awards
    for s in found.hours:
        if s.day == today:
            hours[s.hour].scans = s.scans
        elif s.day == yesterday:
            hours[s.hour].prev_scans = s.scans
    return hours


def _place(code: str | None, province: str | None) -> tuple[bool, str | None]:
    """(counted?, the province or city it rolls up to) of a scan's region code."""
    if province is None:
        return True, rules.group_region(code, "province")
    if code is None or code[:2] != province[:2]:
        return False, None
    return True, rules.group_region(code, "city")


async def _regions(ctx: Ctx, province: str | None, awards: AwardStats, found: ScanStats) -> list[RegionPoint]:
    points: dict[str | None, RegionPoint] = {}

    def slot(code: str | None) -> RegionPoint | None:
        counted, key = _place(code, province)
        return points.setdefault(key, RegionPoint(code=key, name=None)) if counted else None

    for s in found.regions:
        if (p := slot(s.region_code)) is not None:
            p.scans += s.scans
    for a in awards.regions:
        if (p := slot(a.region_code)) is not None:
            p.awards += a.awards
            p.spent_fen += a.cost_fen
    named = await geo.regions_by_codes(ctx, [c for c in points if c is not None])
    for code, point in points.items():
        point.name = named[code].name if code in named else None
    return sorted(points.values(), key=lambda p: (p.code is None, -p.scans, -p.awards, p.code or ""))


async def _province(ctx: Ctx, region: str | None) -> tuple[str | None, str | None]:
    if region is None:
        return None, None
    found = (await geo.regions_by_codes(ctx, [region])).get(region)
    if found is None or found.level != "province":
        raise Invalid(
            "the region is not a province",
            [FieldError("region", "a GB/T 2260 province code (e.g. 510000)", "not_a_province")],
        )
    return found.code, found.name


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _kpis(today: str, awards: AwardStats, found: ScanStats) -> DashboardKpis:
    now = _points(today, today, awards, found)[0]
    total, scanned = awards.total, found.total
    return DashboardKpis(
        scans=scanned.scans,
        scanners=scanned.scanners,
        awards=total.awards,
        winners=total.winners,
        fallback_awards=total.fallback_awards,
        win_rate=_share(total.awards, scanned.scans),
        spent_fen=awards.spent_fen,
        cash_fen=total.cash_fen,
        budget_fen=awards.budget_fen,
        budget_used=_share(awards.spent_fen, awards.budget_fen),
        today_scans=now.scans,
        today_awards=now.awards,
        today_winners=now.winners,
        today_spent_fen=awards.paced_today_fen,
        daily_cap_fen=awards.daily_cap_fen,
        held_for_review=scanned.reviews.get("pending", 0),
        review_rejected=scanned.reviews.get("rejected", 0),
        risk_rejected=scanned.risk.get("reject", 0),
    )


async def campaign_dashboard(ctx: Ctx, campaign_id: int, *, region: str | None = None) -> CampaignDashboard:
    """The live dashboard of one campaign: KPIs since it began and today, today's hours beside
    the day before's, its last 14 days, its regions (provinces; the cities of ``region`` when a
    province code is given) and its prizes. Needs ``campaigns:read``; NotFound for a campaign
    the brand does not have."""
    ctx.require(CAMPAIGNS_READ.name)
    campaign = await campaigns.get_campaign(ctx, campaign_id)
    province, province_name = await _province(ctx, region)
    today = ctx.local(ctx.now()).date()
    yesterday = _day(today - dt.timedelta(days=1))
    first, last = day_window(ctx, campaign)
    since = min(first, yesterday)
    awards = await campaigns.award_stats(ctx, campaign_id, since)
    found = await scans.scan_stats(ctx, campaign_id, since)
    began = campaign.starts_at or campaign.published_at
    seen = [d.day for d in awards.days] + [d.day for d in found.days]
    first = first_shown(first, _day(ctx.local(began).date()) if began else None, seen)
    return CampaignDashboard(
        campaign_id=campaign.id,
        name=campaign.name,
        state=campaign.state,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        as_of=ctx.now(),
        today=_day(today),
        kpis=_kpis(_day(today), awards, found),
        outcomes=found.total.outcomes,
        hours=_hours(_day(today), yesterday, awards, found),
        days=_points(first, last, awards, found),
        region=province,
        region_name=province_name,
        regions=await _regions(ctx, province, awards, found),
        prizes=awards.prizes,
    )
