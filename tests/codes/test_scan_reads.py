"""The reads every consumer scan makes of a unit (its batch, activation and blocks; the units it
sits in) are built once and name their tenant themselves: the tenancy hook no longer adds it, so
here another brand has rows on the very same serials, and none of them may show. ``describe``
reads both in one statement."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.catalog.factories import create_product
from tests.codes.factories import activate, activated_goods, create_batch
from tests.harness import is_prebuilt, orm_statements, statements
from tests.identity.factories import create_tenant, system
from yima.codes import repository as repo
from yima.codes import service as codes
from yima.codes.errors import UnknownCode
from yima.codes.models import Unit
from yima.codes.rules import UnitActivation, UnitBatch, UnitBlock
from yima.codes.schemas import BlockCreate, PackOperation, PackRequest, ProductBrief, SerialRange, UnitRef
from yima.codes.tokens import Face
from yima.platform.db import direct
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
            assert batch == UnitBatch(mine.id, "bottle", mine.faces, None, None)
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


async def _unit_rows_and_chain(session: AsyncSession, serial: int, depth: int) -> repo.UnitRowsAndChain:
    """The unit's facts and chain as the scan reads them: one statement."""
    found = await direct.execute(session, *repo.unit_rows_and_chain_later(session, serial, depth))
    return repo.unit_rows_and_chain_in(found)


async def _units(db: Database, slug: str, links: list[tuple[int, str, int | None]]) -> None:
    async with system(db, slug) as ctx:
        for serial, level, parent in links:
            ctx.session.add(Unit(serial=serial, level=level, parent_serial=parent, packed_at=parent and AT))
        await ctx.session.commit()


class TestUnitChain:
    async def test_only_the_brands_own_units_make_the_chain(self, db: Database) -> None:
        """Both brands have units 10 and 20: ours sit 10 → 20 → 30, theirs 10 → 21 and 20 → 40."""
        await create_tenant(db, "acme")
        await create_tenant(db, "other")
        await _units(db, "acme", [(10, "bottle", 20), (20, "case", 30), (30, "pallet", None)])
        await _units(db, "other", [(10, "bottle", 21), (21, "case", None), (20, "case", 40), (40, "pallet", None)])
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


class TestUnitRowsAndChain:
    async def test_the_facts_and_the_chain_of_the_brands_own_rows_in_one_statement(self, db: Database) -> None:
        """Both brands have batches, activations, blocks and units on the same serials."""
        await create_tenant(db, "acme")
        await create_tenant(db, "other")
        theirs = await create_batch(db, "other", "bottle", 8)
        await activate(db, "other", theirs.first_serial, theirs.last_serial, (await create_product(db, "other")).id)
        await _block(db, "other", theirs.first_serial, theirs.last_serial, "void", "misprint")
        mine = await create_batch(db, "acme", "bottle", 5)
        product = await create_product(db, "acme")
        await activate(db, "acme", mine.first_serial, mine.first_serial + 1, product.id)
        serial = mine.first_serial
        assert serial == theirs.first_serial
        await _block(db, "acme", serial, serial + 1, "blacklist", "too_many_scans")
        await _block(db, "acme", serial, serial, "void", "stolen")
        await _units(db, "acme", [(serial, "bottle", 20), (20, "case", 30), (30, "pallet", 40), (40, "pallet", None)])
        await _units(db, "other", [(serial, "bottle", 21), (21, "case", None), (20, "case", 50)])
        async with system(db, "acme") as ctx:
            with orm_statements() as ran:
                batch, assignment, blocks, chain = await _unit_rows_and_chain(ctx.session, serial, 2)
                gone = await _unit_rows_and_chain(ctx.session, mine.last_serial + 1, 3)  # theirs alone
            assert [is_prebuilt(statement) for statement in ran] == [True, True]
            assert ran[0] is ran[1]  # built once
            assert batch == UnitBatch(mine.id, "bottle", mine.faces, None, None)
            assert assignment == UnitActivation(product.id, "L1", None)
            assert sorted(blocks) == [UnitBlock("blacklist", "too_many_scans"), UnitBlock("void", "stolen")]
            assert chain == [(serial, "bottle", 20, AT), (20, "case", 30, AT), (30, "pallet", 40, AT)]  # depth 2
            assert gone == (None, None, [], [])
            # The same as the two reads it stands for, of units in any situation.
            for unit, depth in [(serial, 3), (serial + 1, 0), (serial + 2, 3), (20, 3), (40, 3)]:
                *facts, links = await _unit_rows_and_chain(ctx.session, unit, depth)
                rows = await repo.unit_rows(ctx.session, unit)
                assert (*facts[:2], sorted(facts[2])) == (*rows[:2], sorted(rows[2]))
                assert links == await repo.unit_chain(ctx.session, unit, depth)
        async with system(db, "other") as ctx:
            batch, assignment, blocks, chain = await _unit_rows_and_chain(ctx.session, serial, 3)
            assert batch is not None and assignment is not None and batch.id == theirs.id
            assert blocks == [UnitBlock("void", "misprint")]  # not our blacklist or void
            assert chain == [(serial, "bottle", 21, AT), (21, "case", None, None)]


