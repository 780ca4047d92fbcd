"""Diversion (窜货) records: one finding, the report's pages in a regional manager's scope, the
goods they flag, and the counts analytics groups."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from yima.platform.db import direct
from yima.trace.models import DiversionRecord
from yima.trace.schemas import DiversionFilter


async def get_diversion(session: AsyncSession, diversion_id: int) -> DiversionRecord | None:
    return (await session.scalars(select(DiversionRecord).where(DiversionRecord.id == diversion_id))).first()


async def diversion_for(session: AsyncSession, serial: int, source: str, ref: str) -> DiversionRecord | None:
    query = select(DiversionRecord).where(
        DiversionRecord.serial == serial, DiversionRecord.source == source, DiversionRecord.ref == ref
    )
    return (await session.scalars(query)).first()


def _region_prefix(code: str) -> str:
    """``51`` for a province, ``5101`` for a city, the code itself for a district."""
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


def _in_regions(column: Any, regions: Sequence[str]) -> ColumnElement[bool]:
    return or_(*(column.startswith(_region_prefix(r), autoescape=True) for r in sorted(set(regions))))


# A regional manager's view: the findings made in these regions or of these dealers; None: all.
Scope = tuple[Sequence[str], Sequence[int]] | None


def _diversions(f: DiversionFilter, scope: Scope) -> Select[Any]:
    query = select(DiversionRecord)
    if f.dealer_id is not None:
        query = query.where(DiversionRecord.dealer_id == f.dealer_id)
    if f.product_id is not None:
        query = query.where(DiversionRecord.product_id == f.product_id)
    if f.status is not None:
        query = query.where(DiversionRecord.status == f.status)
    if f.region is not None:
        query = query.where(_in_regions(DiversionRecord.region_code, [f.region]))
    if f.found_from is not None:
        query = query.where(DiversionRecord.found_at >= f.found_from)
    if f.found_to is not None:
        query = query.where(DiversionRecord.found_at < f.found_to)
    if scope is not None:
        found_in, dealers = scope
        seen = [_in_regions(DiversionRecord.region_code, found_in)] if found_in else []
        query = query.where(or_(false(), *seen, *([DiversionRecord.dealer_id.in_(dealers)] if dealers else [])))
    return query


async def diversion_dealers(session: AsyncSession) -> list[int]:
    """The dealers the brand's diversion records name (the tenant/dealer index)."""
    return list((await session.scalars(select(DiversionRecord.dealer_id).distinct())).all())


async def list_diversions(
    session: AsyncSession, f: DiversionFilter, scope: Scope, limit: int, before_id: int | None
) -> list[DiversionRecord]:
    """Newest first, keyset on id, in ``scope``."""
    query = _diversions(f, scope).order_by(DiversionRecord.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(DiversionRecord.id < before_id)
    return list((await session.scalars(query)).all())


@cache
def _diverted_query(postgres: bool) -> Select[Any]:
    return select(DiversionRecord.serial).where(
        direct.one_of(postgres, DiversionRecord.serial, "serials"), DiversionRecord.status != "dismissed"
    )


async def diverted_serials(session: AsyncSession, serials: Sequence[int]) -> set[int]:
    """The units with a diversion record not dismissed."""
    if not serials:
        return set()
    return set((await session.scalars(_diverted_query(direct.on_postgres(session)), {"serials": list(serials)})).all())


async def diversion_counts(
    session: AsyncSession, scope: Scope, dealer_id: int | None
) -> list[tuple[int, int | None, int | None, str, str, int]]:
    """(dealer, store, product, region found in, status, findings) over the diversion records in
    ``scope`` (None: the whole brand)."""
    base = _diversions(DiversionFilter(dealer_id=dealer_id), scope).subquery()
    keys = (base.c.dealer_id, base.c.store_id, base.c.product_id, base.c.region_code, base.c.status)
    rows = (await session.execute(select(*keys, func.count()).group_by(*keys))).all()
    return [(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in rows]
