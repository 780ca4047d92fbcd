"""Every SQL statement of the scans context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, bindparam, func, literal, null, or_, select, true, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

from yima.platform.db import direct
from yima.platform.db.base import newest_first
from yima.platform.db.tenancy import TENANT_PARAM, check_tenants, prebuilt, tenant_param, tenant_params
from yima.platform.db.upsert import prebuilt_upsert, table_of
from yima.scans.models import ScanRecord
from yima.scans.rules import ScanPoint

RECENT_POINTS = 50  # located scans weighed for "scanned far apart"


def add(session: AsyncSession, record: ScanRecord) -> None:
    session.add(record)


async def get(session: AsyncSession, scan_id: int) -> ScanRecord | None:
    return await session.get(ScanRecord, scan_id)


_POINT = (ScanRecord.scanned_at, ScanRecord.lat, ScanRecord.lon, ScanRecord.region_code)


async def first_for(session: AsyncSession, serial: int) -> ScanPoint | None:
    query = select(*_POINT).where(ScanRecord.serial == serial).order_by(ScanRecord.id).limit(1)
    found = (await session.execute(query)).first()
    return ScanPoint(*found) if found else None


async def recent_located(session: AsyncSession, serial: int, before_id: int | None = None) -> list[ScanPoint]:
    query = select(*_POINT).where(ScanRecord.serial == serial, ScanRecord.lat.is_not(None))
    rows = await session.execute(newest_first(cast(Select[Any], query), ScanRecord, RECENT_POINTS, before_id))
    return [ScanPoint(at, lat, lon, region) for at, lat, lon, region in rows]


async def list_for(session: AsyncSession, serial: int | None, limit: int, before_id: int | None) -> list[ScanRecord]:
    query = select(ScanRecord)
    if serial is not None:
        query = query.where(ScanRecord.serial == serial)
    return list(await session.scalars(newest_first(query, ScanRecord, limit, before_id)))


async def by_client_key(session: AsyncSession, person_id: int, client_key: str) -> ScanRecord | None:
    query = select(ScanRecord).where(ScanRecord.person_id == person_id, ScanRecord.client_key == client_key)
    return (await session.scalars(query)).first()


_SCANS = table_of(ScanRecord)


def _fill_defaults(record: ScanRecord) -> dict[str, Any]:
    """Every column's value (the model's scalar defaults where unset), the id aside."""
    values: dict[str, Any] = {}
    for column in _SCANS.columns:
        if column.key == "id":
            continue
        value = record.__dict__.get(column.key)
        if value is None and column.default is not None and column.default.is_scalar:
            value = column.default.arg  # type: ignore[attr-defined]
        setattr(record, column.key, value)
        if value is not None:  # left out, not bound: a JSON column would store 'null', not NULL
            values[column.key] = value
    return values


# The values as parameters, not a VALUES clause built per call: one statement, compiled once per
# set of columns given.
_INSERT = prebuilt_upsert(
    lambda insert: (
        insert(_SCANS)
        .on_conflict_do_nothing(index_elements=["tenant_id", "person_id", "client_key"])
        .returning(_SCANS.c.id)
    )
)


async def insert(session: AsyncSession, record: ScanRecord) -> bool:
    """Insert ``record`` in one statement (no savepoint): False, with nothing written, when its
    client key was taken (a concurrent retry of the same scan won). Inserted, the record gets its
    id but stays out of the session: ``save_outcome`` writes what the draw decided."""
    values = _fill_defaults(record)
    found = (await direct.execute(session, _INSERT(session), values)).scalar_one_or_none()
    if found is None:
        return False
    record.id = found
    return True


_OUTCOME = ("campaign_id", "outcome", "award_id", "risk_decision", "risk_reasons", "review_state")
# The outcome's columns are SET from the parameters of the same names (compiled with them).
_SAVE_OUTCOME = prebuilt(
    update(_SCANS)
    .where(_SCANS.c.tenant_id == tenant_param(), _SCANS.c.id == bindparam("scan"))
    .returning(_SCANS.c.id)  # a statement sent with others returns rows
)


def outcome_of(record: ScanRecord) -> dict[str, Any]:
    """The record's outcome columns as they are on the object."""
    return {column: getattr(record, column) for column in _OUTCOME}


