"""Risk control's statements: the counters' one upsert per scan, their purge, the brand's
settings row and blacklist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

from yima.campaigns.models import CampaignBlacklistEntry, CampaignRiskCounter, CampaignRiskSettings
from yima.campaigns.repository import NO_SYNC
from yima.campaigns.repository import add as add
from yima.campaigns.risk import CounterKey, Counts
from yima.campaigns.schemas import BlacklistEntryFilter
from yima.platform.db import direct
from yima.platform.db.base import newest_first
from yima.platform.db.upsert import prebuilt_upsert, table_of

_KEY = ("tenant_id", "starts_at", "span", "subject", "subject_key")
_COUNTERS = table_of(CampaignRiskCounter)
# the rows as parameters, not VALUES: one statement still, built and compiled once (platform/db/tenancy.py)
_COUNT_SCANS = prebuilt_upsert(
    lambda insert: (
        insert(_COUNTERS)
        .on_conflict_do_update(index_elements=list(_KEY), set_={"scans": _COUNTERS.c.scans + 1})
        .returning(_COUNTERS.c.subject, _COUNTERS.c.span, _COUNTERS.c.scans)
    )
)


def count_scans_later(
    session: AsyncSession, tenant_id: int, keys: Sequence[CounterKey]
) -> tuple[Executable, list[dict[str, Any]]]:
    """Add one to each counter (created at 1) in ONE statement — INSERT … ON CONFLICT DO UPDATE
    … RETURNING, rows in primary-key order so concurrent scans lock shared rows in the same
    order. Not run: ``direct.execute`` it or send it with others (``direct.Deferred``); every
    count now, by (subject, window), through ``counts_in``."""
    rows = [
        {"tenant_id": tenant_id, "starts_at": k.starts_at, "span": k.span, "subject": k.subject,
         "subject_key": k.key, "scans": 1}
        for k in sorted(keys, key=CounterKey.sort_key)
    ]  # fmt: skip
    return _COUNT_SCANS(session), rows


def counts_in(found: direct.Rows) -> Counts:
    return {(subject, span): scans for subject, span, scans in found.all()}


async def counters_of(session: AsyncSession, subject: str, key: str) -> list[CampaignRiskCounter]:
    """One subject's live counters, oldest window first."""
    query = select(CampaignRiskCounter).where(
        CampaignRiskCounter.subject == subject, CampaignRiskCounter.subject_key == key
    )
    return list((await session.scalars(query.order_by(CampaignRiskCounter.starts_at))).all())


async def purge_counters(session: AsyncSession, before: dt.datetime) -> int:
    """Delete the windows that started before ``before``; how many."""
    statement = delete(CampaignRiskCounter).where(CampaignRiskCounter.starts_at < before)
    result: Any = await session.execute(statement.execution_options(**NO_SYNC))
    return int(result.rowcount or 0)


async def get_settings(session: AsyncSession) -> CampaignRiskSettings | None:
    return (await session.scalars(select(CampaignRiskSettings))).first()


def _unexpired(now: dt.datetime) -> ColumnElement[bool]:
    entry = CampaignBlacklistEntry
    return or_(entry.expires_at.is_(None), entry.expires_at > now)


async def live_blacklist(session: AsyncSession, now: dt.datetime) -> list[tuple[str, str, dt.datetime | None]]:
    """(kind, value, expires_at) of every entry not expired at ``now``."""
    entry = CampaignBlacklistEntry
    query = select(entry.kind, entry.value, entry.expires_at).where(_unexpired(now))
    return [(r.kind, r.value, r.expires_at) for r in await session.execute(query)]


async def list_blacklist(
    session: AsyncSession, filters: BlacklistEntryFilter, now: dt.datetime, limit: int, before_id: int | None
) -> list[CampaignBlacklistEntry]:
    entry = CampaignBlacklistEntry
    query: Select[Any] = select(entry)
    if filters.kind:
        query = query.where(entry.kind == filters.kind)
    if filters.q and filters.q.strip():
        query = query.where(entry.value.icontains(filters.q.strip(), autoescape=True))
    if filters.active is True:
        query = query.where(_unexpired(now))
    elif filters.active is False:
        query = query.where(entry.expires_at <= now)
    return list((await session.scalars(newest_first(query, entry, limit, before_id))).all())


async def get_blacklist_entry(session: AsyncSession, entry_id: int) -> CampaignBlacklistEntry | None:
    return await session.get(CampaignBlacklistEntry, entry_id)


async def find_blacklist_entry(session: AsyncSession, kind: str, value: str) -> CampaignBlacklistEntry | None:
    query = select(CampaignBlacklistEntry).where(
        CampaignBlacklistEntry.kind == kind, CampaignBlacklistEntry.value == value
    )
    return (await session.scalars(query)).first()


async def delete_blacklist_entry(session: AsyncSession, entry: CampaignBlacklistEntry) -> None:
    await session.delete(entry)
    await session.flush()
