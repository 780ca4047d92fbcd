"""Every SQL statement of the scans context."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
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


async def by_client_key(session: AsyncSession, person_id: int, client_key: str) -> ScanRecord | None:
    query = select(ScanRecord).where(ScanRecord.person_id == person_id, ScanRecord.client_key == client_key)
    return (await session.scalars(query)).first()


async def insert(session: AsyncSession, record: ScanRecord) -> bool:
    """Insert ``record`` in a savepoint: False, with nothing written, when its client key was
    taken (a concurrent retry of the same scan won)."""
    try:
        async with session.begin_nested():
            session.add(record)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def sequential_recent(session: AsyncSession, record: ScanRecord, span: int, since: dt.datetime) -> int:
    """Neighbouring codes (serials within ``span`` of this one, itself excluded) scanned since
    ``since`` by the same person or from the same network: a roll of codes leaked from the
    printer is scanned in order. The index on serial finds them."""
    who = [ScanRecord.person_id == record.person_id]
    if record.net_hash is not None:
        who.append(ScanRecord.net_hash == record.net_hash)
    query = (
        select(func.count(ScanRecord.serial.distinct()))
        .where(
            ScanRecord.serial.between(record.serial - span, record.serial + span),
            ScanRecord.serial != record.serial,
            ScanRecord.scanned_at >= since,
            or_(*who),
        )
    )
    return int(await session.scalar(query) or 0)


async def count_of_person(session: AsyncSession, person_id: int) -> int:
    query = select(func.count()).select_from(ScanRecord).where(ScanRecord.person_id == person_id)
    return int(await session.scalar(query) or 0)


async def repoint_person(session: AsyncSession, from_person_id: int, into_person_id: int) -> int:
    query = (
        update(ScanRecord)
        .where(ScanRecord.person_id == from_person_id)
        .values(person_id=into_person_id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(query)).rowcount  # type: ignore[attr-defined,no-any-return]


async def list_reviews(
    session: AsyncSession, state: str, campaign_id: int | None, limit: int, before_id: int | None
) -> list[ScanRecord]:
    query = select(ScanRecord).where(ScanRecord.review_state == state)
    if campaign_id is not None:
        query = query.where(ScanRecord.campaign_id == campaign_id)
    return list(await session.scalars(newest_first(query, ScanRecord, limit, before_id)))


async def take_review(session: AsyncSession, scan_id: int, decided: str) -> ScanRecord | None:
    """Move a held scan out of the queue: one reviewer wins a race, the other finds nothing."""
    query = (
        update(ScanRecord)
        .where(ScanRecord.id == scan_id, ScanRecord.review_state == "pending")
        .values(review_state=decided)
        .returning(ScanRecord.id)
        .execution_options(synchronize_session=False)
    )
    if (await session.execute(query)).scalar_one_or_none() is None:
        return None
    return await session.get(ScanRecord, scan_id, populate_existing=True)


async def campaign_scanned(session: AsyncSession, campaign_id: int) -> bool:
    query = select(ScanRecord.id).where(ScanRecord.campaign_id == campaign_id).limit(1)
    return (await session.scalar(query)) is not None
