"""Prebuilt statements (tenancy.py) run on PostgreSQL's driver connection.

SQLAlchemy spends about 130 µs of CPU on every statement it executes through a session, even
one built once and found in its cache: the execution context, the parameters' processing, the
result's metadata. asyncpg alone spends about 60. A scan runs some twenty statements, so its
hot ones go straight to the driver (``execute``):

- Each statement is compiled once for the dialect, an INSERT once per set of columns given.
- Its parameters are put in order and converted by the column types' own bind processors; the
  Python-side defaults of columns left out are computed, as SQLAlchemy would.
- Its rows are converted by the types' result processors.

On SQLite (the embedded demo) the statements run through the session as before. Either way the
tenant each parameter set names is checked first, as the tenancy hook checks it, and pending
ORM changes are flushed first, as autoflush would. The driver runs a statement only inside the
transaction of SQLAlchemy's connection; before a transaction's first statement, its BEGIN is sent
as SQLAlchemy's asyncpg adapter would send it (``_begun``). Errors are raised as SQLAlchemy's (``IntegrityError``
for a constraint, ``OperationalError`` for a deadlock, a serialization failure or a lost
connection), so callers catch one kind whichever way a statement ran.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar, cast

import asyncpg
from sqlalchemy import BigInteger, ColumnElement, any_, bindparam, event, exc
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, CursorResult, Dialect, Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from yima.platform.db.composing import composed
from yima.platform.db.tenancy import bound_tenant, check_tenants

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]]
Processor = Callable[[Any], Any]
_COUNT = re.compile(r"(?:UPDATE|DELETE|INSERT \d+|SELECT) (\d+)$")
_OPERATIONAL = ("08", "40", "53", "57")  # SQLSTATE classes: connection, rollback, resources, operator


class Rows:
    """What a statement returned: its rows (tuples) and how many rows it returned or, without
    RETURNING, changed (``rowcount``; -1 when many parameter sets were run)."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: Sequence[Sequence[Any]], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def all(self) -> Sequence[Sequence[Any]]:
        return self._rows

    def first(self) -> Sequence[Any] | None:
        return self._rows[0] if self._rows else None

    def one(self) -> Sequence[Any]:
        if len(self._rows) != 1:
            raise exc.NoResultFound("no row") if not self._rows else exc.MultipleResultsFound("rows")
        return self._rows[0]

    def one_or_none(self) -> Sequence[Any] | None:
        return self.one() if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return row[0] if row is not None else None

    def scalars(self) -> list[Any]:
        return [row[0] for row in self._rows]


@dataclass(frozen=True)
class _Plan:
    """A statement compiled for asyncpg: its SQL, and how its parameters and rows are converted."""

    statement: Executable  # held so that the id keying the plan cache is never reused
    sql: str
    binds: tuple[tuple[str, Processor | None], ...]  # positional order
    fixed: Mapping[str, Any]  # values the statement carries itself (literals, LIMIT)
    defaults: Mapping[str, Callable[[], Any]]  # Python-side column defaults of columns left out
    results: tuple[tuple[int, Processor], ...]
    returns_rows: bool

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        args = []
        for name, process in self.binds:
            if name in params:
                value = params[name]
            elif name in self.fixed:
                value = self.fixed[name]
            elif name in self.defaults:
                value = self.defaults[name]()
            else:
                raise exc.ArgumentError(f"a direct statement was run without its parameter {name!r}: {self.sql}")
            args.append(process(value) if process is not None and value is not None else value)
        return args

    def rows(self, records: list[Any]) -> Sequence[Sequence[Any]]:
        if not self.results:
            return records
        converted = []
        for record in records:
            row = list(record)
            for index, process in self.results:
                row[index] = process(row[index])
            converted.append(tuple(row))
        return converted


def _column_default(default: Any) -> Callable[[], Any]:
    if default.is_callable:
        return lambda: default.arg(None)  # SQLAlchemy wraps a default function to take a context
    if default.is_scalar:
        return lambda: default.arg
    raise exc.ArgumentError(f"a direct statement cannot compute the default {default!r}")


