"""空码赋值 and blocks: retried requests, where each problem is, batches' printed products, and
ranges that reach past the batches."""

from __future__ import annotations

import httpx
import pytest

from tests.catalog.factories import create_product, new_gtin
from tests.codes.factories import activate, activated_batch, create_batch, create_supplier, legacy_import
from tests.harness import statements
from tests.identity.factories import create_staff, create_tenant, login_session, system
from yima.catalog import service as catalog
from yima.catalog.schemas import ProductUpdate
from yima.codes import service as codes
from yima.codes.errors import UnknownCode
from yima.codes.schemas import (
    ActivationCreate,
    BlockCreate,
    PackOperation,
    PackRequest,
    SerialRange,
    UnpackRequest,
)
from yima.codes.tokens import Face
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter
from yima.platform.db.session import Database
from yima.platform.errors import Invalid


def _range(low: int, high: int) -> SerialRange:
    return SerialRange(serial_from=low, serial_to=high)


async def _tokens(db: Database, slug: str, serials: list[int], face: Face = Face.OUTER) -> list[str]:
    async with system(db, slug) as ctx:
        brand = await codes.codec(ctx)
    return [brand.encode(serial, face) for serial in serials]


class TestRetries:
    async def test_a_retried_activation_succeeds_and_changes_nothing(self, db: Database) -> None:
        await create_tenant(db, "acme")
        product = await create_product(db, "acme")
        batch = await create_batch(db, "acme", "bottle", 10)
        first, last = batch.first_serial, batch.last_serial
        data = ActivationCreate(range=_range(first, first + 4), product_id=product.id, lot="L7", line="一线")
        async with system(db, "acme") as ctx:
            made = await codes.activate(ctx, data)
        async with system(db, "acme") as ctx:
            again = await codes.activate(ctx, data)  # the line's retry after a lost answer
            assert [a.id for a in again] == [a.id for a in made]
            by_list = ActivationCreate(
                codes=await _tokens(db, "acme", [first + 1, first + 2]), product_id=product.id, lot="L7", line="一线"
            )
            assert [a.id for a in await codes.activate(ctx, by_list)] == [made[0].id]
            # More of the same: what is done stays, the rest is activated.
            grown = await codes.activate(ctx, data.model_copy(update={"range": _range(first, last)}))
            assert [(a.serial_from, a.serial_to) for a in grown] == [(first, first + 4), (first + 5, last)]
            assert (await codes.get_batch(ctx, batch.id)).counts.activated == 10  # type: ignore[union-attr]

    async def test_codes_activated_otherwise_are_named_where_they_are(self, db: Database) -> None:
        await create_tenant(db, "acme")
        product = await create_product(db, "acme")
        batch = await create_batch(db, "acme", "bottle", 10)
        first = batch.first_serial
        await activate(db, "acme", first + 3, first + 4, product.id, lot="L1")
        listed = await _tokens(db, "acme", [first, first + 4, first + 1, first + 3])
        async with system(db, "acme") as ctx:
            with pytest.raises(Invalid) as refused:
                await codes.activate(ctx, ActivationCreate(codes=listed, product_id=product.id, lot="L2"))
            assert sorted((d.field, d.code) for d in refused.value.details) == [
                ("codes[1]", "active"),
                ("codes[3]", "active"),
            ]
            assert (await codes.get_batch(ctx, batch.id)).counts.activated == 2  # type: ignore[union-attr]

    async def test_a_list_may_name_neighbours_in_two_batches(self, db: Database) -> None:
        await create_tenant(db, "acme")
        product = await create_product(db, "acme")
        supplier = await create_supplier(db, "acme")
        bottles = await create_batch(db, "acme", "bottle", 3, supplier_id=supplier)
        cases = await create_batch(db, "acme", "case", 3, supplier_id=supplier)
        assert cases.first_serial == bottles.last_serial + 1
        listed = await _tokens(db, "acme", [bottles.last_serial, cases.first_serial])
        async with system(db, "acme") as ctx:
            made = await codes.activate(ctx, ActivationCreate(codes=listed, product_id=product.id))
            assert [(a.batch_id, a.serial_from) for a in made] == [
                (bottles.id, bottles.last_serial),
                (cases.id, cases.first_serial),
            ]
            with pytest.raises(Invalid) as refused:  # a range still lies in one batch
                await codes.activate(
                    ctx, ActivationCreate(range=_range(bottles.first_serial, cases.last_serial), product_id=product.id)
                )
            assert "outside_batch" in {d.code for d in refused.value.details}