def save_outcome_later(
    session: AsyncSession, scan_id: int, outcome: dict[str, Any]
) -> tuple[Executable, dict[str, Any]]:
    """``save_outcome`` of ``outcome`` (``outcome_of``'s columns), not run: its statement and
    parameters (``direct.Deferred``)."""
    return _SAVE_OUTCOME, tenant_params(session, scan=scan_id, **outcome)


async def save_outcome(session: AsyncSession, record: ScanRecord) -> None:
    """Write what the draw decided of a scan ``insert`` made: one UPDATE, no flush."""
    await direct.execute(session, *save_outcome_later(session, record.id, outcome_of(record)))


@dataclass(frozen=True)
class CodeScans:
    """What the code page shows of a code's scans: how many, the first, the newest located."""

    count: int
    first: ScanPoint | None
    located: list[ScanPoint]

    def with_scan(self, point: ScanPoint) -> CodeScans:
        """These scans and one more, made after them."""
        located = [point, *self.located][:RECENT_POINTS] if point.lat is not None else self.located
        return CodeScans(self.count + 1, self.first or point, located)


def _newest() -> Select[Any]:
    # tenant_id = :bound_tenant and serial: the (tenant, serial, id) index serves it.
    return cast(
        Select[Any],
        select(*_POINT, func.count().over().label("total"))
        .where(ScanRecord.tenant_id == tenant_param(), ScanRecord.serial == bindparam("serial"))
        .order_by(ScanRecord.id.desc())
        .limit(RECENT_POINTS + 1),
    )


_NEWEST = prebuilt(_newest())


async def _code_scans(
    session: AsyncSession, serial: int, rows: Sequence[Sequence[Any]], before_id: int | None = None
) -> CodeScans:
    """The code's scans from its newest ``RECENT_POINTS + 1`` rows (each with the total count),
    reading the first and the located apart only when there are more (rarely)."""
    count = int(rows[0][-1]) if rows else 0
    if count <= len(rows):
        points = [ScanPoint(*row[:-1]) for row in rows]
        located = [p for p in points if p.lat is not None][:RECENT_POINTS]
        return CodeScans(count, points[-1] if points else None, located)
    return CodeScans(count, await first_for(session, serial), await recent_located(session, serial, before_id))


async def scans_of_code(session: AsyncSession, serial: int) -> CodeScans:
    """The code's scan count, first scan and newest located scans, in one query when the code
    has been scanned at most ``RECENT_POINTS + 1`` times (nearly always), else in three."""
    rows = (await direct.execute(session, _NEWEST, tenant_params(session, serial=serial))).all()
    return await _code_scans(session, serial, rows)


def _sequential(by_network: bool, postgres: bool) -> Select[Any]:
    """sequential_recent's count, by the person alone or (``by_network``) from their network too.
    The neighbours are bound as a list (an array on PostgreSQL), not as a BETWEEN of two
    parameters: PostgreSQL's plan cache estimates such a range at 0.5 % of the table in a generic
    plan, so the recording statement that holds this count was planned afresh on every scan
    (0.28 ms of its CPU); a list of serials is estimated at a few rows, and one plan serves."""
    who = [ScanRecord.person_id == bindparam("person_id")]
    if by_network:
        who.append(ScanRecord.net_hash == bindparam("net_hash"))
    return select(func.count(ScanRecord.serial.distinct())).where(
        ScanRecord.tenant_id == tenant_param(),
        direct.one_of(postgres, ScanRecord.serial, "neighbours"),
        ScanRecord.scanned_at >= bindparam("since"),
        or_(*who),
    )


# keyed by: net_hash known, on PostgreSQL
_SEQUENTIAL = {(by, pg): prebuilt(_sequential(by, pg)) for by in (False, True) for pg in (False, True)}


@dataclass(frozen=True)
class SequenceWindow:
    """The window risk control counts a scan's neighbouring serials in (sequential_recent)."""

    span: int
    since: dt.datetime


def _sequential_params(record: ScanRecord, window: SequenceWindow) -> dict[str, Any]:
    serial, span = record.serial, window.span
    neighbours = [s for s in range(serial - span, serial + span + 1) if s != serial]
    return {"person_id": record.person_id, "net_hash": record.net_hash, "neighbours": neighbours, "since": window.since}


