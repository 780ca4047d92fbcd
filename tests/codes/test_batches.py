"""The life of a batch: reserve, build the print file, export, activate, resolve, void."""

from __future__ import annotations

import csv
import io
import itertools

import httpx
import pytest

from tests.catalog.factories import create_product
from tests.codes.factories import activate, activated_batch, create_batch, create_supplier
from tests.identity.factories import bearer, create_client, create_tenant, system
from yima.codes import service as codes
from yima.codes.errors import BadCode, UnknownCode
from yima.codes.package import open_package, parse_key
from yima.codes.schemas import ActivationCreate, BlockCreate, ExportCreate, SerialRange, SupplierUpdate
from yima.platform.db.session import Database
from yima.platform.errors import Invalid


async def _print_file(db: Database, slug: str, export_id: int, key: str) -> list[dict[str, str]]:
    async with system(db, slug) as ctx:
        path, _ = await codes.download_export(ctx, export_id)
    with path.open("rb") as source:
        text = b"".join(open_package(source, parse_key(key))).decode()
    return list(csv.DictReader(io.StringIO(text)))


async def test_a_batch_is_one_row_and_its_print_file_decodes_to_its_units(db: Database) -> None:
    await create_tenant(db, "acme")
    batch = await create_batch(db, "acme", "bottle", 50)
    assert batch.last_serial - batch.first_serial + 1 == 50
    rows = await _print_file(db, "acme", batch.export.id, batch.export.package_key)
    assert [int(r["serial"]) for r in rows] == list(range(batch.first_serial, batch.last_serial + 1))
    async with system(db, "acme") as ctx:
        brand = await codes.codec(ctx)
        for row in rows:
            outer, inner = brand.decode(row["outer_token"]), brand.decode(row["inner_token"])
            assert outer is not None and inner is not None
            assert (outer.serial, outer.face.name, inner.serial, inner.face.name) == (
                int(row["serial"]),
                "OUTER",
                int(row["serial"]),
                "INNER",
            )
            assert row["inner_url"].endswith("/C/" + row["inner_token"])
            assert brand.serial_of_anti_fake(row["anti_fake_code"]) == int(row["serial"])
        listed = await codes.get_batch(ctx, batch.id)
    assert listed.state == "exported"
    assert listed.counts is not None and listed.counts.activated == 0


async def test_pallets_print_one_face(db: Database) -> None:
    await create_tenant(db, "acme")
    batch = await create_batch(db, "acme", "pallet", 3)
    rows = await _print_file(db, "acme", batch.export.id, batch.export.package_key)
    assert all(r["outer_token"] and not r["inner_token"] for r in rows)


async def test_a_code_is_inactive_until_activated_then_resolves_every_way(db: Database) -> None:
    await create_tenant(db, "acme")
    product = await create_product(db, "acme")
    batch = await create_batch(db, "acme", "bottle", 10, product_id=product.id)
    rows = await _print_file(db, "acme", batch.export.id, batch.export.package_key)
    async with system(db, "acme") as ctx:
        before = await codes.resolve(ctx, rows[3]["inner_url"])
    assert (before.state, before.product) == ("inactive", None)
    await activate(db, "acme", batch.first_serial, batch.first_serial + 4, product.id, lot="L20261123")
    async with system(db, "acme") as ctx:
        for text in (rows[3]["inner_url"], rows[3]["inner_token"].lower(), rows[3]["anti_fake_code"]):
            found = await codes.resolve(ctx, text)
            assert (found.serial, found.state, found.lot) == (int(rows[3]["serial"]), "active", "L20261123")
            assert found.product is not None and found.product.sku == product.sku
        assert "/01/" in rows[3]["inner_url"]  # a batch with a known product prints Digital Links
        outside = await codes.resolve(ctx, rows[7]["outer_token"])
        assert (outside.state, outside.face) == ("inactive", "outer")


