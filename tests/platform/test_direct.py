"""Prebuilt statements run on the driver (platform/db/direct.py): the same answers, defaults,
errors and tenant checks as through the session, inside the session's transaction. On SQLite
they run through the session; the suite's PostgreSQL run exercises the driver path."""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from typing import Any

import pytest
from sqlalchemy import bindparam, func, insert, literal_column, select, update
from sqlalchemy.exc import ArgumentError, IntegrityError, InvalidRequestError, StatementError

from tests.identity.factories import create_tenant, system
from yima.platform.db import direct
from yima.platform.db.session import Database
from yima.platform.db.tenancy import TenancyError, bind_tenant, prebuilt, tenant_param, tenant_params
from yima.platform.db.upsert import prebuilt_upsert, table_of
from yima.scans.models import ScanRecord

T0 = dt.datetime(2030, 1, 1, 8, 0, tzinfo=dt.UTC)
_SCANS = table_of(ScanRecord)
_INSERT = prebuilt(insert(_SCANS).returning(_SCANS.c.id, _SCANS.c.role, _SCANS.c.scanned_at))
_READ = prebuilt(
    select(_SCANS.c.serial, _SCANS.c.scanned_at, _SCANS.c.risk_reasons, _SCANS.c.outcome)
    .where(_SCANS.c.tenant_id == tenant_param(), _SCANS.c.serial >= bindparam("low"))
    .order_by(_SCANS.c.serial)
)
_SET_OUTCOME = prebuilt(
    update(_SCANS).where(_SCANS.c.tenant_id == tenant_param(), _SCANS.c.serial == bindparam("serial_"))
)
_BY_CLIENT_KEY = prebuilt_upsert(
    lambda insert_: insert_(_SCANS)
    .on_conflict_do_update(
        index_elements=["tenant_id", "person_id", "client_key"],
        set_={"serial": _SCANS.c.serial + bindparam("bump_", 0, required=True)},
    )
    .returning(_SCANS.c.serial)
)


def _row(tenant_id: int, serial: int, **values: Any) -> dict[str, Any]:
    base = {"tenant_id": tenant_id, "serial": serial, "level": "unit", "input_kind": "qr", "state": "active",
            "local_day": "2030-01-01", "local_hour": 16}  # fmt: skip
    return base | values


async def test_values_go_in_and_come_out_as_their_types_say(db: Database) -> None:
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        later = T0.astimezone(dt.timezone(dt.timedelta(hours=8)))  # the same instant, given in +08:00
        made = await direct.execute(s, _INSERT, _row(tenant, 1, scanned_at=later, risk_reasons=["ip_burst"]))
        scan_id, role, scanned_at = made.one()
        assert scan_id > 0 and role == "consumer"  # the column's default, computed as SQLAlchemy would
        assert scanned_at == T0 and scanned_at.utcoffset() == dt.timedelta(0)
        await direct.execute(s, _INSERT, _row(tenant, 2))  # a default made by a function: now
        rows = (await direct.execute(s, _READ, tenant_params(s, low=1))).all()
        assert tuple(rows[0]) == (1, T0, ["ip_burst"], "verified")
        assert rows[1][1] > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        assert rows[1][2] is None  # unset JSON is NULL, not 'null'
        assert (await direct.execute(s, _READ, tenant_params(s, low=9))).first() is None


async def test_many_rows_are_one_insert_each_returning_its_row(db: Database) -> None:
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        rows = [_row(tenant, n, scanned_at=T0, person_id=7, client_key=f"k{n}", bump_=100) for n in (1, 2, 3)]
        assert sorted((await direct.execute(s, _BY_CLIENT_KEY(s), rows)).scalars()) == [1, 2, 3]
        again = [rows[0], _row(tenant, 4, scanned_at=T0, person_id=7, client_key="k4", bump_=100)]
        assert sorted((await direct.execute(s, _BY_CLIENT_KEY(s), again)).scalars()) == [4, 101]


async def test_an_update_says_how_many_rows_it_changed_and_many_sets_run_together(db: Database) -> None:
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        for serial in (5, 5, 6):
            await direct.execute(s, _INSERT, _row(tenant, serial, scanned_at=T0))
        changed = await direct.execute(s, _SET_OUTCOME, tenant_params(s, serial_=5, outcome="rejected"))
        assert changed.rowcount == 2
        sets = [tenant_params(s, serial_=5, outcome="held"), tenant_params(s, serial_=6, outcome="awarded")]
        await direct.execute(s, _SET_OUTCOME, sets)
        outcomes = [tuple(r)[::3] for r in (await direct.execute(s, _READ, tenant_params(s, low=0))).all()]
        assert outcomes == [(5, "held"), (5, "held"), (6, "awarded")]