class TestSetWise:
    async def test_a_long_list_costs_no_more_queries_than_a_short_one(self, db: Database) -> None:
        await create_tenant(db, "acme")
        product = await create_product(db, "acme")
        batch = await create_batch(db, "acme", "bottle", 200)
        sent: dict[int, list[str]] = {}
        for count in (4, 40):  # scattered: every other serial, each a run of its own
            serials = [batch.first_serial + 2 * i + (0 if count == 4 else 100) for i in range(count)]
            listed = await _tokens(db, "acme", serials)
            async with system(db, "acme") as ctx:
                await codes.codec(ctx)
                with statements(db) as seen:
                    made = await codes.activate(ctx, ActivationCreate(codes=listed, product_id=product.id))
                assert len(made) == count
            sent[count] = [s for s in seen if s in ("SELECT", "WITH")]
        assert len(sent[40]) <= len(sent[4])  # the short list may have looked the product up


class TestPrintedProduct:
    async def test_a_batch_printed_for_a_product_is_activated_only_as_that_product(self, db: Database) -> None:
        await create_tenant(db, "acme")
        printed, other = await create_product(db, "acme"), await create_product(db, "acme")
        batch = await create_batch(db, "acme", "bottle", 4, product_id=printed.id)
        link = f"https://m.brand.cn/01/{printed.gtin}/21/{(await _tokens(db, 'acme', [batch.first_serial]))[0]}"
        whole = _range(batch.first_serial, batch.last_serial)
        async with system(db, "acme") as ctx:
            with pytest.raises(Invalid) as refused:
                await codes.activate(ctx, ActivationCreate(range=whole, product_id=other.id))
            assert [(d.field, d.code) for d in refused.value.details] == [("product_id", "product_mismatch")]
            assert (await codes.resolve(ctx, link)).state == "inactive"  # the printed link still reads
            await codes.activate(ctx, ActivationCreate(range=whole, product_id=printed.id))
            resolved = await codes.resolve(ctx, link)
            assert (resolved.state, resolved.product and resolved.product.id) == ("active", printed.id)


    async def test_printed_links_outlive_a_change_of_the_products_gtin(self, db: Database) -> None:
        """The GTIN is printed on the bottles: a batch keeps the one it was made with, so a GTIN
        changed in the catalog later neither makes its codes fake nor its new prints wrong."""
        await create_tenant(db, "acme")
        product = await create_product(db, "acme")
        old_batch = await create_batch(db, "acme", "bottle", 2, product_id=product.id)
        [token] = await _tokens(db, "acme", [old_batch.first_serial])
        async with system(db, "acme") as ctx:
            await codes.activate(ctx, ActivationCreate(range=_range(old_batch.first_serial, old_batch.last_serial),
                                                       product_id=product.id))  # fmt: skip
            renumbered = await catalog.update_product(ctx, product.id, ProductUpdate(gtin=new_gtin()))
        assert renumbered.gtin != product.gtin
        new_batch = await create_batch(db, "acme", "bottle", 2, product_id=product.id)
        async with system(db, "acme") as ctx:
            printed = await codes.resolve(ctx, f"https://m.brand.cn/01/{product.gtin}/21/{token}")
            assert printed.state == "active"
            assert printed.url is not None and f"/01/{product.gtin}/21/" in printed.url  # as it is printed
            assert (await codes.get_batch(ctx, new_batch.id)).gtin == renumbered.gtin
            assert (await codes.get_batch(ctx, old_batch.id)).gtin == product.gtin