async def sequential_recent(session: AsyncSession, record: ScanRecord, span: int, since: dt.datetime) -> int:
    """Neighbouring codes (serials within ``span`` of this one, itself excluded) scanned since
    ``since`` by the same person or from the same network: a roll of codes leaked from the
    printer is scanned in order. The index on serial finds them. ``record`` has its person."""
    params = tenant_params(session, **_sequential_params(record, SequenceWindow(span, since)))
    statement = _SEQUENTIAL[record.net_hash is not None, direct.on_postgres(session)]
    return int((await direct.execute(session, statement, params)).scalar() or 0)


# Columns a scan is inserted with: the outcome's and the review's are written later.
_WRITTEN_LATER = {"id", *_OUTCOME, "reviewed_by", "reviewed_at"}
_INSERTED = [column for column in _SCANS.columns if column.key not in _WRITTEN_LATER]


def _recording(by_network: bool | None) -> Select[Any]:
    """PostgreSQL's one round trip for a new scan: its INSERT (a data-modifying CTE), the code's
    newest scans and, unless ``by_network`` is None, sequential_recent's count. The reads see the
    table as it was before the INSERT (PostgreSQL runs a statement on one snapshot)."""
    values = {c.key: bindparam(f"v_{c.key}", type_=c.type) for c in _INSERTED} | {"tenant_id": tenant_param()}
    inserted = (
        postgresql.insert(_SCANS)
        .values(values)
        .on_conflict_do_nothing(index_elements=["tenant_id", "person_id", "client_key"])
        .returning(_SCANS.c.id)
        .cte("inserted")
    )
    newest = _newest().add_columns(ScanRecord.id.label("scan_id")).subquery("newest")
    sequential = _sequential(by_network, True).scalar_subquery() if by_network is not None else null()
    one = select(literal(1).label("one")).subquery("one")
    return (
        select(select(inserted.c.id).scalar_subquery(), sequential, *list(newest.c)[:-1])
        .select_from(one.outerjoin(newest, true()))
        .order_by(newest.c.scan_id.desc())
    )


_RECORDING = {by_network: prebuilt(_recording(by_network)) for by_network in (None, False, True)}


@dataclass(frozen=True)
class Recording:
    """What recording a scan found: whether it was inserted (False: its client key was taken,
    nothing written), the code's scans before it, and — when asked for — sequential_recent's count."""

    inserted: bool
    before: CodeScans
    sequential: int | None


async def record(session: AsyncSession, scan: ScanRecord, window: SequenceWindow | None) -> Recording:
    """Insert ``scan`` as ``insert`` does, and read what its page and risk control need of the
    scans before it: one round trip on PostgreSQL, three statements elsewhere."""
    if not direct.on_postgres(session):
        before = await scans_of_code(session, scan.serial)
        sequential = await sequential_recent(session, scan, window.span, window.since) if window else None
        return Recording(await insert(session, scan), before, sequential)
    values = _fill_defaults(scan)
    params = tenant_params(session, **{f"v_{c.key}": values.get(c.key) for c in _INSERTED if c.key != "tenant_id"})
    check_tenants(params[TENANT_PARAM], [values])  # the row's tenant is the bound one, as insert checks
    params |= {"serial": scan.serial} | (_sequential_params(scan, window) if window else {})
    statement = _RECORDING[None if window is None else scan.net_hash is not None]
    rows = (await direct.execute(session, statement, params)).all()
    scan_id, sequential = rows[0][0], rows[0][1]
    if scan_id is not None:
        scan.id = scan_id
    before = await _code_scans(session, scan.serial, [row[2:] for row in rows if row[-1] is not None], scan.id)
    return Recording(scan_id is not None, before, sequential)


async def codes_of_person(session: AsyncSession, person_id: int) -> int:
    """How many codes the person has scanned: a cap scanned again is not another scan to the
    nth-scan and new-scanner targets (else rescanning one cap would walk to any nth)."""
    query = select(func.count(ScanRecord.serial.distinct())).where(ScanRecord.person_id == person_id)
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
