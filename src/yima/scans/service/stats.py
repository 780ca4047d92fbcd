"""The scans of one campaign for the live dashboard (活动实时看板): no permission of its own
(analytics checks ``campaigns:read`` and combines these with the campaign's awards)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from yima.platform.ctx import Ctx
from yima.scans.repository import stats as repo
from yima.scans.schemas import ScanDay, ScanHour, ScanRegion, ScanStats, ScanTally


def _add(counts: dict[str, int], key: str | None, n: int) -> None:
    if key is not None:
        counts[key] = counts.get(key, 0) + n


async def scan_stats(ctx: Ctx, campaign_id: int, since_day: str) -> ScanStats:
    """The scans that took part in the campaign: in total (with distinct scanners, by outcome,
    risk decision and review state), per tenant-local day and hour from ``since_day`` (an ISO
    date) and per region, by outcome. A campaign without scans (or of another brand) has none."""
    session = ctx.session
    scans, scanners = await repo.totals(session, campaign_id)
    total = ScanTally(scans=scans, scanners=scanners)
    for outcome, risk, review, n in await repo.by_decision(session, campaign_id):
        _add(total.outcomes, outcome, n)
        _add(total.risk, risk, n)
        _add(total.reviews, review, n)
    hours: dict[tuple[str, int], ScanHour] = {}
    day_outcomes: dict[str, dict[str, int]] = defaultdict(dict)
    for day, hour, outcome, n in await repo.outcomes_by_hour(session, campaign_id, since_day):
        _add(day_outcomes[day], outcome, n)
        if hour is not None:
            slot = hours.setdefault((day, hour), ScanHour(day=day, hour=hour))
            slot.scans += n
            _add(slot.outcomes, outcome, n)
    regions: dict[str | None, ScanRegion] = {}
    for code, outcome, n in await repo.outcomes_by_region(session, campaign_id):
        place = regions.setdefault(code, ScanRegion(region_code=code))
        place.scans += n
        _add(place.outcomes, outcome, n)
    days = [
        ScanDay(day=day, scans=n, scanners=people, outcomes=day_outcomes[day])
        for day, n, people in await repo.scanners_by_day(session, campaign_id, since_day)
    ]
    return ScanStats(
        campaign_id=campaign_id,
        total=total,
        days=sorted(days, key=lambda d: d.day),
        hours=[hours[k] for k in sorted(hours)],
        regions=sorted(regions.values(), key=lambda r: (-r.scans, r.region_code is None, r.region_code or "")),
    )


async def consumer_bottles_scanned(ctx: Ctx, since: dt.datetime, until: dt.datetime) -> int:
    """How many distinct bottles consumers scanned (开盖扫码) in [since, until): the numerator of
    the consumer scan rate (analytics' channel metrics). No permission of its own."""
    return await repo.consumer_bottles(ctx.session, since, until)
