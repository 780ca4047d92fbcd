"""The codes context's set-based statements: packing's bulk reads and writes, legacy codes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from yima.codes.models import (
    Assignment,
    CodeBatch,
    CodeBlock,
    LegacyCode,
    LegacyImport,
    Unit,
)
from yima.platform.db import direct
from yima.platform.db.base import Base
from yima.platform.db.tenancy import ALL_TENANTS

ACROSS_TENANTS = {ALL_TENANTS: True}
T = TypeVar("T")
# packing: set-based reads and bulk writes ----------------------------------------------------

_IN_CHUNK = 5000  # values per IN (…): under both databases' parameter limits
_RANGES_PER_QUERY = 200


def _chunks(values: Sequence[T], size: int = _IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _any_overlap(low: Any, high: Any, ranges: Sequence[tuple[int, int]]) -> ColumnElement[bool]:
    return or_(*[and_(low <= r[1], high >= r[0]) for r in ranges])


async def batches_overlapping(session: AsyncSession, ranges: Sequence[tuple[int, int]]) -> list[CodeBatch]:
    found: dict[int, CodeBatch] = {}
    for part in _chunks(ranges, _RANGES_PER_QUERY):
        query = select(CodeBatch).where(_any_overlap(CodeBatch.first_serial, CodeBatch.last_serial, part))
        found.update((b.id, b) for b in await session.scalars(query))
    return sorted(found.values(), key=lambda b: b.first_serial)


async def assignments_overlapping(session: AsyncSession, ranges: Sequence[tuple[int, int]]) -> list[Assignment]:
    found: dict[int, Assignment] = {}
    for part in _chunks(ranges, _RANGES_PER_QUERY):
        query = select(Assignment).where(_any_overlap(Assignment.serial_from, Assignment.serial_to, part))
        found.update((a.id, a) for a in await session.scalars(query))
    return sorted(found.values(), key=lambda a: a.serial_from)


async def blocks_overlapping(session: AsyncSession, ranges: Sequence[tuple[int, int]]) -> list[CodeBlock]:
    found: dict[int, CodeBlock] = {}
    for part in _chunks(ranges, _RANGES_PER_QUERY):
        query = select(CodeBlock).where(_any_overlap(CodeBlock.serial_from, CodeBlock.serial_to, part))
        found.update((b.id, b) for b in await session.scalars(query))
    return sorted(found.values(), key=lambda b: b.serial_from)


def _member(session: AsyncSession, column: Any, values: Sequence[Any], kind: Any = BigInteger) -> ColumnElement[bool]:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:array)``, one parameter however many
    values (an expanded IN of hundreds of values costs more to render than to run)."""
    if direct.on_postgres(session):
        return cast(ColumnElement[bool], column == any_(bindparam(None, list(values), type_=ARRAY(kind))))
    return cast(ColumnElement[bool], column.in_(values))


def _parts(session: AsyncSession, values: Sequence[T]) -> Iterator[Sequence[T]]:
    return _chunks(values, 50_000 if direct.on_postgres(session) else _IN_CHUNK)


async def unit_parents(session: AsyncSession, serials: Sequence[int]) -> dict[int, int | None]:
    """serial → parent serial, for the serials that have a unit row."""
    found: dict[int, int | None] = {}
    for part in _parts(session, serials):
        query = select(Unit.serial, Unit.parent_serial).where(_member(session, Unit.serial, part))
        found.update((serial, parent) for serial, parent in (await session.execute(query)).all())
    return found


async def child_links(session: AsyncSession, parents: Sequence[int]) -> list[tuple[int, int]]:
    """(child, parent) for every unit inside one of ``parents``."""
    found: list[tuple[int, int]] = []
    for part in _parts(session, parents):
        query = select(Unit.serial, Unit.parent_serial).where(_member(session, Unit.parent_serial, part))
        found.extend((child, cast(int, parent)) for child, parent in (await session.execute(query)).all())
    return sorted(found)


UnitRows = tuple[CodeBatch, Assignment | None, list[CodeBlock]]


@cache
def _unit_rows_of_query(postgres: bool) -> Select[Any]:
    """Built once per dialect: ``unit_rows`` for each serial of the bound set (a PostgreSQL array,
    or a JSON array read by SQLite's ``json_each``), one row per (serial, covering block)."""
    if postgres:
        serials = bindparam("serials", type_=ARRAY(BigInteger))
        wanted = func.unnest(serials).table_valued("serial").render_derived(name="wanted")
        serial = wanted.c.serial
    else:
        wanted = func.json_each(bindparam("serials", type_=String)).table_valued("value", name="wanted")
        serial = wanted.c.value
    # Batches and activations are disjoint ranges: each is the last one starting at or before the
    # serial, if it reaches that far (an index seek per serial, as in ``unit_rows``).
    batch, assignment = aliased(CodeBatch), aliased(Assignment)
    batch_id = (
        select(batch.id).where(batch.first_serial <= serial).order_by(batch.first_serial.desc()).limit(1)
    ).correlate(wanted).scalar_subquery()
    assignment_id = (
        select(assignment.id).where(assignment.serial_from <= serial).order_by(assignment.serial_from.desc()).limit(1)
    ).correlate(wanted).scalar_subquery()
    return (
        select(serial, CodeBatch, Assignment, CodeBlock)
        .select_from(wanted)
        .join(CodeBatch, and_(CodeBatch.id == batch_id, CodeBatch.last_serial >= serial))
        .outerjoin(Assignment, and_(Assignment.id == assignment_id, Assignment.serial_to >= serial))
        .outerjoin(CodeBlock, and_(CodeBlock.serial_from <= serial, CodeBlock.serial_to >= serial))
    )


