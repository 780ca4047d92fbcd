"""Events: captures, the bulk writes of capture, queries and a unit's events.

Capture writes in bulk: one INSERT … ON CONFLICT DO NOTHING … RETURNING per 1,000 events, and
one INSERT of all their identifiers (PostgreSQL: over ``unnest`` of five arrays, whatever the
count; SQLite: multi-row VALUES) — never a row at a time. Core inserts skip the tenancy hook, so
``tenant_id`` is set here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    Table,
    any_,
    bindparam,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

from yima.platform.db import direct
from yima.platform.db.tenancy import prebuilt, tenant_param, tenant_params
from yima.trace.epcis.records import EventRecord
from yima.trace.models import EpcisCapture, EpcisEvent, EpcisEventEpc
from yima.trace.rules import UnitEvent
from yima.trace.schemas import EventFilter

T = TypeVar("T")
EVENTS_PER_INSERT = 1000
SQLITE_VARIABLES = 32_000


def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)


def _chunks(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


# captures ------------------------------------------------------------------------------------


async def get_capture(session: AsyncSession, capture_pk: int, lock: bool = False) -> EpcisCapture | None:
    query = select(EpcisCapture).where(EpcisCapture.id == capture_pk)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


# capture: bulk writes --------------------------------------------------------------------------


async def insert_events(
    session: AsyncSession,
    tenant_id: int,
    records: Sequence[EventRecord],
    record_time: dt.datetime,
    source: str,
    capture_pk: int | None,
) -> dict[str, int]:
    """Insert the events not stored yet; eventID → row id of those inserted (the others were
    there already, maybe written a moment ago by a concurrent capture of the same events)."""
    table = _table(EpcisEvent)
    dialect_insert = pg_insert if direct.on_postgres(session) else sqlite_insert
    statement = (
        dialect_insert(table)
        .on_conflict_do_nothing(index_elements=[table.c.tenant_id, table.c.event_id])
        .returning(table.c.event_id, table.c.id)
    )
    inserted: dict[str, int] = {}
    for part in _chunks(records, EVENTS_PER_INSERT):
        rows = [
            {
                "tenant_id": tenant_id,
                "event_id": r.event_id,
                "event_type": r.event_type,
                "action": r.action,
                "biz_step": r.biz_step,
                "disposition": r.disposition,
                "event_time": r.event_time,
                "event_time_zone_offset": r.event_time_zone_offset,
                "record_time": record_time,
                "read_point": r.read_point,
                "biz_location": r.biz_location,
                "parent_id": r.parent_id,
                "source": source,
                "capture_pk": capture_pk,
                "document": r.document,
                "error_declared_at": r.error_declared_at,
                "error_declaration": r.error_declaration,
            }
            for r in part
        ]
        # executemany: SQLAlchemy renders it as multi-row INSERTs ("insertmanyvalues"), compiled once
        inserted.update((event_id, pk) for event_id, pk in (await session.execute(statement, rows)).all())
    return inserted


async def insert_epcs(
    session: AsyncSession, tenant_id: int, rows: Sequence[tuple[int, int, str, str, dt.datetime, int | None]]
) -> None:
    """(event row id, position, canonical key, role, event time, unit serial) rows, in one
    statement on PostgreSQL."""
    if not rows:
        return
    table = _table(EpcisEventEpc)
    if not direct.on_postgres(session):
        for part in _chunks(rows, SQLITE_VARIABLES // 7):
            values = [
                {
                    "tenant_id": tenant_id,
                    "event_pk": pk,
                    "position": n,
                    "epc": epc,
                    "role": role,
                    "event_time": at,
                    "serial": serial,
                }
                for pk, n, epc, role, at, serial in part
            ]
            await session.execute(sqlite_insert(table).values(values))
        return
    given = (
        func.unnest(
            bindparam(None, [r[0] for r in rows], type_=ARRAY(BigInteger)),
            bindparam(None, [r[1] for r in rows], type_=ARRAY(Integer)),
            bindparam(None, [r[2] for r in rows], type_=ARRAY(String)),
            bindparam(None, [r[3] for r in rows], type_=ARRAY(String)),
            bindparam(None, [r[4] for r in rows], type_=ARRAY(DateTime(timezone=True))),
            bindparam(None, [r[5] for r in rows], type_=ARRAY(BigInteger)),
        )
        .table_valued("event_pk", "position", "epc", "role", "event_time", "serial")
        .render_derived()
    )
    query = select(
        literal(tenant_id, BigInteger),
        given.c.event_pk,
        given.c.position,
        given.c.epc,
        given.c.role,
        given.c.event_time,
        given.c.serial,
    )
    columns = ["tenant_id", "event_pk", "position", "epc", "role", "event_time", "serial"]
    await session.execute(pg_insert(table).from_select(columns, query))


async def record_declarations(
    session: AsyncSession, declarations: Sequence[tuple[str, dict[str, Any], dt.datetime]]
) -> None:
    """Error declarations (eventID, declaration, declared at) for stored events; a declaration
    already recorded stays (the first one counts)."""
    for event_id, declaration, declared_at in declarations:
        statement = (
            update(EpcisEvent)
            .where(EpcisEvent.event_id == event_id, EpcisEvent.error_declared_at.is_(None))
            .values(error_declaration=declaration, error_declared_at=declared_at)
            .execution_options(synchronize_session=False)
        )
        await session.execute(statement)


# reads ---------------------------------------------------------------------------------------


async def get_event(session: AsyncSession, event_id: str) -> EpcisEvent | None:
    return (await session.scalars(select(EpcisEvent).where(EpcisEvent.event_id == event_id))).first()


def _member(session: AsyncSession, column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    if direct.on_postgres(session):
        return cast(ColumnElement[bool], column == any_(bindparam(None, list(values), type_=ARRAY(String))))
    return cast(ColumnElement[bool], column.in_(values))


def _epc_match(session: AsyncSession, keys: Sequence[str], prefixes: Sequence[str], roles: Sequence[str]) -> Any:
    """Row ids of events naming one of ``keys`` (or a key starting with one of ``prefixes``) in
    one of ``roles``."""
    wanted = [_member(session, EpcisEventEpc.epc, keys)] if keys else []
    wanted += [EpcisEventEpc.epc.startswith(prefix, autoescape=True) for prefix in prefixes]
    query = select(EpcisEventEpc.event_pk).where(or_(*wanted))
    return query.where(EpcisEventEpc.role.in_(roles)) if roles else query


def _filtered(session: AsyncSession, query: Select[Any], f: EventFilter, matches: dict[str, Any]) -> Select[Any]:
    pairs: list[tuple[Any, list[str]]] = [
        (EpcisEvent.event_type, f.event_types),
        (EpcisEvent.action, f.actions),
        (EpcisEvent.biz_step, f.biz_steps),
        (EpcisEvent.disposition, f.dispositions),
        (EpcisEvent.read_point, f.read_points),
        (EpcisEvent.biz_location, f.biz_locations),
        (EpcisEvent.event_id, f.event_ids),
    ]
    for column, values in pairs:
        if values:
            query = query.where(_member(session, column, values))
    for column, bound, lower in (
        (EpcisEvent.event_time, f.ge_event_time, True),
        (EpcisEvent.event_time, f.lt_event_time, False),
        (EpcisEvent.record_time, f.ge_record_time, True),
        (EpcisEvent.record_time, f.lt_record_time, False),
    ):
        if bound is not None:
            query = query.where(column >= bound if lower else column < bound)
    for keys, prefixes, roles in matches.values():
        query = query.where(EpcisEvent.id.in_(_epc_match(session, keys, prefixes, roles)))
    return query


async def query_events(
    session: AsyncSession, f: EventFilter, matches: dict[str, Any], after_id: int | None, limit: int
) -> list[EpcisEvent]:
    """Events matching ``f`` in the order they were stored (keyset on id, so paging stays cheap);
    ``matches``: parameter → (keys, key prefixes, roles) for the identifier parameters."""
    query = _filtered(session, select(EpcisEvent), f, matches)
    if after_id is not None:
        query = query.where(EpcisEvent.id > after_id)
    return list((await session.scalars(query.order_by(EpcisEvent.id).limit(limit))).all())


async def events_naming(
    session: AsyncSession,
    keys: Sequence[str],
    roles: Sequence[str],
    since: dt.datetime | None,
    until: dt.datetime | None,
    limit: int,
) -> list[EpcisEvent]:
    """Events naming any of ``keys`` in ``roles``, oldest first (by event time): one range scan
    of the (tenant, epc, event time) index per key."""
    inner = select(EpcisEventEpc.event_pk).where(_member(session, EpcisEventEpc.epc, keys))
    if roles:
        inner = inner.where(EpcisEventEpc.role.in_(roles))
    if since is not None:
        inner = inner.where(EpcisEventEpc.event_time >= since)
    if until is not None:
        inner = inner.where(EpcisEventEpc.event_time < until)
    query = select(EpcisEvent).where(EpcisEvent.id.in_(inner)).order_by(EpcisEvent.event_time, EpcisEvent.id)
    return list((await session.scalars(query.limit(limit))).all())


# Every consumer scan's hot path, built once per dialect and prebuilt; columns, not ORM objects (their CPU).
_EVENTS_OF_UNITS = {
    postgres: prebuilt(
        select(*(getattr(EpcisEvent, name) for name in UnitEvent._fields), EpcisEventEpc.serial, EpcisEventEpc.role)
        .join(EpcisEventEpc, (EpcisEventEpc.event_pk == EpcisEvent.id) & (EpcisEventEpc.tenant_id == tenant_param()))
        .where(direct.one_of(postgres, EpcisEventEpc.serial, "serials"), EpcisEvent.tenant_id == tenant_param())
        .order_by(EpcisEventEpc.event_time.desc(), EpcisEvent.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )
    for postgres in (False, True)
}


def events_of_units_later(
    session: AsyncSession, serials: Sequence[int], limit: int
) -> tuple[Executable, dict[str, Any]]:
    """``events_of_units``'s statement and parameters, not run (``direct.Deferred``); its rows
    through ``unit_events``."""
    return _EVENTS_OF_UNITS[direct.on_postgres(session)], tenant_params(session, serials=list(serials), limit=limit)


def unit_events(rows: direct.Rows) -> list[tuple[UnitEvent, int, str]]:
    return [(UnitEvent._make(row[:-2]), row[-2], row[-1]) for row in reversed(rows.all())]


async def events_of_units(
    session: AsyncSession, serials: Sequence[int], limit: int
) -> list[tuple[UnitEvent, int, str]]:
    """(event, unit serial, role) for the latest ``limit`` events naming one of the units (in any
    printed form), oldest first: one range scan of the (tenant, serial, event time) index per unit."""
    return unit_events(await direct.execute(session, *events_of_units_later(session, serials, limit)))
