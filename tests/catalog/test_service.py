"""The catalog's use cases through its service, on the real database."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.catalog.factories import PNG, create_product, create_spec, new_gtin
from tests.identity.factories import create_staff, create_tenant, staff_ctx, system
from yima.catalog import demo
from yima.catalog import service as catalog
from yima.catalog.schemas import ProductCreate, ProductFilter, ProductUpdate, SpecCreate, SpecFilter, SpecUpdate
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter, RoleCreate
from yima.platform.db.session import Database
from yima.platform.errors import Conflict, Forbidden, Invalid, NotFound


class TestSpecs:
    async def test_a_spec_gets_the_default_faces_and_is_audited(self, db: Database) -> None:
        await create_tenant(db, "acme")
        async with system(db, "acme") as ctx:
            spec = await catalog.create_spec(
                ctx, SpecCreate(code="JX-6x500", name="六瓶箱", bottles_per_case=6, cases_per_pallet=40)
            )
            [entry] = await identity.list_audit(ctx, AuditFilter(action="packaging_spec.created"), 10, None)
        assert (spec.bottle_faces, spec.case_faces, spec.pallet_faces) == (
            ["outer", "inner"],
            ["outer", "inner"],
            ["outer"],
        )
        assert entry.target_id == str(spec.id) and entry.changes["bottles_per_case"] == 6

    async def test_every_bad_field_is_reported_at_once(self) -> None:
        with pytest.raises(ValidationError) as error:
            SpecCreate(
                code="",
                name="x",
                bottles_per_case=0,
                cases_per_pallet=0,
                bottle_faces=[],
                pallet_faces=["outer", "inner"],
            )
        assert {e["loc"][0] for e in error.value.errors()} == {
            "code", "bottles_per_case", "cases_per_pallet", "bottle_faces", "pallet_faces",
        }  # fmt: skip

    async def test_codes_are_unique_per_brand_only(self, db: Database) -> None:
        await create_tenant(db, "acme")
        await create_tenant(db, "other")
        await create_spec(db, "acme", code="STD")
        await create_spec(db, "other", code="STD")
        with pytest.raises(Conflict) as error:
            await create_spec(db, "acme", code="STD")
        assert error.value.details[0].field == "code"

    async def test_an_update_changes_only_what_is_sent_and_audits_the_difference(self, db: Database) -> None:
        await create_tenant(db, "acme")
        spec = await create_spec(db, "acme", bottles_per_case=6)
        async with system(db, "acme") as ctx:
            same = await catalog.update_spec(ctx, spec.id, SpecUpdate())
            changed = await catalog.update_spec(ctx, spec.id, SpecUpdate(bottles_per_case=12, case_faces=["inner"]))
            entries = await identity.list_audit(ctx, AuditFilter(action="packaging_spec.updated"), 10, None)
        assert same.bottles_per_case == 6 and changed.bottles_per_case == 12 and changed.name == spec.name
        assert [e.changes for e in entries] == [
            {"bottles_per_case": [6, 12], "case_faces": [["outer", "inner"], ["inner"]]}
        ]

    async def test_list_filters_and_counts_products(self, db: Database) -> None:
        await create_tenant(db, "acme")
        used = await create_spec(db, "acme", code="USED", name="常用箱")
        idle = await create_spec(db, "acme", code="IDLE", name="闲置")
        await create_product(db, "acme", packaging_spec_id=used.id)
        await create_product(db, "acme", packaging_spec_id=used.id)
        async with system(db, "acme") as ctx:
            await catalog.update_spec(ctx, idle.id, SpecUpdate(active=False))
            everything = await catalog.list_specs(ctx, SpecFilter(), 10, None)
            active = await catalog.list_specs(ctx, SpecFilter(active=True), 10, None)
            searched = await catalog.list_specs(ctx, SpecFilter(q="常用"), 10, None)
        assert [(s.code, s.product_count) for s in everything] == [("IDLE", 0), ("USED", 2)]
        assert [s.code for s in active] == [s.code for s in searched] == ["USED"]


class TestProducts:
    async def test_create_normalises_the_gtin_and_names_the_spec(self, db: Database) -> None:
        await create_tenant(db, "acme")
        spec = await create_spec(db, "acme", code="JX-6x500")
        product = await create_product(
            db,
            "acme",
            sku="CSH-JZ-500",
            gtin="6975123001026",
            specification="500ml · 53%vol · 酱香型",
            packaging_spec_id=spec.id,
        )
        assert (product.gtin, product.packaging_spec_code, product.status) == ("06975123001026", "JX-6x500", "active")

    async def test_a_duplicate_sku_and_gtin_is_a_conflict_naming_both_fields(self, db: Database) -> None:
        await create_tenant(db, "acme")
        first = await create_product(db, "acme", sku="A-1", gtin="6975123001026")
        with pytest.raises(Conflict) as error:
            await create_product(db, "acme", sku="A-1", gtin="06975123001026")
        assert [(d.field, d.code) for d in error.value.details] == [("sku", "taken"), ("gtin", "taken")]
        assert f"product {first.id}" in error.value.details[0].message

    async def test_an_unknown_or_inactive_spec_is_refused(self, db: Database) -> None:
        await create_tenant(db, "acme")
        await create_tenant(db, "other")
        foreign = await create_spec(db, "other")
        idle = await create_spec(db, "acme")
        async with system(db, "acme") as ctx:
            await catalog.update_spec(ctx, idle.id, SpecUpdate(active=False))
        for spec_id, code in ((foreign.id, "unknown_spec"), (idle.id, "spec_inactive")):
            with pytest.raises(Invalid) as error:
                await create_product(db, "acme", packaging_spec_id=spec_id)
            assert (error.value.details[0].field, error.value.details[0].code) == ("packaging_spec_id", code)

    async def test_update_changes_what_is_sent_and_null_clears_the_gtin(self, db: Database) -> None:
        await create_tenant(db, "acme")
        product = await create_product(db, "acme", name="旧名", category="酱酒")
        async with system(db, "acme") as ctx:
            renamed = await catalog.update_product(ctx, product.id, ProductUpdate(name="新名"))
            cleared = await catalog.update_product(ctx, product.id, ProductUpdate(gtin=None))
            [entry, _] = await identity.list_audit(ctx, AuditFilter(action="product.updated"), 10, None)
        assert (renamed.name, renamed.category, renamed.gtin) == ("新名", "酱酒", product.gtin)
        assert cleared.gtin is None and entry.changes == {"gtin": [product.gtin, None]}

    async def test_taking_another_products_gtin_is_a_conflict(self, db: Database) -> None:
        await create_tenant(db, "acme")
        one = await create_product(db, "acme")
        two = await create_product(db, "acme")
        async with system(db, "acme") as ctx:
            with pytest.raises(Conflict):
                await catalog.update_product(ctx, two.id, ProductUpdate(gtin=one.gtin))
            with pytest.raises(Conflict):
                await catalog.update_product(ctx, two.id, ProductUpdate(sku=one.sku))

    async def test_discontinue_is_audited_once_and_can_be_undone(self, db: Database) -> None:
        await create_tenant(db, "acme")
        product = await create_product(db, "acme")
        async with system(db, "acme") as ctx:
            assert (await catalog.discontinue_product(ctx, product.id)).status == "discontinued"
            await catalog.discontinue_product(ctx, product.id)
            again = await catalog.update_product(ctx, product.id, ProductUpdate(status="active"))
            actions = [e.action for e in await identity.list_audit(ctx, AuditFilter(), 10, None)]
        assert again.status == "active"
        assert actions[:2] == ["product.updated", "product.discontinued"] and actions.count("product.discontinued") == 1

    async def test_list_searches_filters_and_pages_newest_first(self, db: Database) -> None:
        await create_tenant(db, "acme")
        spec = await create_spec(db, "acme")
        gold = await create_product(db, "acme", name="赤水河 · 金樽", category="次高端", packaging_spec_id=spec.id)
        silver = await create_product(db, "acme", name="赤水河 · 银樽", category="次高端")
        old = await create_product(db, "acme", name="老酱", gtin="6975123001057")
        async with system(db, "acme") as ctx:
            await catalog.discontinue_product(ctx, old.id)

            async def skus(**filters: object) -> list[str]:
                return [p.sku for p in await catalog.list_products(ctx, ProductFilter(**filters), 10, None)]

            assert await skus() == [old.sku, silver.sku, gold.sku]
            assert await skus(q="赤水河") == [silver.sku, gold.sku]
            assert await skus(q="697512300105") == [old.sku]  # part of a GTIN
            assert await skus(status="discontinued") == [old.sku]
            assert await skus(spec_id=spec.id) == [gold.sku]
            assert await skus(category="次高端") == [silver.sku, gold.sku]
            assert await skus(q="100%_") == []  # LIKE wildcards are literal
            first = await catalog.list_products(ctx, ProductFilter(), 2, None)
            rest = await catalog.list_products(ctx, ProductFilter(), 2, first[1].id)
            assert await catalog.list_categories(ctx) == ["次高端"]
        assert len(first) == 3 and [p.sku for p in rest] == [gold.sku]

    async def test_another_brand_sees_none_of_it(self, db: Database) -> None:
        await create_tenant(db, "acme")
        await create_tenant(db, "other")
        product = await create_product(db, "acme", gtin="6975123001026")
        mine = await create_product(db, "other", gtin="6975123001026")  # the same GTIN in another brand
        async with system(db, "other") as ctx:
            with pytest.raises(NotFound):
                await catalog.get_product(ctx, product.id)
            assert [p.id for p in await catalog.list_products(ctx, ProductFilter(), 10, None)] == [mine.id]

    async def test_other_contexts_look_products_up_without_catalog_permissions(self, db: Database) -> None:
        await create_tenant(db, "acme")
        spec = await create_spec(db, "acme")
        product = await create_product(db, "acme", packaging_spec_id=spec.id)
        async with system(db, "acme") as ctx:
            await identity.create_role(ctx, RoleCreate(code="viewer", name="只看员工", permissions=["staff:read"]))
        await create_staff(db, "acme", "viewer", roles=("viewer",))
        async with staff_ctx(db, "viewer") as ctx:
            with pytest.raises(Forbidden):
                await catalog.get_product(ctx, product.id)
            assert (await catalog.lookup_product(ctx, product.id)).packaging_spec_code == spec.code
            assert (await catalog.lookup_spec(ctx, spec.id)).bottles_per_case == spec.bottles_per_case

    async def test_roles_read_and_write_as_the_domain_says(self, db: Database) -> None:
        await create_tenant(db, "acme")
        product = await create_product(db, "acme")
        await create_staff(db, "acme", "fin", roles=("finance",))
        async with staff_ctx(db, "fin") as ctx:
            assert (await catalog.get_product(ctx, product.id)).id == product.id
            with pytest.raises(Forbidden):
                await catalog.update_product(ctx, product.id, ProductUpdate(name="x"))


class TestImages:
    async def test_an_uploaded_image_is_stored_once_and_served_back(self, db: Database) -> None:
        await create_tenant(db, "acme")
        one = await create_product(db, "acme")
        two = await create_product(db, "acme")
        async with system(db, "acme") as ctx:
            assert (await catalog.set_product_image(ctx, one.id, PNG)).image_uploaded
            await catalog.set_product_image(ctx, two.id, PNG)
            first, second = await catalog.product_image(ctx, one.id), await catalog.product_image(ctx, two.id)
            assert first.path == second.path and first.path is not None and first.path.read_bytes() == PNG
            assert first.media_type == "image/png" and first.path.parent.name == str(ctx.tenant_id)
            with pytest.raises(Invalid) as error:
                await catalog.set_product_image(ctx, one.id, b"<svg onload=alert(1)>")
            assert error.value.details[0].code == "not_an_image"

    async def test_an_image_url_replaces_the_file_and_removing_clears_both(self, db: Database) -> None:
        await create_tenant(db, "acme")
        product = await create_product(db, "acme", gtin=new_gtin())
        async with system(db, "acme") as ctx:
            await catalog.set_product_image(ctx, product.id, PNG)
            url = "https://img.example.com/csh/jz.png"
            updated = await catalog.update_product(ctx, product.id, ProductUpdate(image_url=url))
            assert (updated.image_url, updated.image_uploaded) == (url, False)
            assert (await catalog.product_image(ctx, product.id)).url == url
            await catalog.remove_product_image(ctx, product.id)
            with pytest.raises(NotFound):
                await catalog.product_image(ctx, product.id)


def test_the_create_schema_lists_every_problem() -> None:
    with pytest.raises(ValidationError) as error:
        ProductCreate(sku="含空格 sku", name=" ", gtin="6901234567893", image_url="javascript:alert(1)")
    assert {(e["loc"][0], e["type"]) for e in error.value.errors()} == {
        ("sku", "string_pattern_mismatch"),
        ("name", "string_too_short"),
        ("gtin", "gtin_check_digit"),
        ("image_url", "string_pattern_mismatch"),
    }


async def test_the_demo_catalog_is_seeded_once(db: Database) -> None:
    await create_tenant(db, "demo-like")
    for _ in range(2):
        async with system(db, "demo-like") as ctx:
            await demo.seed(ctx)
    async with system(db, "demo-like") as ctx:
        specs = await catalog.list_specs(ctx, SpecFilter(), 50, None)
        products = await catalog.list_products(ctx, ProductFilter(), 50, None)
    assert sorted(s.code for s in specs) == ["GP-12x500", "JX-6x500", "LH-2x500"]
    assert len(products) == len(demo.PRODUCTS) and all(p.gtin and p.packaging_spec_code for p in products)
    assert [p.sku for p in products if p.status == "discontinued"] == ["CSH-LJ-500"]
    assert next(s for s in specs if s.code == "GP-12x500").bottle_faces == ["inner"]
