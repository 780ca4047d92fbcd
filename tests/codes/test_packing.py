"""产线关联采集: packing bottles into cases and cases onto pallets, all or nothing, and unpacking."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from tests.catalog.factories import create_product, create_spec
from tests.codes.factories import activate, create_batch, create_supplier
from tests.harness import delete_brand
from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.live import LiveServer
from yima.codes import rules
from yima.codes import service as codes
from yima.codes.models import Unit
from yima.codes.schemas import (
    BatchCreated,
    BlockCreate,
    PackOperation,
    PackRequest,
    PackResult,
    SerialRange,
    UnpackRequest,
)
from yima.codes.service import packing
from yima.codes.tokens import Face, TokenCodec
from yima.platform import caches
from yima.platform.db.session import Database
from yima.platform.errors import AppError, Conflict, Invalid


@dataclass
class Line:
    """A brand's production line: bottles, cases and pallets of one product, all activated."""

    slug: str
    brand: TokenCodec
    product_id: int
    bottles: BatchCreated
    cases: BatchCreated
    pallets: BatchCreated

    def bottle(self, i: int, face: Face = Face.OUTER) -> str:
        return self.brand.encode(self.bottles.first_serial + i, face)

    def case(self, i: int) -> str:
        return "https://m.brand.cn/C/" + self.brand.encode(self.cases.first_serial + i, Face.OUTER)

    def pallet(self, i: int) -> str:
        return self.brand.encode(self.pallets.first_serial + i, Face.OUTER)

    def fill(self, case: int, first_bottle: int, count: int = 6) -> PackOperation:
        return PackOperation(parent=self.case(case), children=[self.bottle(first_bottle + j) for j in range(count)])


async def make_line(db: Database, slug: str = "acme", bottles: int = 60, cases: int = 10) -> Line:
    await create_tenant(db, slug)
    spec = await create_spec(db, slug, bottles_per_case=6, cases_per_pallet=2)
    product = await create_product(db, slug, packaging_spec_id=spec.id)
    supplier = await create_supplier(db, slug)
    made = [await create_batch(db, slug, level, n, supplier_id=supplier) for level, n in [
        ("bottle", bottles), ("case", cases), ("pallet", 3)
    ]]  # fmt: skip
    for batch in made:
        await activate(db, slug, batch.first_serial, batch.last_serial, product.id)
    async with system(db, slug) as ctx:
        brand = await codes.codec(ctx)
    return Line(slug, brand, product.id, *made)


async def pack(db: Database, slug: str, *operations: PackOperation) -> PackResult:
    async with system(db, slug) as ctx:
        return await codes.pack(ctx, PackRequest(operations=list(operations)))


async def refused(db: Database, slug: str, *operations: PackOperation) -> set[tuple[str, str]]:
    with pytest.raises(Invalid) as caught:
        await pack(db, slug, *operations)
    return {(d.field, d.code) for d in caught.value.details}


async def units(db: Database, slug: str) -> list[tuple[int, str, int | None, object, object]]:
    async with system(db, slug) as ctx:
        rows = await ctx.session.scalars(select(Unit).order_by(Unit.serial))
        return [(u.serial, u.level, u.parent_serial, u.packed_at, u.updated_at) for u in rows]


