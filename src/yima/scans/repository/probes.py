"""The benchmark's reference statements (``POST /bench/minimal``): one indexed SELECT and one
INSERT on ``scan_records``, the floor every scan pays. Built once per process with bound
parameters, as the hot paths' statements are."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Select, Table, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from yima.scans.models import ScanRecord


def _table() -> Table:
    return cast(Table, ScanRecord.__table__)


@cache
def _first_scan() -> Select[int]:
    # ORM-enabled: the tenancy hook adds tenant_id = :bound, so the (tenant, serial, id) index serves it.
    return select(ScanRecord.id).where(ScanRecord.serial == bindparam("serial")).order_by(ScanRecord.id).limit(1)


@cache
def _insert_scan() -> Insert:
    return insert(_table()).returning(_table().c.id)


async def first_scan_id(session: AsyncSession, serial: int) -> int | None:
    """The id of the code's first scan, through ``ix_scan_records_tenant_serial``."""
    return cast(int | None, await session.scalar(_first_scan(), {"serial": serial}))


async def insert_scan(session: AsyncSession, values: dict[str, Any]) -> int:
    """One scan record; Core, so ``values`` carry ``tenant_id`` (the tenancy hook sees no Core
    insert)."""
    return int((await session.execute(_insert_scan(), values)).scalar_one())