async def unit_rows_of(session: AsyncSession, serials: Sequence[int]) -> dict[int, UnitRows]:
    """``unit_rows`` of many serials in one round trip: serial → (batch, activation, blocks);
    serials in no batch are left out."""
    postgres = direct.on_postgres(session)
    query = _unit_rows_of_query(postgres)
    found: dict[int, UnitRows] = {}
    for part in _chunks(sorted(set(serials)), 50_000):
        bound = list(part) if postgres else json.dumps(list(part))
        for serial, batch, activation, block in (await session.execute(query, {"serials": bound})).all():
            _, _, blocks = found.setdefault(int(serial), (batch, activation, []))
            if block is not None:
                blocks.append(block)
    return found


@cache
def _parents_and_contents_postgres() -> Select[int, int | None]:
    """Built once: the units ``serials`` and the children of ``holders`` (bound arrays)."""
    wanted = or_(
        Unit.serial == any_(bindparam("serials", type_=ARRAY(BigInteger))),
        Unit.parent_serial == any_(bindparam("holders", type_=ARRAY(BigInteger))),
    )
    return select(Unit.serial, Unit.parent_serial).where(wanted)


async def parents_and_contents(
    session: AsyncSession, serials: Sequence[int], holders: Sequence[int]
) -> tuple[dict[int, int | None], list[tuple[int, int]]]:
    """``unit_parents(serials)`` and ``child_links(holders)``, in one round trip when they fit."""
    postgres = direct.on_postgres(session)
    if len(serials) + len(holders) > (50_000 if postgres else _IN_CHUNK):
        return await unit_parents(session, serials), await child_links(session, holders)
    if postgres:
        found = await session.execute(
            _parents_and_contents_postgres(), {"serials": list(serials), "holders": list(holders)}
        )
    else:
        wanted = or_(Unit.serial.in_(serials), Unit.parent_serial.in_(holders))
        found = await session.execute(select(Unit.serial, Unit.parent_serial).where(wanted))
    rows = found.all()
    asked, holding = set(serials), set(holders)
    parents = {serial: parent for serial, parent in rows if serial in asked}
    return parents, sorted((serial, parent) for serial, parent in rows if parent in holding)


@cache
def _child_counts_query(postgres: bool) -> Select[int | None, int]:
    """Built once per dialect: children per parent of the bound ``parents``."""
    parents = (
        Unit.parent_serial == any_(bindparam("parents", type_=ARRAY(BigInteger)))
        if postgres
        else Unit.parent_serial.in_(bindparam("parents", expanding=True))
    )
    return select(Unit.parent_serial, func.count()).where(parents).group_by(Unit.parent_serial)


