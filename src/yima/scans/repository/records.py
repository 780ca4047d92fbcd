"""Every SQL statement of the scans context."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yima.platform.db.base import newest_first
from yima.scans.models import ScanRecord

RECENT_POINTS = 50  # located scans weighed for "scanned far apart"


def add(session: AsyncSession, record: ScanRecord) -> None:
    session.add(record)


async def get(session: AsyncSession, scan_id: int) -> ScanRecord | None:
    return await session.get(ScanRecord, scan_id)


async def count_for(session: AsyncSession, serial: int) -> int:
    query = select(func.count()).select_from(ScanRecord).where(ScanRecord.serial == serial)
    return int(await session.scalar(query) or 0)


async def first_for(session: AsyncSession, serial: int) -> ScanRecord | None:
    query = select(ScanRecord).where(ScanRecord.serial == serial).order_by(ScanRecord.id).limit(1)
    return (await session.scalars(query)).first()


async def recent_located(session: AsyncSession, serial: int) -> list[ScanRecord]:
    query = select(ScanRecord).where(ScanRecord.serial == serial, ScanRecord.lat.is_not(None))
    return list(await session.scalars(newest_first(query, ScanRecord, RECENT_POINTS, None)))


async def list_for(session: AsyncSession, serial: int | None, limit: int, before_id: int | None) -> list[ScanRecord]:
    query = select(ScanRecord)
    if serial is not None:
        query = query.where(ScanRecord.serial == serial)
    return list(await session.scalars(newest_first(query, ScanRecord, limit, before_id)))