class TestDescribe:
    """``describe`` gives what it gave when it read the unit's facts and its chain apart (the
    values below), in one statement."""

    async def test_a_bottle_in_a_case_on_a_pallet(self, db: Database) -> None:
        await create_tenant(db, "acme")
        goods = await activated_goods(db, "acme", per_case=2, cases=2)
        bottle, case, pallet = goods.bottles.first_serial + 3, goods.cases.first_serial + 1, goods.pallets.first_serial
        async with system(db, "acme") as ctx:
            brand = await codes.codec(ctx)
            # bottles 0, 1 in case 0, bottles 2, 3 in case 1, both cases on the pallet
            outer = [brand.encode(s, Face.OUTER) for s in (*range(bottle - 3, bottle + 1), case - 1, case, pallet)]
            cases = [PackOperation(parent=outer[4 + i], children=outer[2 * i : 2 * i + 2]) for i in (0, 1)]
            await codes.pack(ctx, PackRequest(operations=cases))
            await codes.pack(ctx, PackRequest(operations=[PackOperation(parent=outer[6], children=outer[4:6])]))
            code = brand.encode(bottle, Face.INNER)
            await codes.describe(ctx, code)  # fills the in-process caches (the brand, its products)
            with statements(db) as sent, orm_statements() as given:
                found = await codes.describe(ctx, code)
            assert sent == ["WITH"]  # the unit's facts and the units it sits in, together
            assert [is_prebuilt(statement) for statement in given] == [True]
            case_packed = await ctx.session.scalar(select(Unit.packed_at).where(Unit.serial == bottle))
            pallet_packed = await ctx.session.scalar(select(Unit.packed_at).where(Unit.serial == case))
            assert found.parents == [
                UnitRef(serial=case, level="case", packed_at=case_packed),
                UnitRef(serial=pallet, level="pallet", packed_at=pallet_packed),
            ]
            assert case_packed is not None and pallet_packed is not None
            assert codes.ancestors_of(found) == await codes.ancestors(ctx, bottle)
            assert (found.serial, found.face, found.level) == (bottle, "inner", "bottle")
            assert found.batch_id == goods.bottles.id
            assert (found.state, found.block_reason, found.lot, found.children_count) == ("active", None, "L1", 0)
            assert found.product is not None and found.product.id == goods.product_id
            held = await codes.describe(ctx, outer[5])
            assert [(p.serial, p.level) for p in held.parents] == [(pallet, "pallet")]
            assert held.children_count == 2
            assert (await codes.describe(ctx, outer[6])).parents == []

    async def test_an_unpacked_active_unit(self, db: Database) -> None:
        await create_tenant(db, "acme")
        batch = await create_batch(db, "acme", "bottle", 3)
        product = await create_product(db, "acme")
        await activate(db, "acme", batch.first_serial, batch.last_serial, product.id, lot="L7")
        async with system(db, "acme") as ctx:
            found = await codes.describe(ctx, (await codes.codec(ctx)).encode(batch.first_serial + 1, Face.OUTER))
        assert (found.state, found.block_reason, found.parents, found.lot) == ("active", None, [], "L7")
        assert found.product == ProductBrief(id=product.id, sku=product.sku, name=product.name, gtin=product.gtin)

    async def test_a_unit_never_activated(self, db: Database) -> None:
        await create_tenant(db, "acme")
        batch = await create_batch(db, "acme", "bottle", 3)
        async with system(db, "acme") as ctx:
            found = await codes.describe(ctx, (await codes.codec(ctx)).encode(batch.last_serial, Face.OUTER))
        assert (found.serial, found.state, found.product, found.lot, found.parents) == (
            batch.last_serial, "inactive", None, None, []
        )  # fmt: skip

    async def test_a_unit_under_several_blocks(self, db: Database) -> None:
        """Blacklisted, and voided by another block too: the void decides, as in ``unit_facts``."""
        await create_tenant(db, "acme")
        batch = await create_batch(db, "acme", "bottle", 5)
        await activate(db, "acme", batch.first_serial, batch.last_serial, (await create_product(db, "acme")).id)
        serial = batch.first_serial + 2
        await _block(db, "acme", serial, batch.last_serial, "blacklist", "too_many_scans")
        await _block(db, "acme", serial - 1, serial + 1, "void", "misprint")
        async with system(db, "acme") as ctx:
            brand = await codes.codec(ctx)
            found = await codes.describe(ctx, brand.encode(serial, Face.OUTER))
            facts = await codes.unit_facts(ctx, serial)
            blacklisted = await codes.describe(ctx, brand.encode(batch.last_serial, Face.OUTER))
        assert (found.state, found.block_reason) == (facts.state, facts.block_reason) == ("voided", "misprint")
        assert (blacklisted.state, blacklisted.block_reason) == ("blacklisted", "too_many_scans")

    async def test_another_brands_rows_on_the_same_serials_are_not_seen(self, db: Database) -> None:
        """The other brand's batch, activation, block and units reach past ours: our token for a
        serial only they have names no unit of ours, and ours show none of theirs."""
        await create_tenant(db, "acme")
        await create_tenant(db, "other")
        theirs = await create_batch(db, "other", "case", 10)
        await activate(db, "other", theirs.first_serial, theirs.last_serial, (await create_product(db, "other")).id)
        await _block(db, "other", theirs.first_serial, theirs.last_serial, "void", "misprint")
        mine = await create_batch(db, "acme", "bottle", 2)
        first, beyond = mine.first_serial, mine.last_serial + 1
        assert theirs.first_serial == first and beyond <= theirs.last_serial
        await _units(db, "other", [(first, "case", beyond), (beyond, "case", None)])
        async with system(db, "acme") as ctx:
            brand = await codes.codec(ctx)
            with pytest.raises(UnknownCode, match="belongs to no batch"):
                await codes.describe(ctx, brand.encode(beyond, Face.OUTER))
            found = await codes.describe(ctx, brand.encode(first, Face.OUTER))
        assert (found.batch_id, found.level, found.state, found.product, found.parents) == (
            mine.id, "bottle", "inactive", None, []
        )  # fmt: skip