async def child_counts(session: AsyncSession, parents: Sequence[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    query = _child_counts_query(direct.on_postgres(session))
    for part in _parts(session, parents):
        rows = (await session.execute(query, {"parents": list(part)})).all()
        found.update((cast(int, parent), int(count)) for parent, count in rows)
    return found


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _upsert_units(insert: Any) -> Any:
    """ON CONFLICT for ``place_units``: a row given no parent is left as it is (but locked); a
    row given a parent takes it unless it sits in another one by now."""
    table = _table(Unit)
    given = insert.excluded.parent_serial
    keeps = or_(given.is_(None), table.c.parent_serial == given)  # nothing changes in this row
    return insert.on_conflict_do_update(
        index_elements=[table.c.tenant_id, table.c.serial],
        set_={
            "parent_serial": func.coalesce(given, table.c.parent_serial),
            "packed_at": case((keeps, table.c.packed_at), else_=insert.excluded.packed_at),
            "updated_at": case((keeps, table.c.updated_at), else_=insert.excluded.updated_at),
        },
        where=or_(keeps, table.c.parent_serial.is_(None)),
    ).returning(table.c.serial)


@cache
def _place_units_postgres() -> Select[Any]:
    """Built once (it costs more to build than to run): one upsert over ``unnest`` of three
    arrays, counting the rows written rather than fetching them (the usual answer is "all")."""
    table = _table(Unit)
    given = (
        func.unnest(
            bindparam("serials", type_=ARRAY(BigInteger)),
            bindparam("levels", type_=ARRAY(String)),
            bindparam("parents", type_=ARRAY(BigInteger)),
        )
        .table_valued("serial", "level", "parent_serial")
        .render_derived()
    )
    at = bindparam("now", type_=table.c.updated_at.type)
    packed = case((given.c.parent_serial.is_(None), literal(None, table.c.packed_at.type)), else_=at)
    columns = ["tenant_id", "serial", "level", "parent_serial", "packed_at", "updated_at"]
    rows = select(
        bindparam("tenant_id", type_=BigInteger), given.c.serial, given.c.level, given.c.parent_serial, packed, at
    )
    statement = _upsert_units(pg_insert(table).from_select(columns, rows))
    return select(func.count()).select_from(statement.cte("placed"))


async def _place_part(
    session: AsyncSession, tenant_id: int, part: Sequence[tuple[int, str, int | None]], now: dt.datetime
) -> int:
    """Upsert (serial, level, parent serial) rows, packed now when given a parent; how many rows
    were written. Core, so ``tenant_id`` is set here (the tenancy hook does not see bulk inserts)."""
    if direct.on_postgres(session):
        values = {
            "serials": [u[0] for u in part],
            "levels": [u[1] for u in part],
            "parents": [u[2] for u in part],
            "now": now,
            "tenant_id": tenant_id,
        }
        return int(await session.scalar(_place_units_postgres(), values) or 0)
    rows = [
        {"tenant_id": tenant_id, "serial": s, "level": level, "parent_serial": parent, "updated_at": now}
        | {"packed_at": now if parent is not None else None}
        for s, level, parent in part
    ]
    return len((await session.execute(_upsert_units(sqlite_insert(_table(Unit)).values(rows)))).all())


async def place_units(
    session: AsyncSession, tenant_id: int, units: Sequence[tuple[int, str, int | None]], now: dt.datetime
) -> list[int]:
    """Give each (serial, level, parent serial) a row, in one upsert per 2,000 rows, in serial
    order (so concurrent writers cannot deadlock):

    - parent None (a case or pallet being filled): a row if it has none; an existing row is
      left as it is but locked until the transaction ends, so two requests filling one parent
      queue instead of both finding it empty (PostgreSQL; SQLite has one writer anyway);
    - a parent: the unit goes into it unless it sits in another one by now (the update only
      applies to a row with no parent or the same one; the same one changes nothing).

    Returns the units that stayed in another parent (a concurrent request took them)."""
    lost: list[int] = []
    for part in _chunks(sorted(units), 2000):
        if await _place_part(session, tenant_id, part, now) != len(part):
            now_in = await unit_parents(session, [serial for serial, _, _ in part])
            lost.extend(s for s, _, parent in part if parent is not None and now_in.get(s) != parent)
    return lost


async def unlink_children(session: AsyncSession, parents: Sequence[int], now: dt.datetime) -> None:
    for part in _parts(session, parents):
        statement = update(Unit).where(_member(session, Unit.parent_serial, part))
        await session.execute(
            statement.values(parent_serial=None, updated_at=now).execution_options(synchronize_session=False)
        )


async def legacy_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, tuple[int, str]]:
    """printed string → (serial, face) for those of ``codes`` that are legacy codes."""
    found: dict[str, tuple[int, str]] = {}
    for part in _parts(session, codes):
        member = _member(session, LegacyCode.code, part, String)
        query = select(LegacyCode.code, LegacyCode.serial, LegacyCode.face).where(member)
        found.update((code, (serial, face)) for code, serial, face in (await session.execute(query)).all())
    return found


async def legacy_codes_of(session: AsyncSession, serials: Sequence[int]) -> dict[tuple[int, str], str]:
    """(serial, face) → printed legacy string, for legacy units among ``serials``."""
    found: dict[tuple[int, str], str] = {}
    for part in _parts(session, serials):
        query = select(LegacyCode.serial, LegacyCode.face, LegacyCode.code).where(
            _member(session, LegacyCode.serial, part)
        )
        found.update(((serial, face), code) for serial, face, code in (await session.execute(query)).all())
    return found


# legacy imports ------------------------------------------------------------------------------


async def get_legacy_import(session: AsyncSession, import_id: int, lock: bool = False) -> LegacyImport | None:
    query = select(LegacyImport).where(LegacyImport.id == import_id)
    if lock:  # PostgreSQL: a second worker on the same import waits, then sees it finished
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def has_legacy_codes(session: AsyncSession) -> bool:
    return (await session.scalars(select(LegacyCode.id).limit(1))).first() is not None


async def existing_legacy_codes(session: AsyncSession, codes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in _chunks(codes, 1000):
        found.update((await session.scalars(select(LegacyCode.code).where(LegacyCode.code.in_(part)))).all())
    return found


async def insert_legacy_codes(session: AsyncSession, tenant_id: int, rows: Sequence[tuple[str, int, str]]) -> None:
    """Bulk insert of (code, serial, face); Core, so ``tenant_id`` is set here."""
    values = [{"tenant_id": tenant_id, "code": c, "serial": s, "face": f} for c, s, f in rows]
    for part in _chunks(values):
        await session.execute(insert(_table(LegacyCode)), list(part))


def concurrent_writers(session: AsyncSession) -> bool:
    """Can another transaction write while this one holds writes? Not on SQLite (one writer)."""
    return session.bind is not None and session.bind.dialect.name != "sqlite"
