"""The reads every consumer scan makes of a unit (its batch, activation and blocks; the units it
sits in) are built once and name their tenant themselves: the tenancy hook no longer adds it, so
here another brand has rows on the very same serials, and none of them may show."""

from __future__ import annotations

import datetime as dt

from tests.catalog.factories import create_product
from tests.codes.factories import activate, create_batch
from tests.harness import is_prebuilt, orm_statements
from tests.identity.factories import create_tenant, system
from yima.codes import repository as repo
from yima.codes import service as codes
from yima.codes.models import Unit
from yima.codes.rules import UnitActivation, UnitBatch, UnitBlock
from yima.codes.schemas import BlockCreate, SerialRange
from yima.platform.db.session import Database

AT = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


async def _block(db: Database, slug: str, low: int, high: int, kind: str, reason: str) -> None:
    async with system(db, slug) as ctx:
        data = BlockCreate(range=SerialRange(serial_from=low, serial_to=high), kind=kind, reason=reason)  # type: ignore[arg-type]
        await codes.block(ctx, data)


class TestUnitRows:
    async def test_another_brands_batch_activation_and_blocks_on_the_same_serial_are_not_seen(
        self, db: Database
    ) -> None:
        """Serials are numbered per brand: the other brand's pallets (3…502) start nearest below
        our serials 3…5, and its activation and block cover them too."""
        await create_tenant(db, "acme")
        await create_tenant(db, "other")
        await create_batch(db, "other", "case", 2)
        theirs = await create_batch(db, "other", "pallet", 500)
        their_product = await create_product(db, "other")
        await activate(db, "other", theirs.first_serial, theirs.last_serial, their_product.id)
        await _block(db, "other", theirs.first_serial, theirs.first_serial + 5, "void", "misprint")
        mine = await create_batch(db, "acme", "bottle", 5)
        product = await create_product(db, "acme")
        await activate(db, "acme", mine.first_serial, mine.last_serial, product.id)
        serial = theirs.first_serial + 1
        assert mine.first_serial < theirs.first_serial < serial <= mine.last_serial
        await _block(db, "acme", serial, serial, "blacklist", "too_many_scans")
        async with system(db, "acme") as ctx:
            with orm_statements() as ran:
                batch, assignment, blocks = await repo.unit_rows(ctx.session, serial)
                assert await repo.unit_rows(ctx.session, mine.last_serial + 1) == (None, None, [])  # theirs alone
            assert [is_prebuilt(statement) for statement in ran] == [True, True]
            assert ran[0] is ran[1]  # built once
            assert batch == UnitBatch(mine.id, "bottle", mine.faces, None)
            assert assignment == UnitActivation(product.id, "L1", None)
            assert blocks == [UnitBlock("blacklist", "too_many_scans")]  # not their void
            assert not ctx.session.identity_map  # values, no ORM objects
        async with system(db, "other") as ctx:
            batch, assignment, blocks = await repo.unit_rows(ctx.session, serial)
            assert batch is not None and assignment is not None
            assert (batch.id, batch.level, assignment.product_id) == (theirs.id, "pallet", their_product.id)
            assert blocks == [UnitBlock("void", "misprint")]  # not our blacklist

    async def test_a_serial_in_no_activation_or_block_of_its_brand(self, db: Database) -> None:
        await create_tenant(db, "acme")
        await create_tenant(db, "other")
        theirs = await create_batch(db, "other", "bottle", 5)
        await activate(db, "other", theirs.first_serial, theirs.last_serial, (await create_product(db, "other")).id)
        await _block(db, "other", theirs.first_serial, theirs.last_serial, "void", "misprint")
        mine = await create_batch(db, "acme", "bottle", 5)
        assert mine.first_serial == theirs.first_serial
        async with system(db, "acme") as ctx:
            batch, assignment, blocks = await repo.unit_rows(ctx.session, mine.first_serial)
        assert (batch.id if batch else None, assignment, blocks) == (mine.id, None, [])


class TestUnitChain:
    async def _units(self, db: Database, slug: str, links: list[tuple[int, str, int | None]]) -> None:
        async with system(db, slug) as ctx:
            for serial, level, parent in links:
                ctx.session.add(Unit(serial=serial, level=level, parent_serial=parent, packed_at=parent and AT))
            await ctx.session.commit()

    async def test_only_the_brands_own_units_make_the_chain(self, db: Database) -> None:
        """Both brands have units 10 and 20: ours sit 10 → 20 → 30, theirs 10 → 21 and 20 → 40."""
        await create_tenant(db, "acme")
        await create_tenant(db, "other")
        await self._units(db, "acme", [(10, "bottle", 20), (20, "case", 30), (30, "pallet", None)])
        await self._units(db, "other", [(10, "bottle", 21), (21, "case", None), (20, "case", 40), (40, "pallet", None)])
        async with system(db, "acme") as ctx:
            with orm_statements() as ran:
                chain = await repo.unit_chain(ctx.session, 10, 5)
            assert [is_prebuilt(statement) for statement in ran] == [True]
            assert chain == [(10, "bottle", 20, AT), (20, "case", 30, AT), (30, "pallet", None, None)]
            assert await repo.unit_chain(ctx.session, 10, 1) == chain[:2]
            assert await repo.unit_chain(ctx.session, 21, 5) == []
        async with system(db, "other") as ctx:
            assert await repo.unit_chain(ctx.session, 10, 5) == [(10, "bottle", 21, AT), (21, "case", None, None)]
            assert await repo.unit_chain(ctx.session, 20, 0) == [(20, "case", 40, AT)]