async def test_another_brands_tenant_is_refused_before_anything_runs(db: Database) -> None:
    slug, other = await create_tenant(db), await create_tenant(db)
    async with system(db, other) as ctx:
        theirs = ctx.tenant_id
    async with system(db, slug) as ctx:
        s = ctx.session
        with pytest.raises(TenancyError):
            await direct.execute(s, _INSERT, _row(theirs, 1, scanned_at=T0))
        with pytest.raises(TenancyError):
            await direct.execute(s, _READ, {"bound_tenant": theirs, "low": 0})
        with pytest.raises(TenancyError):  # one row of many
            await direct.execute(s, _BY_CLIENT_KEY(s), [_row(ctx.tenant_id, 1), _row(theirs, 2)])
    async with system(db, other) as ctx:
        assert await ctx.session.scalar(select(func.count()).select_from(ScanRecord)) == 0


async def test_a_savepoint_undoes_its_statements_and_a_constraint_breach_is_an_integrity_error(db: Database) -> None:
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        await direct.execute(s, _INSERT, _row(tenant, 1, scanned_at=T0))
        with pytest.raises(IntegrityError):
            async with s.begin_nested():
                await direct.execute(s, _INSERT, _row(tenant, 2, scanned_at=T0, level=None))
        assert [r[0] for r in (await direct.execute(s, _READ, tenant_params(s, low=0))).all()] == [1]
        nested = await s.begin_nested()  # a savepoint's own statements go with it
        await direct.execute(s, _INSERT, _row(tenant, 3, scanned_at=T0))
        await nested.rollback()
        await direct.execute(s, _INSERT, _row(tenant, 4, scanned_at=T0))
        assert [r[0] for r in (await direct.execute(s, _READ, tenant_params(s, low=0))).all()] == [1, 4]


async def test_the_transactions_first_statement_begins_it_on_the_driver(engine_db: Database) -> None:
    if engine_db.backend != "postgresql":
        pytest.skip("the driver path is PostgreSQL's")
    heard: list[str] = []
    direct.listen(lambda statement, sql: heard.append(sql))
    try:
        for together in (False, True):
            async with engine_db.session() as s:  # not joined to a test transaction: asyncpg's BEGIN is lazy
                bind_tenant(s.sync_session, 1)
                driver = (await (await s.connection()).get_raw_connection()).driver_connection
                assert driver is not None and not driver.is_in_transaction()
                if together:
                    await direct.execute_together(s, [(_READ, tenant_params(s, low=0))] * 2)
                else:
                    await direct.execute(s, _READ, tenant_params(s, low=0))
                assert driver.is_in_transaction()
                await direct.execute(s, _READ, tenant_params(s, low=1))
                await s.rollback()  # SQLAlchemy ends the transaction the driver began
                assert not driver.is_in_transaction()
                await direct.execute(s, _READ, tenant_params(s, low=2))  # and the next one begins
                driver = (await (await s.connection()).get_raw_connection()).driver_connection  # perhaps another
                assert driver is not None and driver.is_in_transaction()
                await s.commit()
                assert not driver.is_in_transaction()
    finally:
        direct._listeners.clear()
    assert [sql.split()[0] for sql in heard] == ["SELECT"] * 3 + ["WITH"] + ["SELECT"] * 2


async def test_a_sessions_objects_are_freed_when_it_closes_not_left_to_the_cycle_collector(engine_db: Database) -> None:
    # What direct keeps on the session must not make a cycle with it: each request's session,
    # transactions and connection would wait for the collector, whose pauses stop a server
    # process with its transactions' locks held.
    async def a_request() -> weakref.ref[Any]:
        async with engine_db.session() as s:
            bind_tenant(s.sync_session, 1)
            await direct.execute(s, _READ, tenant_params(s, low=0))
            async with direct.savepoint(s):
                await direct.execute(s, _READ, tenant_params(s, low=1))
            await direct.execute(s, _READ, tenant_params(s, low=2))
            await s.commit()
            return weakref.ref(s.sync_session)

    await a_request()  # the pool's connection made, its statements prepared
    gc.collect()
    gc.disable()
    try:
        session = await a_request()
        assert session() is None  # freed by reference counting alone
        assert gc.collect() == 0
    finally:
        gc.enable()


