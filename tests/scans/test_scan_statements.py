"""The statements every consumer scan runs on ``scan_records``, built once (repository;
platform/db/tenancy.py, ``prebuilt``): what each finds and writes, in its session's brand only,
and that each call runs the same statement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.harness import is_prebuilt, orm_statements, statements
from tests.identity.factories import create_tenant, system
from yima.platform.db.session import Database
from yima.platform.db.tenancy import TenancyError
from yima.scans import repository as repo
from yima.scans.models import ScanRecord
from yima.scans.repository.records import RECENT_POINTS
from yima.scans.rules import ScanPoint

T0 = dt.datetime(2030, 1, 1, 8, 0, tzinfo=dt.UTC)


def _record(tenant_id: int, serial: int, **values: Any) -> ScanRecord:
    values = {"level": "unit", "input_kind": "qr", "state": "active", "scanned_at": T0, "person_id": 1} | values
    return ScanRecord(tenant_id=tenant_id, serial=serial, **values)


async def _insert_all(db: Database, slug: str, *records: dict[str, Any]) -> list[int]:
    async with system(db, slug) as ctx:
        made = [_record(ctx.tenant_id, **r) for r in records]
        for record in made:
            assert await repo.insert(ctx.session, record)
        await ctx.session.flush()
        return [r.id for r in made]


async def test_a_scan_is_inserted_once_per_client_key_and_its_outcome_saved_by_one_update(db: Database) -> None:
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        record = _record(tenant, 10, client_key="k1", lat=31.2, lon=121.5, region_code="310101")
        assert await repo.insert(s, record)
        assert record.id is not None and record not in s  # written by save_outcome, never flushed
        assert (record.role, record.outcome, record.risk_reasons) == ("consumer", "verified", None)
        record.outcome, record.risk_decision, record.risk_reasons = "awarded", "pay", ["ip_burst"]
        with orm_statements() as given:
            await repo.save_outcome(s, record)
        assert len(given) == 1 and is_prebuilt(given[0])
        bare = _record(tenant, 11)  # other columns given: the same statement
        assert await repo.insert(s, bare)
        again = _record(tenant, 10, client_key="k1")
        assert not await repo.insert(s, again)
        assert again.id is None
        assert await repo.insert(s, _record(tenant, 10, client_key="k1", person_id=2))  # another person's key
        columns = (ScanRecord.serial, ScanRecord.outcome, ScanRecord.risk_decision, ScanRecord.risk_reasons)
        rows = (await s.execute(select(*columns).order_by(ScanRecord.id))).all()
        assert rows == [
            (10, "awarded", "pay", ["ip_burst"]), (11, "verified", None, None), (10, "verified", None, None)
        ]  # fmt: skip
        # unset JSON is SQL NULL, not JSON 'null'
        assert await s.scalar(select(func.count()).where(ScanRecord.risk_reasons.is_(None))) == 2


async def test_a_codes_scans_are_counted_in_its_brand_only(db: Database) -> None:
    slug, other = await create_tenant(db), await create_tenant(db)
    at = [T0 + dt.timedelta(minutes=i) for i in range(4)]
    await _insert_all(
        db, slug,
        {"serial": 100, "scanned_at": at[0]},
        {"serial": 100, "scanned_at": at[1]},
        {"serial": 100, "scanned_at": at[2], "lat": 31.2, "lon": 121.5},
        {"serial": 101, "scanned_at": at[3], "lat": 31.2, "lon": 121.5},
    )  # fmt: skip
    await _insert_all(db, other, {"serial": 100, "lat": 1.0, "lon": 2.0}, {"serial": 100})
    async with system(db, slug) as ctx:
        found = await repo.scans_of_code(ctx.session, 100)
        assert found.count == 3 and found.first == ScanPoint(at[0], None, None, None)
        assert found.located == [ScanPoint(at[2], 31.2, 121.5, None)]
        assert (await repo.scans_of_code(ctx.session, 102)) == repo.CodeScans(0, None, [])


async def test_neighbouring_codes_scanned_lately_by_the_person_or_network_are_counted(db: Database) -> None:
    slug, other = await create_tenant(db), await create_tenant(db)
    since = T0 - dt.timedelta(hours=1)
    await _insert_all(
        db, slug,
        {"serial": 500, "person_id": 1},  # the scan itself
        {"serial": 498, "person_id": 1},
        {"serial": 498, "person_id": 1},  # the same code again: counted once
        {"serial": 503, "person_id": 2, "net_hash": "net-a"},  # the same network
        {"serial": 501, "person_id": 3, "net_hash": "net-b"},  # another network, another person
        {"serial": 499, "person_id": 1, "scanned_at": since - dt.timedelta(seconds=1)},  # too old
        {"serial": 506, "person_id": 1},  # too far
    )  # fmt: skip
    await _insert_all(db, other, {"serial": 502, "person_id": 1, "net_hash": "net-a"})
    async with system(db, slug) as ctx:
        s = ctx.session
        scan = _record(ctx.tenant_id, 500, person_id=1, net_hash="net-a")
        assert await repo.sequential_recent(s, scan, 5, since) == 2
        scan.net_hash = None
        assert await repo.sequential_recent(s, scan, 5, since) == 1
        assert await repo.sequential_recent(s, scan, 10, since) == 2
        assert await repo.sequential_recent(s, scan, 5, since - dt.timedelta(hours=1)) == 2


async def test_the_scans_statements_are_built_once(db: Database) -> None:
    slug = await create_tenant(db)
    rounds: list[list[Any]] = []
    async with system(db, slug) as ctx:
        s = ctx.session
        for n, net_hash in enumerate([None, "net", None, "net"]):
            with orm_statements() as ran:
                record = _record(ctx.tenant_id, 700 + n, net_hash=net_hash)
                assert await repo.insert(s, record)
                await repo.scans_of_code(s, 700)
                await repo.sequential_recent(s, _record(ctx.tenant_id, 700, net_hash=net_hash), 5, T0)
                record.outcome = "no_campaign"
                await repo.save_outcome(s, record)
            rounds.append(ran)
    assert all(len(r) == 4 and all(is_prebuilt(st) for st in r) for r in rounds)
    assert all(a is b for a, b in zip(rounds[0], rounds[2], strict=True))
    assert all(a is b for a, b in zip(rounds[1], rounds[3], strict=True))


async def test_an_outcome_is_saved_on_its_brands_scan_only(db: Database) -> None:
    slug, other = await create_tenant(db), await create_tenant(db)
    (theirs,) = await _insert_all(db, other, {"serial": 100})
    async with system(db, slug) as ctx:
        record = _record(ctx.tenant_id, 100)
        record.id, record.outcome = theirs, "rejected"  # another brand's scan id
        await repo.save_outcome(ctx.session, record)
    async with system(db, other) as ctx:
        assert await ctx.session.scalar(select(ScanRecord.outcome).where(ScanRecord.id == theirs)) == "verified"


async def test_recording_a_scan_inserts_it_and_reads_the_scans_before_it(db: Database) -> None:
    slug, other = await create_tenant(db), await create_tenant(db)
    at = [T0 + dt.timedelta(minutes=i) for i in range(3)]
    await _insert_all(
        db, slug,
        {"serial": 300, "scanned_at": at[0], "lat": 31.2, "lon": 121.5, "region_code": "310101"},
        {"serial": 300, "scanned_at": at[1]},
        {"serial": 298, "scanned_at": at[1], "person_id": 1},  # a neighbour, by the same person
        {"serial": 302, "scanned_at": at[1], "person_id": 9, "net_hash": "net-a"},  # from the same network
    )  # fmt: skip
    await _insert_all(db, other, {"serial": 300}, {"serial": 299, "person_id": 1})
    window = repo.SequenceWindow(5, T0)
    async with system(db, slug) as ctx:
        s = ctx.session
        scan = _record(ctx.tenant_id, 300, scanned_at=at[2], client_key="key-0001", net_hash="net-a")
        with statements(db) as ran:
            done = await repo.record(s, scan, window)
        assert done.inserted and scan.id is not None
        assert done.before == repo.CodeScans(
            2, ScanPoint(at[0], 31.2, 121.5, "310101"), [ScanPoint(at[0], 31.2, 121.5, "310101")]
        )
        assert done.sequential == 2
        assert len(ran) == (1 if db.engine.dialect.name == "postgresql" else 3)
        assert (await repo.scans_of_code(s, 300)).count == 3

        again = _record(ctx.tenant_id, 300, scanned_at=at[2], client_key="key-0001")
        taken = await repo.record(s, again, None)
        assert not taken.inserted and again.id is None and taken.sequential is None
        assert (await repo.scans_of_code(s, 300)).count == 3  # nothing written

        fresh = await repo.record(s, _record(ctx.tenant_id, 301), None)  # a code never scanned
        assert fresh.inserted and fresh.before == repo.CodeScans(0, None, [])


async def test_a_scan_is_recorded_in_its_sessions_brand_only(db: Database) -> None:
    slug, other = await create_tenant(db), await create_tenant(db)
    async with system(db, other) as theirs:
        other_tenant = theirs.tenant_id
    async with system(db, slug) as ctx:
        with pytest.raises(TenancyError):
            await repo.record(ctx.session, _record(other_tenant, 400), None)


def test_one_more_scan_is_counted_first_only_when_none_came_before() -> None:
    first, later = ScanPoint(T0, 31.2, 121.5, None), ScanPoint(T0 + dt.timedelta(hours=1), None, None, None)
    none = repo.CodeScans(0, None, [])
    assert none.with_scan(first) == repo.CodeScans(1, first, [first])
    assert none.with_scan(first).with_scan(later) == repo.CodeScans(2, first, [first])
    many = repo.CodeScans(80, first, [first] * RECENT_POINTS)
    assert many.with_scan(first).located == [first] * RECENT_POINTS


async def test_on_postgresql_recording_keeps_one_generic_plan(db: Database) -> None:
    """PostgreSQL plans a prepared statement afresh each time while its generic plan looks
    costlier than the custom ones: a BETWEEN of two parameters did (0.5 % of the table)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    slug = await create_tenant(db)
    async with system(db, slug) as ctx:
        s = ctx.session
        many = (  # a table big enough for a range of unknown width to look expensive
            "INSERT INTO scan_records"
            " (tenant_id, serial, level, input_kind, role, state, scanned_at, person_id, outcome)"
            " SELECT :tenant, n, 'unit', 'qr', 'consumer', 'active', :at, n % 500, 'verified'"
            " FROM generate_series(1, 20000) AS n"
        )
        await s.execute(text(many), {"tenant": ctx.tenant_id, "at": T0})
        await s.execute(text("ANALYZE scan_records"))
        window = repo.SequenceWindow(20, T0)
        query = "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE :inserting"

        async def plans() -> dict[str, tuple[int, int]]:
            rows = await s.execute(text(query), {"inserting": "WITH inserted AS%INSERT INTO scan_records%"})
            return {name: (generic, custom) for name, generic, custom in rows.all()}

        async def record(n: int) -> None:
            await repo.record(s, _record(ctx.tenant_id, 30_000 + 100 * n, client_key=f"plan-{n}", net_hash="n"), window)

        for n in range(8):  # PostgreSQL tries five custom plans first (the connection may have run it before)
            await record(n)
        before = await plans()
        for n in range(8, 14):
            await record(n)
        after = await plans()
        ran = {name: (g - before.get(name, (0, 0))[0], c - before.get(name, (0, 0))[1])
               for name, (g, c) in after.items()}  # fmt: skip
        assert (6, 0) in ran.values(), ran  # six more runs, each on the generic plan, none planned afresh
