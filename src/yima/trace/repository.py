"""Every SQL statement of the trace context.

Capture writes in bulk: one INSERT … ON CONFLICT DO NOTHING … RETURNING per 1,000 events, and
one INSERT of all their identifiers (PostgreSQL: over ``unnest`` of five arrays, whatever the
count; SQLite: multi-row VALUES) — never a row at a time. Core inserts skip the tenancy hook, so
``tenant_id`` is set here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from functools import cache
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
    case,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy import column as sql_column
from sqlalchemy import values as sql_values
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.base import Executable

from yima.platform.db import direct
from yima.platform.db.tenancy import prebuilt, tenant_param, tenant_params
from yima.trace.epcis.records import EventRecord
from yima.trace.models import DiversionRecord, EpcisCapture, EpcisEvent, EpcisEventEpc
from yima.trace.rules import UnitEvent
from yima.trace.schemas import DiversionFilter, EventFilter

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


# diversions -----------------------------------------------------------------------------------


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


def _diversions(f: DiversionFilter, regions: Sequence[str] | None) -> Select[Any]:
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
    if regions is not None:
        query = query.where(_in_regions(DiversionRecord.region_code, regions) if regions else false())
    return query


async def list_diversions(
    session: AsyncSession, f: DiversionFilter, regions: Sequence[str] | None, limit: int, before_id: int | None
) -> list[DiversionRecord]:
    """Newest first, keyset on id; ``regions``: a regional manager's (None: the whole brand)."""
    query = _diversions(f, regions).order_by(DiversionRecord.id.desc()).limit(limit)
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


# channel stock (analytics, read-only) ---------------------------------------------------------


def _packing_links() -> Any:
    """(parent serial, child serial) of every packing (AggregationEvent ADD not declared in
    error) the store records: the contents a unit was ever packed with."""
    parent, child = aliased(EpcisEventEpc, name="p"), aliased(EpcisEventEpc, name="c")
    return (
        select(parent.serial.label("parent"), child.serial.label("child"))
        .join(child, child.event_pk == parent.event_pk)
        .join(EpcisEvent, EpcisEvent.id == parent.event_pk)
        .where(
            parent.role == "parent",
            child.role == "child",
            parent.serial.is_not(None),
            child.serial.is_not(None),
            EpcisEvent.event_type == "AggregationEvent",
            EpcisEvent.action == "ADD",
            EpcisEvent.error_declared_at.is_(None),
        )
        .distinct()
        .cte("links")
    )


def _movements(bounds: Sequence[dt.datetime]) -> Any:
    """One row per (logistics event, named unit): the holder (``urn:yima:{dealer|store}:{id}``),
    +1 for a receipt at it (bizLocation), −1 for a shipment or return from it (readPoint), and the
    age bucket of the event time (0 newest … len(bounds))."""
    step = EpcisEvent.biz_step
    holder = case((step == "receiving", EpcisEvent.biz_location), else_=EpcisEvent.read_point)
    bucket = case(*((EpcisEventEpc.event_time >= b, i) for i, b in enumerate(bounds)), else_=len(bounds))
    return (
        select(
            holder.label("holder"),
            case((step == "receiving", 1), else_=-1).label("sign"),
            bucket.label("bucket"),
            EpcisEventEpc.serial.label("unit"),
        )
        .join(EpcisEvent, EpcisEvent.id == EpcisEventEpc.event_pk)
        .where(
            EpcisEventEpc.role == "epc",
            EpcisEventEpc.serial.is_not(None),
            EpcisEvent.event_type == "ObjectEvent",
            EpcisEvent.error_declared_at.is_(None),
            step.in_(("receiving", "shipping")),
            or_(*(holder.startswith(f"urn:yima:{kind}:") for kind in ("dealer", "store"))),
        )
        .cte("moves")
    )