class TestPack:
    async def test_cases_then_a_pallet_and_resolve_shows_the_parents(self, db: Database) -> None:
        line = await make_line(db)
        done = await pack(db, "acme", line.fill(0, 0), line.fill(1, 6))
        assert (done.parents, done.links, done.new_links) == (2, 12, 12)
        onto = await pack(db, "acme", PackOperation(parent=line.pallet(0), children=[line.case(0), line.case(1)]))
        assert (onto.parents, onto.links) == (1, 2)
        async with system(db, "acme") as ctx:
            found = await codes.resolve(ctx, line.bottle(7, Face.INNER))
            assert [(p.serial, p.level) for p in found.parents] == [
                (line.cases.first_serial + 1, "case"),
                (line.pallets.first_serial, "pallet"),
            ]
            held = await codes.unit_children(ctx, line.cases.first_serial)
            pallet = await codes.resolve(ctx, line.pallet(0))
        assert [(c.serial, c.level, c.face) for c in held.children] == [
            (line.bottles.first_serial + i, "bottle", "outer") for i in range(6)
        ]
        assert all(c.url and c.url.endswith("/C/" + line.bottle(i)) for i, c in enumerate(held.children))
        assert pallet.children_count == 2

    async def test_every_problem_is_listed_and_nothing_is_packed(self, db: Database) -> None:
        line = await make_line(db)
        other = await create_product(db, "acme")
        strays = await create_batch(db, "acme", "bottle", 10)
        await activate(db, "acme", strays.first_serial, strays.first_serial + 1, other.id)
        await pack(db, "acme", line.fill(0, 0))
        async with system(db, "acme") as ctx:
            for kind, offset in (("void", 30), ("blacklist", 31)):
                at = line.bottles.first_serial + offset
                selection = SerialRange(serial_from=at, serial_to=at)
                await codes.block(ctx, BlockCreate(range=selection, kind=kind, reason="stolen"))  # type: ignore[arg-type]
        before = await units(db, "acme")
        foreign = line.brand.encode(strays.first_serial, Face.OUTER)  # activated for another product
        idle = line.brand.encode(strays.first_serial + 5, Face.OUTER)  # never activated
        bottles = lambda *numbers: [line.bottle(i) for i in numbers]  # noqa: E731
        problems = await refused(
            db,
            "acme",
            line.fill(1, 6, count=5),  # 0: one bottle short of the spec
            PackOperation(parent=line.case(2), children=bottles(5, 12, 13, 14, 15, 16)),  # 1: bottle 5 is in case 0
            PackOperation(parent=line.case(3), children=[*bottles(17, 18, 19, 20), "https://m.brand.cn/C/NOPE", idle]),
            PackOperation(parent=line.case(4), children=[*bottles(30, 31, 21, 22, 23), foreign]),  # 3: void, black
            PackOperation(parent=line.pallet(0), children=[line.bottle(24), line.case(5)]),  # 4: a bottle on a pallet
            PackOperation(parent=line.bottle(25), children=bottles(26)),  # 5: a bottle holds nothing
            PackOperation(parent=line.case(6), children=bottles(40, 41, 42, 43, 44, 40)),  # 6: bottle 40 twice
            PackOperation(parent=line.case(7), children=bottles(44, 45, 46, 47, 48, 49)),  # 7: bottle 44 again
            line.fill(6, 50),  # 8: case 6 again
        )
        assert problems == {
            ("operations[0].children", "count"),
            ("operations[1].children[0]", "already_packed"),
            ("operations[2].children[4]", "unknown_code"),
            ("operations[2].children[5]", "not_active"),
            ("operations[3].children[0]", "not_active"),
            ("operations[3].children[1]", "not_active"),
            ("operations[3].children[5]", "mixed_products"),
            ("operations[4].children[0]", "wrong_level"),
            ("operations[5].parent", "wrong_level"),
            ("operations[6].children[5]", "duplicate"),
            ("operations[7].children[0]", "duplicate"),
            ("operations[8].parent", "duplicate"),
        }
        assert await units(db, "acme") == before

    async def test_one_bad_child_in_fifty_operations_packs_nothing(self, db: Database) -> None:
        line = await make_line(db, bottles=300, cases=50)
        operations = [line.fill(i, 6 * i) for i in range(50)]
        operations[37].children[4] = "A7K3FQ8ZD1N6VJ0T2CWR"
        assert await refused(db, "acme", *operations) == {("operations[37].children[4]", "unknown_code")}
        assert await units(db, "acme") == []
        async with system(db, "acme") as ctx:
            batch = await codes.get_batch(ctx, line.bottles.id)
        assert batch.counts is not None and batch.counts.packed == 0

    async def test_a_retried_request_succeeds_and_changes_nothing(self, db: Database) -> None:
        line = await make_line(db)
        request = [line.fill(0, 0), line.fill(1, 6)]
        await pack(db, "acme", *request)
        first = await units(db, "acme")
        again = await pack(db, "acme", *request)
        assert (again.links, again.new_links) == (12, 0)
        assert await units(db, "acme") == first

    async def test_a_parent_is_filled_once(self, db: Database) -> None:
        line = await make_line(db)
        await pack(db, "acme", line.fill(0, 0))
        assert await refused(db, "acme", line.fill(0, 6)) == {("operations[0].parent", "not_empty")}

    async def test_another_brands_codes_are_unknown(self, db: Database) -> None:
        ours = await make_line(db)
        theirs = await make_line(db, "rival")
        mixed = PackOperation(parent=ours.case(0), children=[theirs.bottle(0)] + [ours.bottle(i) for i in range(5)])
        assert await refused(db, "acme", mixed) == {("operations[0].children[0]", "unknown_code")}
        assert await units(db, "rival") == []


