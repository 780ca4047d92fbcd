"""The live dashboard's statements: GROUP BY over one campaign's awards (the unique key on
(tenant, campaign, code, role, seq) leads them to the campaign's rows)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yima.campaigns.models import CampaignAward

A = CampaignAward
Tally = tuple[int, int, int, int, int]  # awards, winners, cost, cash, fallback awards


def _tally() -> list[ColumnElement[Any]]:
    return [
        func.count(),
        func.count(A.person_id.distinct()),
        func.coalesce(func.sum(A.cost_fen), 0),
        func.coalesce(func.sum(case((A.kind == "cash", A.amount_fen), else_=0)), 0),
        func.coalesce(func.sum(case((A.fallback.is_(True), 1), else_=0)), 0),
    ]


def _ints(values: Any) -> Tally:
    awards, winners, cost, cash, fallback = (int(v) for v in values)
    return awards, winners, cost, cash, fallback


async def award_totals(session: AsyncSession, campaign_id: int) -> Tally:
    """(awards, winners, cost, cash, fallback awards) since the campaign began."""
    return _ints((await session.execute(select(*_tally()).where(A.campaign_id == campaign_id))).one())


async def awards_by_day(session: AsyncSession, campaign_id: int, since_day: str) -> list[tuple[str, Tally]]:
    """(day, its tally) per tenant-local day from ``since_day``, oldest first."""
    query = (
        select(A.day, *_tally()).where(A.campaign_id == campaign_id, A.day >= since_day).group_by(A.day).order_by(A.day)
    )
    return [(row[0], _ints(row[1:])) for row in (await session.execute(query)).all()]


async def awards_by_hour(session: AsyncSession, campaign_id: int, since_day: str) -> list[tuple[str, int, int, int]]:
    """(day, hour, awards, cost) per tenant-local hour from ``since_day``."""
    keys = (A.day, A.local_hour)
    query = (
        select(*keys, func.count(), func.coalesce(func.sum(A.cost_fen), 0))
        .where(A.campaign_id == campaign_id, A.day >= since_day)
        .group_by(*keys)
        .order_by(*keys)
    )
    return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in (await session.execute(query)).all()]


async def awards_by_region(session: AsyncSession, campaign_id: int) -> list[tuple[str | None, int, int]]:
    """(region code or None, awards, cost) since the campaign began."""
    query = (
        select(A.region_code, func.count(), func.coalesce(func.sum(A.cost_fen), 0))
        .where(A.campaign_id == campaign_id)
        .group_by(A.region_code)
    )
    return [(r[0], int(r[1]), int(r[2])) for r in (await session.execute(query)).all()]