async def test_unknown_and_foreign_codes_are_refused(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_tenant(db, "rival")
    theirs = await create_batch(db, "rival", "bottle", 3)
    rows = await _print_file(db, "rival", theirs.export.id, theirs.export.package_key)
    await create_batch(db, "acme", "bottle", 3)
    async with system(db, "acme") as ctx:
        # ...and digits str.isdigit() passes but int() refuses (a 500 once), or full-width junk.
        odd = ("¹²³⁴⁵⁶⁷⁸⁹⁰¹²", "١٢٣٤٥٦٧٨٩٠١٢", "1234567890¹x", "ＺＺＺ" + "０" * 17)
        for text in (rows[0]["inner_token"], "ZZZ" + "0" * 17, "https://x.cn/c/nothing", "000000000000", *odd):
            with pytest.raises(UnknownCode):
                await codes.resolve(ctx, text)
        with pytest.raises(BadCode):
            await codes.resolve(ctx, "https://x.cn/01/06901234567890/21/ABC")


async def test_activation_is_all_or_nothing_and_lists_every_problem(db: Database) -> None:
    await create_tenant(db, "acme")
    product = await create_product(db, "acme")
    first = await create_batch(db, "acme", "bottle", 10)
    await create_batch(db, "acme", "case", 10)
    await activate(db, "acme", first.first_serial, first.first_serial + 1, product.id)
    async with system(db, "acme") as ctx:
        with pytest.raises(Invalid) as refused:
            await codes.activate(
                ctx,
                ActivationCreate(
                    range=SerialRange(serial_from=first.first_serial, serial_to=first.last_serial + 3),
                    product_id=product.id,
                ),
            )
        codes_found = {d.code for d in refused.value.details}
        assert codes_found == {"outside_batch", "active"}
        batch = await codes.get_batch(ctx, first.id)
    assert batch.counts is not None and batch.counts.activated == 2


async def test_void_and_blacklist_say_why(db: Database) -> None:
    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=10)
    async with system(db, "acme") as ctx:
        await codes.block(
            ctx,
            BlockCreate(
                range=SerialRange(serial_from=batch.first_serial, serial_to=batch.first_serial),
                kind="blacklist",
                reason="too_many_scans",
            ),
        )
        blocked = await codes.unit_facts(ctx, batch.first_serial)
        assert (blocked.state, blocked.block_reason) == ("blacklisted", "too_many_scans")
        voided = await codes.void_batch(ctx, batch.id, "lost at the printer")
        assert voided.state == "voided"
        assert voided.counts is not None and (voided.counts.voided, voided.counts.blacklisted) == (10, 1)
        assert (await codes.unit_facts(ctx, batch.first_serial + 5)).state == "voided"


async def test_serials_never_collide_across_batches(db: Database) -> None:
    await create_tenant(db, "acme")
    supplier = await create_supplier(db, "acme")
    batches = [await create_batch(db, "acme", "bottle", n, supplier_id=supplier) for n in (5, 1, 7)]
    ranges = sorted((b.first_serial, b.last_serial) for b in batches)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))


async def test_the_api_round_trip(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    product = await create_product(db, "acme")
    headers = await bearer(client, await create_client(db, "acme", ["codes:read", "codes:write", "catalog:read"]))
    supplier = await client.post(
        "/api/v1/codes/suppliers", json={"name": "盖厂", "kind": "cap_factory"}, headers=headers
    )
    assert supplier.status_code == 201
    created = await client.post(
        "/api/v1/codes/batches",
        json={"level": "bottle", "quantity": 20, "supplier_id": supplier.json()["id"]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert len(body["export"]["package_key"].replace("-", "")) == 52
    bad = await client.post(
        "/api/v1/codes/activations",
        json={
            "range": {"serial_from": body["first_serial"], "serial_to": body["first_serial"] + 99},
            "product_id": product.id,
        },
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["code"] == "outside_batch"
    good = await client.post(
        "/api/v1/codes/activations",
        json={
            "range": {"serial_from": body["first_serial"], "serial_to": body["last_serial"]},
            "product_id": product.id,
        },
        headers=headers,
    )
    assert good.status_code == 201
    batch = await client.get(f"/api/v1/codes/batches/{body['id']}", headers=headers)
    assert batch.json()["counts"]["activated"] == 20


async def test_codes_typed_in_full_width_resolve(db: Database) -> None:
    """A Chinese input method in full-width mode types Ａ１ and the ideographic space."""
    await create_tenant(db, "acme")
    batch = await create_batch(db, "acme", "bottle", 3)
    rows = await _print_file(db, "acme", batch.export.id, batch.export.package_key)
    wide = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})
    number = rows[1]["anti_fake_code"]
    async with system(db, "acme") as ctx:
        token = await codes.resolve(ctx, rows[1]["inner_token"].translate(wide))
        typed = await codes.resolve(ctx, f"{number[:4]} {number[4:8]} {number[8:]}".translate(wide))
    assert (token.serial, token.face, typed.serial) == (batch.first_serial + 1, "inner", batch.first_serial + 1)


async def test_a_disabled_supplier_gets_no_more_packages(db: Database) -> None:
    await create_tenant(db, "acme")
    batch = await create_batch(db, "acme", "bottle", 3)
    async with system(db, "acme") as ctx:
        await codes.update_supplier(ctx, batch.supplier_id, SupplierUpdate(is_active=False))
        with pytest.raises(Invalid) as refused:
            await codes.request_export(ctx, batch.id, ExportCreate(format="csv"))
        assert [(d.field, d.code) for d in refused.value.details] == [("supplier_id", "inactive")]
        assert len(await codes.list_exports(ctx, batch.id)) == 1  # the first one, made when it was active