async def test_pending_orm_changes_are_flushed_before_a_statement(db: Database) -> None:
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        s.add(ScanRecord(**_row(tenant, 3, scanned_at=T0)))
        assert [r[0] for r in (await direct.execute(s, _READ, tenant_params(s, low=0))).all()] == [3]


async def test_a_statement_missing_a_parameter_is_refused(db: Database) -> None:
    if db.backend != "postgresql":
        pytest.skip("SQLite runs it through the session, which binds NULL")
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        with pytest.raises(ArgumentError, match="'low'"):
            await direct.execute(ctx.session, _READ, tenant_params(ctx.session))


async def test_a_driver_savepoint_undoes_its_block_when_it_fails_and_keeps_it_when_not(db: Database) -> None:
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        with pytest.raises(LookupError):
            async with direct.savepoint(s):
                await direct.execute(s, _INSERT, _row(tenant, 1, scanned_at=T0))
                raise LookupError("refused")
        async with direct.savepoint(s):
            await direct.execute(s, _INSERT, _row(tenant, 2, scanned_at=T0))
            with pytest.raises(IntegrityError):  # nested, and the failed statement undone with it
                async with direct.savepoint(s):
                    await direct.execute(s, _INSERT, _row(tenant, 3, scanned_at=T0))
                    await direct.execute(s, _INSERT, _row(tenant, 4, scanned_at=T0, level=None))
        assert [r[0] for r in (await direct.execute(s, _READ, tenant_params(s, low=0))).all()] == [2]


async def test_a_driver_savepoint_refuses_to_roll_back_orm_changes_it_flushed(db: Database) -> None:
    if db.backend != "postgresql":
        pytest.skip("elsewhere it is the ORM's own savepoint, which rolls them back")
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        with pytest.raises(InvalidRequestError, match="flushed in a driver savepoint") as raised:
            async with direct.savepoint(s):
                await direct.execute(s, _INSERT, _row(tenant, 1, scanned_at=T0))  # inside the transaction
                s.add(ScanRecord(**_row(tenant, 5, scanned_at=T0)))
                await s.flush()
                raise LookupError("refused")
        assert isinstance(raised.value.__cause__, LookupError)


async def test_independent_statements_run_together_in_one_statement_with_their_own_answers(db: Database) -> None:
    slug, other = await create_tenant(db), await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        await direct.execute(s, _INSERT, _row(tenant, 10, risk_reasons=["ip_burst"]))
        await direct.execute(s, _INSERT, _row(tenant, 11))
        ran: list[str] = []
        direct.listen(listener := lambda statement, sql: ran.append(sql))
        try:
            read, made, empty = await direct.execute_together(s, [
                (_READ, tenant_params(s, low=10)),
                (_INSERT, _row(tenant, 12, scanned_at=T0)),
                (_READ, tenant_params(s, low=99)),
            ])  # fmt: skip
        finally:
            direct.remove(listener)
        # one snapshot: the read does not see the row inserted beside it
        assert [tuple(r)[0::2] for r in read.all()] == [(10, ["ip_burst"]), (11, None)]
        assert read.all()[0][1].utcoffset() == dt.timedelta(0)  # typed as when run alone
        scan_id, role, scanned_at = made.one()
        assert scan_id > 0 and role == "consumer" and scanned_at == T0  # a Python-side default computed
        assert empty.all() == [] and empty.rowcount == 0
        if db.engine.dialect.name == "postgresql":
            assert len(ran) == 1 and ran[0].startswith("WITH q0 AS (")
        assert [r[0] for r in (await direct.execute(s, _READ, tenant_params(s, low=10))).all()] == [10, 11, 12]
    async with system(db, other) as theirs:
        with pytest.raises(TenancyError):
            await direct.execute_together(theirs.session, [(_READ, tenant_params(theirs.session, low=0)),
                                                           (_INSERT, _row(tenant, 13))])  # fmt: skip