class TestUnpack:
    async def test_unpack_empties_the_parent_and_refuses_unknown_codes(self, db: Database) -> None:
        line = await make_line(db)
        await pack(db, "acme", line.fill(0, 0), line.fill(1, 6))
        async with system(db, "acme") as ctx:
            with pytest.raises(Invalid) as caught:
                await codes.unpack(ctx, UnpackRequest(codes=[line.case(0), "nothing-like-this"]))
            assert [(d.field, d.code) for d in caught.value.details] == [("codes[1]", "unknown_code")]
            emptied = await codes.unpack(ctx, UnpackRequest(codes=[line.case(0)]))
            assert (emptied.parents, emptied.links_removed) == (1, 6)
            assert (await codes.unit_children(ctx, line.cases.first_serial)).children == []
            assert len((await codes.unit_children(ctx, line.cases.first_serial + 1)).children) == 6
            assert (await codes.resolve(ctx, line.bottle(0))).parents == []
        moved = await pack(db, "acme", line.fill(2, 0))
        assert moved.new_links == 6

    async def test_a_bottle_cannot_be_unpacked_by_itself(self, db: Database) -> None:
        """Naming a bottle once answered 200 with nothing removed: the operator thought it was out."""
        line = await make_line(db)
        await pack(db, "acme", line.fill(0, 0))
        async with system(db, "acme") as ctx:
            with pytest.raises(Invalid) as caught:
                await codes.unpack(ctx, UnpackRequest(codes=[line.case(0), line.bottle(1)]))
            assert [(d.field, d.code) for d in caught.value.details] == [("codes[1]", "wrong_level")]
            assert len((await codes.unit_children(ctx, line.cases.first_serial)).children) == 6  # nothing applied


class TestConcurrency:
    async def test_a_child_claimed_between_check_and_write_loses(self, db: Database) -> None:
        """Deterministic: two requests are both checked before either writes (what two
        concurrent requests do); the conditional write makes the second a Conflict."""
        line = await make_line(db)
        first = PackRequest(operations=[line.fill(0, 0)])
        second = PackRequest(operations=[PackOperation(parent=line.case(1), children=first.operations[0].children)])
        refill = PackRequest(operations=[line.fill(0, 6)])
        async with system(db, "acme") as ctx:
            plans = [await packing.plan_packing(ctx, r) for r in (first, second, refill)]
        async with system(db, "acme") as ctx:
            await packing.apply_packing(ctx, plans[0])
        for plan, code in ((plans[1], "already_packed"), (plans[2], "not_empty")):
            with pytest.raises(Conflict) as caught:
                async with system(db, "acme") as ctx:
                    await packing.apply_packing(ctx, plan)
            assert {d.code for d in caught.value.details} == {code}
        async with system(db, "acme") as ctx:
            assert len((await codes.unit_children(ctx, line.cases.first_serial)).children) == 6
            assert (await codes.unit_children(ctx, line.cases.first_serial + 1)).children == []

    async def test_two_real_transactions_racing_for_one_child(self, engine_db: Database) -> None:
        """Two sessions on their own connections, both checked before either writes. On
        PostgreSQL the second write waits on the first's row, then finds it taken (Conflict).
        SQLite runs one writer at a time (BEGIN IMMEDIATE), so no such overlap can exist there."""
        if engine_db.backend == "sqlite":
            pytest.skip("SQLite serialises writers: the deterministic test covers the conditional write")
        caches.clear_all()
        slug = "race-brand"
        try:
            line = await make_line(engine_db, slug)
            requests = [
                PackRequest(operations=[line.fill(0, 0)]),
                PackRequest(
                    operations=[PackOperation(parent=line.case(1), children=[line.bottle(i) for i in range(6)])]
                ),
            ]
            checked = asyncio.Barrier(2)

            async def one(request: PackRequest) -> str:
                try:
                    async with system(engine_db, slug) as ctx:
                        plan = await packing.plan_packing(ctx, request)
                        await checked.wait()
                        await packing.apply_packing(ctx, plan)
                except AppError as exc:
                    return exc.code
                return "packed"

            outcomes = await asyncio.gather(*(one(r) for r in requests))
            assert sorted(outcomes) == ["conflict", "packed"]
            async with system(engine_db, slug) as ctx:
                held = [len((await codes.unit_children(ctx, line.cases.first_serial + i)).children) for i in (0, 1)]
            assert sorted(held) == [0, 6]
        finally:
            await delete_brand(engine_db, slug)
            caches.clear_all()


