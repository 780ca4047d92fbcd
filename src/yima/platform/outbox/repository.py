"""SQL of the outbox and the job table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yima.platform.db.direct import on_postgres
from yima.platform.db.tenancy import ALL_TENANTS
from yima.platform.outbox.models import Job, OutboxMessage

ACROSS_TENANTS = {ALL_TENANTS: True}


def add_messages(session: AsyncSession, messages: Sequence[OutboxMessage]) -> None:
    session.add_all(messages)


async def claim_messages(
    session: AsyncSession, now: dt.datetime, lease_until: dt.datetime, limit: int
) -> list[OutboxMessage]:
    """Lease due messages to this runner. SKIP LOCKED lets several workers share PostgreSQL;
    SQLite serialises writers (BEGIN IMMEDIATE), which gives the same guarantee."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.processed_at.is_(None),
            OutboxMessage.dead.is_(False),
            OutboxMessage.available_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if on_postgres(session):
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.scalars(query)).all())
    for row in rows:
        row.locked_until = lease_until
        row.attempts += 1
    await session.flush()
    return rows


async def get_message(session: AsyncSession, message_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, message_id)


async def count_pending_messages(session: AsyncSession) -> int:
    rows = await session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.processed_at.is_(None), OutboxMessage.dead.is_(False))
    )
    return len(rows.all())


def add_job(session: AsyncSession, job: Job) -> None:
    session.add(job)


async def get_job(session: AsyncSession, job_id: int) -> Job | None:
    return await session.get(Job, job_id)


async def list_jobs(session: AsyncSession, name: str | None, limit: int, before_id: int | None) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if name:
        query = query.where(Job.name == name)
    if before_id:
        query = query.where(Job.id < before_id)
    return list((await session.scalars(query)).all())


async def claim_job(session: AsyncSession, now: dt.datetime, lease_until: dt.datetime) -> Job | None:
    """Take the oldest queued job, or a running one whose worker died (its lease ran out)."""
    query = (
        select(Job)
        .where(
            or_(
                (Job.state == "queued") & (Job.available_at <= now),
                (Job.state == "running") & (Job.locked_until < now),
            )
        )
        .order_by(Job.id)
        .limit(1)
        .execution_options(**ACROSS_TENANTS)
    )
    if on_postgres(session):
        query = query.with_for_update(skip_locked=True)
    job = (await session.scalars(query)).first()
    if job is None:
        return None
    job.state = "running"
    job.attempts += 1
    job.locked_until = lease_until
    job.started_at = job.started_at or now
    await session.flush()
    return job


async def update_job(session: AsyncSession, job_id: int, **values: object) -> None:
    await session.execute(update(Job).where(Job.id == job_id).values(**values).execution_options(**ACROSS_TENANTS))