async def _plan(statement: Executable, driver: Any, dialect: Dialect, keys: Sequence[str]) -> _Plan:
    compiled = cast(ClauseElement, statement).compile(dialect=dialect, column_keys=list(keys))
    assert isinstance(compiled, SQLCompiler)
    if "POSTCOMPILE" in compiled.string:
        raise exc.ArgumentError("a direct statement cannot expand parameters (IN lists): bind an array instead")
    binds = tuple(
        (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in compiled.positiontup or ()
    )
    defaults = {column.key: _column_default(column.default) for column in compiled.insert_prefetch}
    defaults |= {column.key: _column_default(column.onupdate) for column in compiled.update_prefetch}
    fixed = {
        name: bind.effective_value
        for name, bind in compiled.binds.items()
        if not bind.required and name not in defaults
    }
    columns = list(getattr(statement, "exported_columns", ()))
    # A type's result processor depends on the database type returned (asyncpg: its oid), which
    # preparing the statement tells.
    returned = (await driver.prepare(compiled.string)).get_attributes() if columns else ()
    results = tuple(
        (index, process)
        for index, (column, attribute) in enumerate(zip(columns, returned, strict=True))
        if (process := column.type.dialect_impl(dialect).result_processor(dialect, attribute.type.oid)) is not None
    )
    return _Plan(statement, compiled.string, binds, fixed, defaults, results, bool(columns))


def on_postgres(session: AsyncSession) -> bool:
    """Does ``session`` run on PostgreSQL (where a repository may send one statement for several)?"""
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def one_of(postgres: bool, column: Any, name: str) -> ColumnElement[bool]:
    """``column`` is one of the integers bound as ``name``: an array on PostgreSQL (the driver
    runs no expanding IN list, and one plan serves any number of them), an IN list elsewhere."""
    if postgres:
        return cast(ColumnElement[bool], column == any_(bindparam(name, type_=ARRAY(BigInteger))))
    return cast(ColumnElement[bool], column.in_(bindparam(name, expanding=True)))


Listener = Callable[[Executable, str], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Tell ``listener`` of every statement run on the driver (the statement as given, its SQL):
    SQLAlchemy's engine events do not see them."""
    _listeners.append(listener)


def remove(listener: Listener) -> None:
    _listeners.remove(listener)


_plans: dict[tuple[int, tuple[str, ...], int], _Plan] = {}


def _rows_in_values(statement: Any, columns: Sequence[str], count: int) -> Executable:
    """The INSERT with ``count`` rows in its VALUES, row i's column c bound as ``c__i``."""
    table = statement.table
    return cast(
        Executable,
        statement.values(
            [{c: bindparam(f"{c}__{i}", type_=table.c[c].type) for c in columns} for i in range(count)]
        ),
    )


async def _plan_of(statement: Executable, driver: Any, dialect: Dialect, sets: Sequence[Mapping[str, Any]]) -> _Plan:
    # DML is compiled per set of keys given, as SQLAlchemy compiles it (an INSERT's columns);
    # an INSERT of many rows once per number of rows too.
    keys = tuple(sets[0]) if getattr(statement, "is_dml", False) else ()
    count = len(sets) if getattr(statement, "is_insert", False) else 1
    plan = _plans.get((id(statement), keys, count))
    if plan is None:
        compiled = statement
        if count > 1:
            compiled = _rows_in_values(statement, [k for k in keys if k in statement.table.c], count)  # type: ignore[attr-defined]
        plan = await _plan(compiled, driver, dialect, keys if count == 1 else ())
        plan = _plans[(id(statement), keys, count)] = replace(plan, statement=statement)
    return plan


def _rows_as_parameters(sets: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Many rows' parameters for their INSERT with the rows in VALUES: a parameter outside them
    (ON CONFLICT's) is the first row's, as SQLAlchemy runs such an INSERT as one statement."""
    flat = dict(sets[0])
    if any(row.keys() != flat.keys() for row in sets):  # the statement was compiled for the first row's columns
        raise exc.ArgumentError("the rows of an INSERT of many rows each give the same columns")
    for i, row in enumerate(sets):
        flat.update((f"{key}__{i}", value) for key, value in row.items())
    return flat


def _sets(params: Params) -> Sequence[Mapping[str, Any]]:
    return [params] if isinstance(params, Mapping) else params


def _arguments(plan: _Plan, sets: Sequence[Mapping[str, Any]]) -> list[Any]:
    """One statement's arguments: an INSERT's many rows are in its VALUES."""
    return plan.arguments(_rows_as_parameters(sets) if len(sets) > 1 else sets[0])


def _translated(error: Exception, sql: str, params: Any) -> exc.DBAPIError:
    state = str(getattr(error, "sqlstate", "") or "")
    # As the engine's own (``hide_parameters``): the text of the error leaves the values out.
    if state.startswith("23"):
        return exc.IntegrityError(sql, params, error, hide_parameters=True)
    if state[:2] in _OPERATIONAL or not isinstance(error, asyncpg.PostgresError):
        return exc.OperationalError(sql, params, error, hide_parameters=True)
    return exc.DBAPIError(sql, params, error, hide_parameters=True)


def _rows_of(result: Result[Any]) -> Rows:
    if isinstance(result, CursorResult) and not result.returns_rows:  # an ORM select's is another kind
        return Rows([], result.rowcount)
    rows = [tuple(row) for row in result]
    return Rows(rows, len(rows))


# session.info: (the transaction, its connection, the savepoints sent on it), the transactions held
# weakly: they hold the session, and a cycle through its info would leave every request's session,
# transactions and connection to the cycle collector (some 40 objects a request; its pauses, each
# a worker stopped with its transactions' locks held, were bench/scan.py's slowest scans)
_CONNECTION = "direct_connection"


async def _driver_of(session: AsyncSession) -> tuple[Any, Dialect] | None:
    """The asyncpg connection of the session's transaction and its dialect; None on another
    backend; (None, dialect) before the transaction has begun on it (asyncpg's adapter sends
    BEGIN with the first statement). Asking the session for its connection costs as much as a
    fetch on the driver, so it is asked once per transaction, and once per savepoint: the
    session sends a savepoint's SAVEPOINT only when asked (``begin_nested`` is lazy)."""
    sync = session.sync_session
    root = sync.get_transaction()
    innermost = sync.get_nested_transaction() or root
    known = sync.info.get(_CONNECTION)
    if known is None or known[0]() is not root or innermost not in known[2] or not _usable(known[1]):
        connection = (await session.connection()).sync_connection
        if connection is None:
            return None
        root = sync.get_transaction()
        assert root is not None  # the session began one to give the connection
        innermost = sync.get_nested_transaction() or root
        if known is None or known[0]() is not root or known[1] is not connection:
            known = sync.info[_CONNECTION] = (weakref.ref(root), connection, weakref.WeakSet[SessionTransaction]())
        known[2].add(innermost)
    connection = known[1]
    if connection.dialect.name != "postgresql":
        return None
    driver = connection.connection.driver_connection
    return (driver if driver is not None and driver.is_in_transaction() else None), connection.dialect


async def _begun(session: AsyncSession) -> Any | None:
    """Begin the session's transaction on the driver now, and return the driver connection.
    SQLAlchemy's asyncpg adapter sends BEGIN only with the first statement it runs; this sends
    it alone, as the adapter does (so the adapter commits and rolls it back as its own), which
    lets the first statement run on the driver too, or together with others. None where the
    adapter begins no transaction (autocommit): the statement then goes through SQLAlchemy."""
    connection = (await session.connection()).sync_connection
    if connection is None:
        return None
    adapter = connection.connection.dbapi_connection
    start = getattr(adapter, "_start_transaction", None)
    if start is None or getattr(adapter, "_transaction", None) is not None:
        return None
    async with adapter._execute_mutex:  # type: ignore[union-attr]
        await start()
    driver = adapter.driver_connection  # type: ignore[union-attr]
    return driver if driver.is_in_transaction() else None


def _usable(connection: Connection) -> bool:
    return not (connection.invalidated or connection.closed)


async def execute(session: AsyncSession, statement: Executable, params: Params) -> Rows:
    """Run a prebuilt statement (``params`` each naming the session's tenant, tenancy.py) in the
    session's transaction. An INSERT's many rows run as one statement, the rows in its VALUES
    (RETURNING a row each); an UPDATE's or DELETE's many parameter sets as one executemany."""
    sets = _sets(params)
    check_tenants(bound_tenant(session.sync_session), sets)
    sync = session.sync_session
    if sync.autoflush and not sync._is_clean():  # what autoflush checks (.dirty would scan every object)
        await session.flush()
    found = await _driver_of(session)
    if found is None:  # SQLite: through the session, whose hooks check it again
        return _rows_of(await session.execute(statement, params))
    driver, dialect = found
    if driver is None and (driver := await _begun(session)) is None:  # autocommit: no transaction to run in
        return _rows_of(await (await session.connection()).execute(statement, params))
    plan: _Plan | None = None
    try:
        plan = await _plan_of(statement, driver, dialect, sets)
        for listener in _listeners:
            listener(statement, plan.sql)
        if len(sets) > 1 and not getattr(statement, "is_insert", False):
            if plan.returns_rows:
                raise exc.ArgumentError("an UPDATE or DELETE with RETURNING runs with one parameter set at a time")
            await driver.executemany(plan.sql, [plan.arguments(p) for p in sets])
            return Rows([], -1)
        arguments = _arguments(plan, sets)
        if plan.returns_rows:
            rows = plan.rows(await driver.fetch(plan.sql, *arguments))
            return Rows(rows, len(rows))
        status = await driver.execute(plan.sql, *arguments)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
        raise _translated(error, plan.sql if plan else str(statement), params) from error
    counted = _COUNT.search(status or "")
    return Rows([], int(counted.group(1)) if counted else -1)


_together: dict[tuple[int, ...], str] = {}  # composed SQL by the ids of its parts' plans


def _composed(plans: Sequence[_Plan]) -> str:
    key = tuple(id(plan) for plan in plans)
    sql = _together.get(key)
    if sql is None:
        try:
            sql = _together[key] = composed([(plan.sql, len(plan.binds)) for plan in plans])
        except ValueError as error:
            raise exc.ArgumentError(str(error)) from error
    return sql


async def execute_together(session: AsyncSession, parts: Sequence[tuple[Executable, Params]]) -> list[Rows]:
    """Run statements that do not depend on one another (each returning rows) in one round trip
    on PostgreSQL: one statement of CTEs on one snapshot, so none sees another's writes (a
    part's own WITH list goes to the top: its CTEs' names must differ from the other parts').
    A part's many parameter sets are an INSERT's rows. Elsewhere, one after the other."""
    if len(parts) < 2:
        return [await execute(session, statement, params) for statement, params in parts]
    sets_of = [_sets(params) for _, params in parts]
    for (statement, _), sets in zip(parts, sets_of, strict=True):
        check_tenants(bound_tenant(session.sync_session), sets)
        if len(sets) > 1 and not getattr(statement, "is_insert", False):
            raise exc.ArgumentError("a statement run together has one parameter set, or is an INSERT of many rows")
    sync = session.sync_session
    if sync.autoflush and not sync._is_clean():
        await session.flush()
    found = await _driver_of(session)
    driver = None if found is None else found[0] or await _begun(session)
    if found is None or driver is None:  # elsewhere than PostgreSQL, or no transaction to run in
        return [await execute(session, statement, params) for statement, params in parts]
    dialect = found[1]
    sql = "?"
    try:
        statements = [statement for statement, _ in parts]
        plans = [await _plan_of(st, driver, dialect, sets) for st, sets in zip(statements, sets_of, strict=True)]
        if not all(plan.returns_rows for plan in plans):
            raise exc.ArgumentError("statements run together each return rows (an INSERT: RETURNING)")
        sql = _composed(plans)
        for listener in _listeners:
            listener(parts[0][0], sql)
        arguments = [a for plan, sets in zip(plans, sets_of, strict=True) for a in _arguments(plan, sets)]
        row = await driver.fetchrow(sql, *arguments)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
        raise _translated(error, sql, [params for _, params in parts]) from error
    results = []
    for plan, records in zip(plans, row, strict=True):
        rows = plan.rows(list(records or ()))
        results.append(Rows(rows, len(rows)))
    return results


T = TypeVar("T")


@dataclass(frozen=True)
class Deferred(Generic[T]):
    """A repository's statement not yet run and what its service makes of the rows: how a use
    case gathers statements of several contexts that do not depend on one another and sends them
    in one round trip (``run_together``). Each context still writes its own statements."""

    statement: Executable
    params: Params
    then: Callable[[Rows], Awaitable[T]]


async def run_together(session: AsyncSession, deferred: Sequence[Deferred[Any]]) -> list[Any]:
    """Run the statements together (``execute_together``), then each one's ``then`` in the order
    given: a later one sees what an earlier one wrote."""
    rows = await execute_together(session, [(d.statement, d.params) for d in deferred])
    return [await d.then(found) for d, found in zip(deferred, rows, strict=True)]


async def execute_with(
    session: AsyncSession, statement: Executable, params: Params, others: Sequence[Deferred[Any]], *,
    ahead: bool = False,
) -> tuple[Rows, list[Rows]]:  # fmt: skip
    """A repository's statement with another context's (``others``, after it; ``ahead``: before
    it) in one round trip on PostgreSQL (``execute_together``): its rows, and theirs. Their
    follow-ups are left to the caller (``follow``), whose own rows say whether they should run."""
    mine, theirs = (statement, params), [(d.statement, d.params) for d in others]
    found = await execute_together(session, [*theirs, mine] if ahead else [mine, *theirs])
    return (found[-1], found[:-1]) if ahead else (found[0], found[1:])


async def follow(others: Sequence[Deferred[Any]], rows: Sequence[Rows]) -> None:
    """Run the follow-ups of the statements ``execute_with`` sent with its own, in order."""
    for deferred, found in zip(others, rows, strict=True):
        await deferred.then(found)


_FLUSHES = "direct_flushes"  # session.info: how many times the session has flushed
_savepoint_names = itertools.count(1)


@event.listens_for(Session, "after_flush")
def _count_flush(session: Session, flush_context: Any) -> None:
    session.info[_FLUSHES] = session.info.get(_FLUSHES, 0) + 1


@asynccontextmanager
async def savepoint(session: AsyncSession) -> AsyncIterator[None]:
    """A savepoint for a block that writes through ``execute`` only, sent on the driver: the
    ORM's ``begin_nested`` costs about five times more CPU. An exception undoes the block's
    statements and propagates; otherwise the savepoint is left for COMMIT to end. The ORM does
    not know of it, so a block that flushed ORM changes and then failed raises
    InvalidRequestError (the session would keep rows the database undid): such a block takes
    ``session.begin_nested()``. Elsewhere than PostgreSQL, or before the transaction has begun,
    it is ``begin_nested()``."""
    found = await _driver_of(session)
    if found is None or found[0] is None:
        async with session.begin_nested():
            yield
        return
    driver, name = found[0], f"direct_{next(_savepoint_names)}"
    flushes = session.sync_session.info.get(_FLUSHES, 0)
    await driver.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException as failure:
        try:
            await driver.execute(f"ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}")
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            raise _translated(error, f"ROLLBACK TO SAVEPOINT {name}", None) from failure
        if session.sync_session.info.get(_FLUSHES, 0) != flushes:
            message = "ORM changes were flushed in a driver savepoint that rolled back"
            raise exc.InvalidRequestError(message) from failure
        raise
    # Kept, not released: COMMIT ends it, and a RELEASE would be one more round trip while the
    # block's row locks are held (the draw's budget slices, which every scan wants).
