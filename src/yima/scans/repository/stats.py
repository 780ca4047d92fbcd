"""The live dashboard's statements: GROUP BY over the scans that took part in one campaign (the
index on (tenant, campaign, local day) leads them to the campaign's rows)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yima.scans.models import ScanRecord

S = ScanRecord


async def totals(session: AsyncSession, campaign_id: int) -> tuple[int, int]:
    """(scans, distinct scanners) since the campaign began."""
    query = select(func.count(), func.count(S.person_id.distinct())).where(S.campaign_id == campaign_id)
    scans, scanners = (await session.execute(query)).one()
    return int(scans), int(scanners)


async def by_decision(session: AsyncSession, campaign_id: int) -> list[tuple[str, str | None, str | None, int]]:
    """(outcome, risk decision, review state, scans) since the campaign began."""
    keys = (S.outcome, S.risk_decision, S.review_state)
    query = select(*keys, func.count()).where(S.campaign_id == campaign_id).group_by(*keys)
    return [(r[0], r[1], r[2], int(r[3])) for r in (await session.execute(query)).all()]


async def scanners_by_day(session: AsyncSession, campaign_id: int, since_day: str) -> list[tuple[str, int, int]]:
    """(day, scans, distinct scanners) per tenant-local day from ``since_day``."""
    query = (
        select(S.local_day, func.count(), func.count(S.person_id.distinct()))
        .where(S.campaign_id == campaign_id, S.local_day >= since_day)
        .group_by(S.local_day)
    )
    return [(str(r[0]), int(r[1]), int(r[2])) for r in (await session.execute(query)).all()]


async def outcomes_by_hour(
    session: AsyncSession, campaign_id: int, since_day: str
) -> list[tuple[str, int | None, str, int]]:
    """(day, hour, outcome, scans) per tenant-local hour from ``since_day``."""
    keys = (S.local_day, S.local_hour, S.outcome)
    query = select(*keys, func.count()).where(S.campaign_id == campaign_id, S.local_day >= since_day).group_by(*keys)
    return [(str(r[0]), r[1], r[2], int(r[3])) for r in (await session.execute(query)).all()]


async def outcomes_by_region(session: AsyncSession, campaign_id: int) -> list[tuple[str | None, str, int]]:
    """(region code or None, outcome, scans) since the campaign began."""
    keys = (S.region_code, S.outcome)
    query = select(*keys, func.count()).where(S.campaign_id == campaign_id).group_by(*keys)
    return [(r[0], r[1], int(r[2])) for r in (await session.execute(query)).all()]


async def consumer_bottles(session: AsyncSession, since: dt.datetime, until: dt.datetime) -> int:
    """Distinct bottles whose consumer code (inner, or the only one) was scanned in [since, until)."""
    query = select(func.count(S.serial.distinct())).where(
        S.level == "bottle", S.face.is_(None) | (S.face == "inner"), S.scanned_at >= since, S.scanned_at < until
    )
    return int((await session.execute(query)).scalar_one())
