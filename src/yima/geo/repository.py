"""Every SQL statement of the geo context. Regions are global: no tenant filter applies."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from yima.geo.models import Region
from yima.geo.schemas import RegionFilter


async def get_region(session: AsyncSession, code: str) -> Region | None:
    return await session.get(Region, code)


async def all_regions(session: AsyncSession) -> list[Region]:
    return list((await session.scalars(select(Region).order_by(Region.code))).all())


async def list_regions(
    session: AsyncSession, filters: RegionFilter, limit: int, after_code: str | None = None
) -> list[Region]:
    """Regions in code order (provinces first within a prefix), ``limit`` of them after ``after_code``."""
    query = select(Region).order_by(Region.code).limit(limit)
    if filters.parent is not None:
        query = query.where(Region.parent_code == filters.parent)
    if filters.level is not None:
        query = query.where(Region.level == filters.level)
    if filters.q:
        query = query.where(
            or_(Region.name.contains(filters.q, autoescape=True), Region.full_name.contains(filters.q, autoescape=True))
        )
    if after_code is not None:
        query = query.where(Region.code > after_code)
    return list((await session.scalars(query)).all())


def add_regions(session: AsyncSession, regions: Sequence[Region]) -> None:
    session.add_all(regions)
