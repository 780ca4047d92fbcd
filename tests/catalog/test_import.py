"""Importing products from Excel: all rows or none, every problem by row and column."""

from __future__ import annotations

import httpx
import pytest

from tests.catalog.factories import HEADER, create_product, create_spec, workbook
from tests.harness import snapshot
from tests.identity.factories import bearer, create_client, create_tenant, system
from yima.catalog import service as catalog
from yima.catalog.errors import ImportRejected
from yima.catalog.schemas import ImportResult, ProductFilter, SpecUpdate
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter
from yima.platform.db.session import Database


async def _import(db: Database, content: bytes, mode: catalog.ImportMode = "upsert") -> ImportResult:
    async with system(db, "acme") as ctx:
        return await catalog.import_products(ctx, content, mode)


async def _rejected(db: Database, content: bytes, mode: catalog.ImportMode = "upsert") -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as error:
        await _import(db, content, mode)
    return [(p.row, p.column, p.code) for p in error.value.problems]


async def _skus(db: Database) -> list[str]:
    async with system(db, "acme") as ctx:
        return sorted(p.sku for p in await catalog.list_products(ctx, ProductFilter(), 100, None))


@pytest.fixture
async def acme(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_spec(db, "acme", code="JX-6x500")
    await create_spec(db, "acme", code="GP-12x500")


@pytest.mark.usefixtures("acme")
class TestImport:
    async def test_a_good_file_creates_every_row(self, db: Database) -> None:
        content = workbook(
            [
                ["CSH-1985-500", "赤水河 · 1985 纪念酒", 6975123001019, "500ml · 53%vol", "高端酱酒", "JX-6x500"],
                ["CSH-GP-500", "赤水河 · 光瓶老酒", "6975123003013", "", "光瓶酒", "GP-12x500"],
                [None, None, None, None, None, None],  # blank lines are skipped
                [100234, "无条码试制品", None, None, None, None],
            ]
        )
        result = await _import(db, content)
        assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
        async with system(db, "acme") as ctx:
            gp = await catalog.find_product(ctx, "CSH-GP-500")
            trial = await catalog.find_product(ctx, "100234")
            [entry] = await identity.list_audit(ctx, AuditFilter(action="product.imported"), 10, None)
        assert gp is not None and (gp.gtin, gp.packaging_spec_code, gp.category) == (
            "06975123003013",
            "GP-12x500",
            "光瓶酒",
        )
        assert trial is not None and trial.gtin is None and trial.packaging_spec_code is None
        assert entry.changes["created"] == ["CSH-1985-500", "CSH-GP-500", "100234"]

    async def test_a_bad_file_reports_every_problem_by_row_and_column_and_imports_nothing(self, db: Database) -> None:
        await create_product(db, "acme", sku="EXISTING", gtin="6975123001026")
        async with system(db, "acme") as ctx:
            idle = await catalog.find_spec(ctx, "GP-12x500")
            assert idle is not None
            await catalog.update_spec(ctx, idle.id, SpecUpdate(active=False))
        before = await snapshot(db, await _tenant_id(db))
        content = workbook(
            [
                ["OK-1", "好的一行", "6975123001019", "", "", "JX-6x500"],  # row 2
                ["BAD-GTIN", "校验位错", "6975123001018", "", "", ""],  # row 3
                ["OK-1", "重复 SKU", "", "", "", ""],  # row 4
                ["", "", "", "", "", ""],  # row 5: blank, skipped
                ["NO-NAME", "", "", "", "", "NOPE"],  # row 6
                ["TAKEN", "别人的条码", "6975123001026", "", "", "GP-12x500"],  # row 7
                ["DUP-GTIN", "文件内重复条码", "06975123001019", "", "", ""],  # row 8
                ["坏 SKU", "格式", "12345", "", "", ""],  # row 9
            ]
        )
        assert await _rejected(db, content) == [
            (3, "GTIN", "gtin_check_digit"),
            (4, "SKU", "duplicate_in_file"),
            (6, "名称 name", "missing"),
            (6, "包装规格 packaging spec", "unknown_spec"),
            (7, "包装规格 packaging spec", "spec_inactive"),
            (7, "GTIN", "taken"),
            (8, "GTIN", "duplicate_in_file"),
            (9, "SKU", "string_pattern_mismatch"),
            (9, "GTIN", "gtin_length"),
        ]
        assert await _skus(db) == ["EXISTING"]
        assert await snapshot(db, await _tenant_id(db)) == before

    async def test_an_existing_sku_is_updated_or_refused_in_create_mode(self, db: Database) -> None:
        await create_product(db, "acme", sku="CSH-JZ-500", name="金樽", gtin="6975123001026", category="次高端")
        content = workbook([["CSH-JZ-500", "赤水河 · 金樽", "6975123001026", "500ml", "次高端", "JX-6x500"]])
        assert await _rejected(db, content, "create") == [(2, "SKU", "taken")]
        result = await _import(db, content)
        assert (result.created, result.updated) == (0, 1)
        assert (await _import(db, content)).unchanged == 1
        async with system(db, "acme") as ctx:
            product = await catalog.find_product(ctx, "CSH-JZ-500")
            [entry, _] = await identity.list_audit(ctx, AuditFilter(action="product.imported"), 10, None)
        assert product is not None and (product.name, product.packaging_spec_code) == ("赤水河 · 金樽", "JX-6x500")
        assert entry.changes["updated"] == {}

    async def test_gtins_may_move_between_products_of_one_file(self, db: Database) -> None:
        await create_product(db, "acme", sku="A", gtin="6975123001019")
        await create_product(db, "acme", sku="B", gtin="6975123001026")
        content = workbook([["A", "甲", "6975123001026"], ["B", "乙", "6975123001019"]], header=HEADER[:3])
        assert (await _import(db, content)).updated == 2
        async with system(db, "acme") as ctx:
            a, b = await catalog.find_product(ctx, "A"), await catalog.find_product(ctx, "B")
        assert a is not None and b is not None and (a.gtin, b.gtin) == ("06975123001026", "06975123001019")

    async def test_columns_the_file_lacks_are_left_as_they_are(self, db: Database) -> None:
        await create_product(db, "acme", sku="A", gtin="6975123001019", category="酱酒")
        assert (await _import(db, workbook([["A", "新名字"]], header=["SKU", "名称"]))).updated == 1
        async with system(db, "acme") as ctx:
            product = await catalog.find_product(ctx, "A")
        assert product is not None and (product.name, product.gtin, product.category) == (
            "新名字",
            "06975123001019",
            "酱酒",
        )

    async def test_missing_columns_and_files_that_are_not_workbooks(self, db: Database) -> None:
        assert await _rejected(db, workbook([["A"]], header=["GTIN"])) == [
            (1, "SKU", "missing_column"),
            (1, "名称 name", "missing_column"),
        ]
        assert await _rejected(db, b"PK\x03\x04 not really a zip") == [(0, "", "not_xlsx")]
        assert await _rejected(db, workbook([])) == [(2, "SKU", "empty")]


async def _tenant_id(db: Database) -> int:
    async with system(db, "acme") as ctx:
        return ctx.tenant_id


@pytest.mark.usefixtures("acme")
async def test_the_api_answers_422_with_a_field_per_row(db: Database, client: httpx.AsyncClient) -> None:
    headers = await bearer(client, await create_client(db, "acme", ["catalog:write"]))
    content = workbook([["A-1", "甲", "6975123001018"], ["A-1", "乙", ""]], header=HEADER[:3])
    response = await client.post(
        "/api/v1/catalog/products/import", files={"file": ("p.xlsx", content)}, headers=headers
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import_rejected" and "nothing was imported" in error["message"]
    assert [(d["field"], d["code"]) for d in error["details"]] == [
        ("rows.2.gtin", "gtin_check_digit"),
        ("rows.3.sku", "duplicate_in_file"),
    ]
    assert error["details"][0]["message"] == "row 2, GTIN: the check digit should be 9, not 8"
    good = workbook([["A-1", "甲", "6975123001019"]], header=HEADER[:3])
    created = await client.post(
        "/api/v1/catalog/products/import?mode=create", files={"file": ("p.xlsx", good)}, headers=headers
    )
    assert created.json() == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0}