async def test_an_insert_of_many_rows_runs_together_with_others(db: Database) -> None:
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        await direct.execute(s, _INSERT, _row(tenant, 20, scanned_at=T0))
        rows = [_row(tenant, 21, scanned_at=T0, role="consumer"), _row(tenant, 22, scanned_at=T0, role="store")]
        read, made = await direct.execute_together(s, [(_READ, tenant_params(s, low=20)), (_INSERT, rows)])
        assert [r[0] for r in read.all()] == [20]
        assert [r[1] for r in made.all()] == ["consumer", "store"] and made.rowcount == 2
        with pytest.raises(ArgumentError):  # many sets of an UPDATE are an executemany: not together
            await direct.execute_together(s, [
                (_SET_OUTCOME, [tenant_params(s, serial_=20, outcome="held")] * 2), (_READ, tenant_params(s, low=0))
            ])  # fmt: skip
        with pytest.raises((ArgumentError, StatementError)):  # compiled for the first row's columns: each gives them
            await direct.execute(s, _INSERT, [_row(tenant, 23, scanned_at=T0), _row(tenant, 24, role="store")])
        assert [r[0] for r in (await direct.execute(s, _READ, tenant_params(s, low=20))).all()] == [20, 21, 22]


_CHANGED = (
    update(_SCANS)
    .where(_SCANS.c.tenant_id == tenant_param(), _SCANS.c.serial == bindparam("serial_"))
    .values(outcome=bindparam("outcome_"))
    .returning(_SCANS.c.serial, _SCANS.c.outcome)
    .cte("changed")
)
_CHANGE_IN_WITH = prebuilt(select(_CHANGED.c.serial, _CHANGED.c.outcome))


async def test_a_statement_with_a_writing_with_of_its_own_runs_together_its_with_at_the_top(db: Database) -> None:
    """PostgreSQL runs a data-modifying WITH at the top of a statement only: a part's own WITH
    list goes there, before the parts; two parts naming the same CTE are refused."""
    if db.backend != "postgresql":
        pytest.skip("SQLite has no data-modifying WITH")
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        await direct.execute(s, _INSERT, _row(tenant, 30, scanned_at=T0))
        ran: list[str] = []
        direct.listen(listener := lambda statement, sql: ran.append(sql))
        try:
            read, changed = await direct.execute_together(s, [
                (_READ, tenant_params(s, low=30)), (_CHANGE_IN_WITH, tenant_params(s, serial_=30, outcome_="held")),
            ])  # fmt: skip
        finally:
            direct.remove(listener)
        assert len(ran) == 1 and ran[0].startswith("WITH changed AS (UPDATE scan_records")
        assert [tuple(r)[0::3] for r in read.all()] == [(30, "verified")]  # one snapshot
        assert [tuple(r) for r in changed.all()] == [(30, "held")]
        assert [r[3] for r in (await direct.execute(s, _READ, tenant_params(s, low=30))).all()] == ["held"]
        with pytest.raises(ArgumentError, match="the same CTE"):
            await direct.execute_together(s, [
                (_CHANGE_IN_WITH, tenant_params(s, serial_=30, outcome_="a")),
                (_CHANGE_IN_WITH, tenant_params(s, serial_=30, outcome_="b")),
            ])  # fmt: skip


def _read_with(literal: str) -> Any:
    return prebuilt(
        select(literal_column(literal).label("said"), _SCANS.c.serial)
        .where(_SCANS.c.tenant_id == tenant_param(), _SCANS.c.serial >= bindparam("low"))
    )


_SAYS_PLAIN, _SAYS_PARAMETER = _read_with("'plain (text)'"), _read_with("'costs $1'")


async def test_a_literal_is_kept_as_it_is_when_statements_run_together(db: Database) -> None:
    """Run together, the parts' parameters are renumbered: a literal before a parameter is
    left alone, and one that reads like a parameter is refused rather than changed."""
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        await direct.execute(s, _INSERT, _row(tenant, 40, scanned_at=T0))
        read, said = await direct.execute_together(s, [(_READ, tenant_params(s, low=40)),
                                                       (_SAYS_PLAIN, tenant_params(s, low=40))])  # fmt: skip
        assert [r[0] for r in read.all()] == [40] and [tuple(r) for r in said.all()] == [("plain (text)", 40)]
        if db.backend == "postgresql":
            with pytest.raises(ArgumentError, match="in a literal"):
                await direct.execute_together(s, [(_READ, tenant_params(s, low=40)),
                                                  (_SAYS_PARAMETER, tenant_params(s, low=40))])  # fmt: skip
