"""unit_facts_of: the facts of many units (batch, activation, state, block reason) in one query,
the same as unit_facts gives one unit at a time."""

from __future__ import annotations

from tests.codes.factories import activated_goods, create_batch
from tests.harness import statements
from tests.identity.factories import create_tenant, system
from yima.codes import service as codes
from yima.codes.schemas import BlockCreate, SerialRange
from yima.platform.db.session import Database


async def _block(db: Database, slug: str, low: int, high: int, kind: str, reason: str) -> None:
    async with system(db, slug) as ctx:
        data = BlockCreate(range=SerialRange(serial_from=low, serial_to=high), kind=kind, reason=reason)  # type: ignore[arg-type]
        await codes.block(ctx, data)


class TestUnitFactsOf:
    async def test_many_units_have_the_facts_each_has_alone(self, db: Database) -> None:
        await create_tenant(db, "acme")
        goods = await activated_goods(db, "acme")
        idle = await create_batch(db, "acme", "bottle", 3)  # never activated
        first = goods.bottles.first_serial
        await _block(db, "acme", first, first + 1, "blacklist", "too_many_scans")
        await _block(db, "acme", first + 1, first + 2, "void", "misprint")  # first + 1: both, void wins
        serials = [*range(first, first + 4), goods.cases.first_serial, goods.cases.last_serial,
                   goods.pallets.first_serial, idle.first_serial]  # fmt: skip
        async with system(db, "acme") as ctx:
            alone = {serial: await codes.unit_facts(ctx, serial) for serial in serials}
            together = await codes.unit_facts_of(ctx, [*reversed(serials), serials[0]])  # any order, repeats
        assert together == alone
        assert [(alone[s].batch.level, alone[s].state, alone[s].block_reason) for s in serials] == [
            ("bottle", "blacklisted", "too_many_scans"),
            ("bottle", "voided", "misprint"),
            ("bottle", "voided", "misprint"),
            ("bottle", "active", None),
            ("case", "active", None),
            ("case", "active", None),
            ("pallet", "active", None),
            ("bottle", "inactive", None),
        ]
        assert {s: f.assignment.product_id if f.assignment else None for s, f in together.items()} == {
            s: None if s == idle.first_serial else goods.product_id for s in serials
        }

    async def test_serials_in_no_batch_are_left_out(self, db: Database) -> None:
        await create_tenant(db, "acme")
        batch = await create_batch(db, "acme", "case", 2)
        async with system(db, "acme") as ctx:
            found = await codes.unit_facts_of(ctx, [batch.first_serial, batch.last_serial + 1_000, 0])
            assert await codes.unit_facts_of(ctx, []) == {}
        assert list(found) == [batch.first_serial]

    async def test_another_brands_batches_on_the_same_serials_are_not_seen(self, db: Database) -> None:
        """Serials are numbered per brand, so brands' batches cover the same numbers: here the
        other brand's batch starting nearest below 3…5 is its pallets' (3…502), not ours (1…5)."""
        await create_tenant(db, "acme")
        await create_tenant(db, "other")
        await create_batch(db, "other", "case", 2)
        theirs = await create_batch(db, "other", "pallet", 500)
        mine = await create_batch(db, "acme", "bottle", 5)
        assert mine.first_serial < theirs.first_serial <= mine.last_serial
        serials = list(range(mine.first_serial, mine.last_serial + 1))
        async with system(db, "acme") as ctx:
            found = await codes.unit_facts_of(ctx, serials)
        assert {f.batch.id for f in found.values()} == {mine.id}
        assert [found[s].batch.level for s in serials] == ["bottle"] * 5

    async def test_many_units_cost_one_statement(self, db: Database, engine_db: Database) -> None:
        await create_tenant(db, "acme")
        goods = await activated_goods(db, "acme", per_case=6, cases=4)
        bottles = range(goods.bottles.first_serial, goods.bottles.last_serial + 1)
        serials = [*bottles, *range(goods.cases.first_serial, goods.cases.last_serial + 1), goods.pallets.first_serial]
        async with system(db, "acme") as ctx:
            with statements(engine_db) as seen:
                found = await codes.unit_facts_of(ctx, serials)
        assert (len(found), seen) == (29, ["SELECT"])