class TestApi:
    async def test_a_line_client_packs_reads_and_unpacks_over_http(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        line = await make_line(db)
        headers = await bearer(client, await create_client(db, "acme", ["packing:write", "codes:read"]))
        body = {"operations": [op.model_dump() for op in (line.fill(0, 0), line.fill(1, 6))]}
        done = await client.post("/api/v1/codes/packing", json=body, headers=headers)
        assert done.status_code == 200, done.text
        assert done.json() == {"parents": 2, "links": 12, "new_links": 12}
        taken = line.fill(2, 12).model_dump()
        taken["children"][2] = line.bottle(0)
        bad = await client.post("/api/v1/codes/packing", json={"operations": [taken]}, headers=headers)
        assert bad.status_code == 422
        assert [(d["field"], d["code"]) for d in bad.json()["error"]["details"]] == [
            ("operations[0].children[2]", "already_packed")
        ]
        held = await client.get(f"/api/v1/codes/units/{line.cases.first_serial}/children", headers=headers)
        assert held.status_code == 200 and len(held.json()["children"]) == 6
        missing = await client.get(f"/api/v1/codes/units/{line.pallets.last_serial + 1000}/children", headers=headers)
        assert missing.status_code == 404
        emptied = await client.post("/api/v1/codes/unpacking", json={"codes": [line.case(0)]}, headers=headers)
        assert emptied.json() == {"parents": 1, "links_removed": 6}


def test_pack_problems_is_a_pure_rule() -> None:
    case = rules.UnitFacts("C", 100, "case", "active", product_id=1)
    bottles = [rules.UnitFacts(f"B{i}", i, "bottle", "active", product_id=1) for i in range(1, 7)]
    assert rules.pack_problems("operations[0]", case, bottles, 6) == []
    assert [p.code for p in rules.pack_problems("operations[0]", case, bottles[:5], 6)] == ["count"]
    assert [p.code for p in rules.pack_problems("operations[0]", case, bottles, 6, claimed_children={3})] == [
        "duplicate"
    ]
    assert [p.code for p in rules.pack_problems("operations[0]", case, bottles, None, other_children=2)] == [
        "not_empty"
    ]
    assert rules.clusters([5, 1, 2, 30, 3], 10) == [(1, 5), (30, 30)]


def test_the_cli_packs_a_case_and_lists_every_problem(live: LiveServer) -> None:
    def sample(level: str, count: int) -> list[str]:
        found = live.yima(
            "codes", "sample", "--tenant", "demo", "--level", level, "--face", "outer", "--count", str(count), "--json"
        )
        return list(json.loads(found))

    bottles, case = sample("bottle", 3000)[-6:], sample("case", 500)[-1]
    children = [arg for bottle in bottles for arg in ("--child", bottle)]
    packed = _yima(live, "codes", "pack", "--tenant", "demo", "--parent", case, *children)
    assert packed.returncode == 0, packed.stderr
    assert "packed 6 into 1 parent (6 new)" in packed.stderr
    short = _yima(live, "codes", "pack", "--tenant", "demo", "--parent", case, *children[:-2])
    assert short.returncode == 1
    assert (
        "nothing was packed" in short.stderr
        and "operations[0].children: the spec says 6 per case, got 5" in short.stderr
    )


def _yima(live: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "yima", *args]
    return subprocess.run(command, env=live.env | {"COLUMNS": "200"}, capture_output=True, text=True, timeout=120)