async def channel_stock(
    session: AsyncSession, bounds: Sequence[dt.datetime], ranges: Sequence[tuple[int, int, int]]
) -> list[tuple[str, int | None, int, int, list[int]]]:
    """Per (holder URI, product id): bottles received, bottles shipped on, and the bottles on
    hand (received more often than shipped) per age bucket of their latest receipt.

    A named unit counts its bottles: the leaves of its packing tree (up to three levels: a
    pallet's cases' bottles; a unit packed with nothing counts as itself). ``ranges`` are
    (first serial, last serial, product id) of the activated codes; a bottle outside them has no
    product. All in one statement, grouped in the database."""
    links = _packing_links()
    moves = _movements(bounds)
    packed = select(links.c.parent)
    levels = [links.alias(f"l{i}") for i in range(3)]
    # a unit's leaves: itself if it holds nothing; else its children that hold nothing; …
    leaf_queries = [select(moves.c.holder, moves.c.sign, moves.c.bucket, moves.c.unit.label("bottle"))
                    .where(moves.c.unit.not_in(packed))]  # fmt: skip
    for depth in range(1, 4):
        query = select(moves.c.holder, moves.c.sign, moves.c.bucket, levels[depth - 1].c.child.label("bottle"))
        query = query.join(levels[0], levels[0].c.parent == moves.c.unit)
        for i in range(1, depth):
            query = query.join(levels[i], levels[i].c.parent == levels[i - 1].c.child)
        leaf_queries.append(query.where(levels[depth - 1].c.child.not_in(packed)))
    leaves = union_all(*leaf_queries).subquery("leaves")
    per_bottle = (
        select(
            leaves.c.holder,
            leaves.c.bottle,
            func.sum(case((leaves.c.sign > 0, 1), else_=0)).label("ins"),
            func.sum(case((leaves.c.sign < 0, 1), else_=0)).label("outs"),
            func.min(case((leaves.c.sign > 0, leaves.c.bucket))).label("bucket"),
        )
        .group_by(leaves.c.holder, leaves.c.bottle)
        .subquery("per_bottle")
    )
    product: Any = literal(None, BigInteger)
    query = select(per_bottle.c.holder)
    if ranges and direct.on_postgres(session):  # a VALUES list joined by range
        columns = (sql_column(name, BigInteger) for name in ("lo", "hi", "product_id"))
        known = sql_values(*columns, name="ranges").data(list(ranges))
        product = known.c.product_id
        query = query.outerjoin(known, per_bottle.c.bottle.between(known.c.lo, known.c.hi))
    elif ranges:  # SQLite names no VALUES columns: a CASE over the ranges
        product = case(*((per_bottle.c.bottle.between(lo, hi), pid) for lo, hi, pid in ranges))
    on_hand = per_bottle.c.ins > per_bottle.c.outs
    buckets = [
        func.sum(case((on_hand & (per_bottle.c.bucket == i), 1), else_=0)).label(f"b{i}")
        for i in range(len(bounds) + 1)
    ]
    query = query.add_columns(
        product.label("product_id"), func.sum(per_bottle.c.ins), func.sum(per_bottle.c.outs), *buckets
    ).group_by(per_bottle.c.holder, product)
    rows = (await session.execute(query)).all()
    return [(r[0], r[1], int(r[2] or 0), int(r[3] or 0), [int(v or 0) for v in r[4:]]) for r in rows]


async def diversion_counts(
    session: AsyncSession, regions: Sequence[str] | None, dealer_id: int | None
) -> list[tuple[int, int | None, int | None, str, str, int]]:
    """(dealer, store, product, region found in, status, findings) over the diversion records;
    ``regions``: a regional manager's (None: the whole brand)."""
    f = DiversionFilter(dealer_id=dealer_id)
    base = _diversions(f, regions).subquery()
    keys = (base.c.dealer_id, base.c.store_id, base.c.product_id, base.c.region_code, base.c.status)
    rows = (await session.execute(select(*keys, func.count()).group_by(*keys))).all()
    return [(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in rows]


async def units_received(session: AsyncSession, since: dt.datetime, until: dt.datetime, ranges: list[Any]) -> int:
    """Distinct units with a serial in ``ranges`` (lo, hi) received at a dealer or store in [since, until)."""
    moves, links = _movements([until, since]), _packing_links()  # bucket 1: since <= event time < until
    got = select(moves.c.unit).where(moves.c.sign > 0, moves.c.bucket == 1).subquery("got")
    units = union_all(select(got.c.unit), select(links.c.child).join(got, links.c.parent == got.c.unit)).subquery()
    wanted = or_(false(), *(units.c.unit.between(lo, hi) for lo, hi in ranges))  # a pallet stands for its cases
    return int((await session.execute(select(func.count(units.c.unit.distinct())).where(wanted))).scalar_one())
