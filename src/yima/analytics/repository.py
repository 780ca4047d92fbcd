"""Every SQL statement of analytics (its own tables only: the other contexts' figures come
through their services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from yima.analytics.models import ConsumedBottle, ScanCursor
from yima.platform.db import direct


async def last_scan_id(session: AsyncSession) -> int:
    cursor = (await session.scalars(select(ScanCursor.last_scan_id))).first()
    return cursor or 0


async def set_last_scan_id(session: AsyncSession, tenant_id: int, scan_id: int) -> None:
    table = cast(Table, ScanCursor.__table__)
    dialect_insert = pg_insert if direct.on_postgres(session) else sqlite_insert
    statement = dialect_insert(table).values(tenant_id=tenant_id, last_scan_id=scan_id)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.tenant_id],
        set_={"last_scan_id": func.greatest(table.c.last_scan_id, statement.excluded.last_scan_id)}
        if direct.on_postgres(session)
        else {"last_scan_id": func.max(table.c.last_scan_id, statement.excluded.last_scan_id)},
    )
    await session.execute(statement)


async def consumed_serials(session: AsyncSession, serials: Sequence[int]) -> set[int]:
    if not serials:
        return set()
    query = select(ConsumedBottle.serial).where(ConsumedBottle.serial.in_(list(serials)))
    return set((await session.scalars(query)).all())


async def add_consumed(session: AsyncSession, tenant_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """Insert consumed bottles; a bottle already there stays as it was (its first scan counts)."""
    if not rows:
        return
    table = cast(Table, ConsumedBottle.__table__)
    dialect_insert = pg_insert if direct.on_postgres(session) else sqlite_insert
    values = [{"tenant_id": tenant_id, **row} for row in rows]
    statement = (
        dialect_insert(table).values(values).on_conflict_do_nothing(index_elements=[table.c.tenant_id, table.c.serial])
    )
    await session.execute(statement)


async def consumed_counts(
    session: AsyncSession, bounds: Sequence[dt.datetime]
) -> list[tuple[str, int, int | None, int, int]]:
    """(holder kind, holder id, product, age bucket of the holder's receipt, bottles) of the
    consumed bottles a dealer or store held."""
    bucket = case(*((ConsumedBottle.received_at >= b, i) for i, b in enumerate(bounds)), else_=len(bounds))
    keys = (ConsumedBottle.holder_kind, ConsumedBottle.holder_id, ConsumedBottle.product_id, bucket)
    query = select(*keys, func.count()).where(ConsumedBottle.holder_id.is_not(None)).group_by(*keys)
    return [(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in (await session.execute(query)).all()]