class TestBlocks:
    async def test_a_block_cannot_reach_serials_no_batch_holds_yet(self, db: Database) -> None:
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme")
        first = await create_batch(db, "acme", "bottle", 5, supplier_id=supplier)
        second = await create_batch(db, "acme", "bottle", 5, supplier_id=supplier)
        async with system(db, "acme") as ctx:
            with pytest.raises(UnknownCode) as refused:
                await codes.block(
                    ctx,
                    BlockCreate(
                        range=_range(first.first_serial, second.last_serial + 50), kind="blacklist", reason="stolen"
                    ),
                )
            assert [(d.field, d.code) for d in refused.value.details] == [("range", "unknown")]
            assert f"{second.last_serial + 1}–{second.last_serial + 50}" in refused.value.details[0].message
            across = _range(first.last_serial, second.first_serial)  # two batches, wholly covered
            await codes.block(ctx, BlockCreate(range=across, kind="void", reason="damaged"))
        later = await create_batch(db, "acme", "bottle", 5, supplier_id=supplier)
        async with system(db, "acme") as ctx:
            counts = (await codes.get_batch(ctx, later.id)).counts
            assert counts is not None and (counts.voided, counts.blacklisted) == (0, 0)
            assert (await codes.unit_facts(ctx, second.first_serial)).state == "voided"


class TestLegacyUnits:
    async def test_no_anti_fake_number_names_a_previous_vendors_unit(self, db: Database) -> None:
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme")
        done = await legacy_import(db, "acme", b"code\nOLD-1\nOLD-2\n", "old.csv", supplier, level="case")
        assert done.batch_id is not None
        async with system(db, "acme") as ctx:
            legacy = await codes.get_batch(ctx, done.batch_id)
            number = (await codes.codec(ctx)).anti_fake(legacy.first_serial)
            assert (await codes.resolve(ctx, "OLD-1")).serial == legacy.first_serial
            with pytest.raises(UnknownCode):
                await codes.resolve(ctx, number)
            with pytest.raises(Invalid) as refused:
                await codes.unpack(ctx, UnpackRequest(codes=[number]))
            assert [d.code for d in refused.value.details] == ["unknown_code"]
            with pytest.raises(Invalid):
                await codes.pack(ctx, PackRequest(operations=[PackOperation(parent=number, children=["OLD-2"])]))


class TestLiftingABlacklist:
    async def test_a_blacklisting_is_lifted_through_the_api_and_a_void_is_not(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        await create_tenant(db, "acme")
        batch, _ = await activated_batch(db, "acme", quantity=6)
        operator = await login_session(client, db, await create_staff(db, "acme", roles=("operator",)))
        auditor = await login_session(client, db, await create_staff(db, "acme", roles=("auditor",)))
        first = batch.first_serial
        for kind, low in (("blacklist", first), ("void", first + 3)):
            body = {"kind": kind, "reason": "too_many_scans" if kind == "blacklist" else "misprint",
                    "range": {"serial_from": low, "serial_to": low + 1}}  # fmt: skip
            assert (await client.post("/api/v1/codes/blocks", json=body, headers=operator)).status_code == 201
        listed = await client.get(f"/api/v1/codes/batches/{batch.id}/blocks", headers=auditor)
        assert listed.status_code == 200
        blocks = {b["kind"]: b["id"] for b in listed.json()}
        [token] = await _tokens(db, "acme", [first])
        async with system(db, "acme") as ctx:
            assert (await codes.resolve(ctx, token)).state == "blacklisted"

        assert (await client.delete(f"/api/v1/codes/blocks/{blocks['blacklist']}", headers=auditor)).status_code == 403
        void = await client.delete(f"/api/v1/codes/blocks/{blocks['void']}", headers=operator)
        assert (void.status_code, void.json()["error"]["code"]) == (409, "void_is_final")
        lifted = await client.delete(f"/api/v1/codes/blocks/{blocks['blacklist']}", headers=operator)
        assert lifted.status_code == 204
        assert (await client.delete(f"/api/v1/codes/blocks/{blocks['blacklist']}", headers=operator)).status_code == 404
        async with system(db, "acme") as ctx:
            assert (await codes.resolve(ctx, token)).state == "active"
            [entry] = await identity.list_audit(ctx, AuditFilter(action="codes.blacklist_lifted"), 10, None)
        assert entry.changes["runs"] == [[first, first + 1]] and entry.changes["reason"] == "too_many_scans"
        remaining = await client.get(f"/api/v1/codes/batches/{batch.id}/blocks", headers=auditor)
        assert [b["kind"] for b in remaining.json()] == ["void"]
