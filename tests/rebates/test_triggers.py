"""What sets the rebates in motion, read set-wise: the whole cases among received units (a pallet
standing for the cases packed in it), in a fixed number of statements however many units."""

from __future__ import annotations

from collections.abc import Sequence

from tests.codes.factories import activate, activated_goods, create_batch
from tests.harness import statements
from tests.identity.factories import create_tenant, system
from yima.codes import service as codes
from yima.codes.schemas import PackOperation, PackRequest
from yima.codes.tokens import Face
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.rebates import service as rebates


async def _packed_pallet(db: Database, slug: str) -> tuple[list[int], list[int], int, int]:
    """(bottles, cases, pallet, loose case): three bottles in each of two cases, both cases on the
    pallet, and a case packed in nothing."""
    goods = await activated_goods(db, slug, per_case=3, cases=2)
    loose = await create_batch(db, slug, "case", 1, supplier_id=goods.cases.supplier_id)
    await activate(db, slug, loose.first_serial, loose.last_serial, goods.product_id)
    bottles = list(range(goods.bottles.first_serial, goods.bottles.last_serial + 1))
    cases = [goods.cases.first_serial, goods.cases.last_serial]
    pallet = goods.pallets.first_serial
    async with system(db, slug) as ctx:
        brand = await codes.codec(ctx)

        def code(serial: int) -> str:
            return brand.encode(serial, Face.OUTER)

        operations = [PackOperation(parent=code(case), children=[code(b) for b in bottles[i * 3 : i * 3 + 3]])
                      for i, case in enumerate(cases)]  # fmt: skip
        operations.append(PackOperation(parent=code(pallet), children=[code(c) for c in cases]))
        await codes.pack(ctx, PackRequest(operations=operations))
    return bottles, cases, pallet, loose.first_serial


async def _one_unit_at_a_time(ctx: Ctx, serials: Sequence[int]) -> list[int]:
    """How cases_in read before it was set-wise: each unit's facts, each pallet's children."""
    found: list[int] = []
    for serial in serials:
        level = (await codes.unit_facts(ctx, serial)).batch.level
        if level == "case":
            found.append(serial)
        elif level == "pallet":
            found.extend(c.serial for c in (await codes.unit_children(ctx, serial)).children if c.level == "case")
    return found


class TestCasesIn:
    async def test_a_pallet_stands_for_its_cases_as_when_read_one_unit_at_a_time(self, db: Database) -> None:
        await create_tenant(db, "acme")
        bottles, cases, pallet, loose = await _packed_pallet(db, "acme")
        received = [bottles[0], loose, pallet, cases[0], *bottles[3:]]
        async with system(db, "acme") as ctx:
            found = await rebates.cases_in(ctx, received)
            assert found == await _one_unit_at_a_time(ctx, received)
            assert await rebates.cases_in(ctx, bottles) == []
            assert await rebates.cases_in(ctx, []) == []
        assert found == [loose, *cases, cases[0]]

    async def test_units_in_no_batch_are_no_cases(self, db: Database) -> None:
        await create_tenant(db, "acme")
        _, cases, pallet, _ = await _packed_pallet(db, "acme")
        async with system(db, "acme") as ctx:
            assert await rebates.cases_in(ctx, [pallet + 1_000, pallet, 0]) == cases

    async def test_two_statements_however_many_units(self, db: Database, engine_db: Database) -> None:
        await create_tenant(db, "acme")
        bottles, cases, pallet, loose = await _packed_pallet(db, "acme")
        seen: list[list[str]] = []
        async with system(db, "acme") as ctx:
            for received in ([pallet], [*bottles, *cases, loose, pallet], [*bottles, loose]):
                with statements(engine_db) as one:
                    await rebates.cases_in(ctx, received)
                seen.append(one)
        assert seen == [["SELECT", "SELECT"], ["SELECT", "SELECT"], ["SELECT"]]  # facts; the pallets' contents
