"""Importing dealers, stores and warehouses from Excel: all rows or none, every problem by row and
column, regions by code or name."""

from __future__ import annotations

import httpx
import pytest

from tests.harness import snapshot
from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.partners.factories import create_dealer, create_store, workbook
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter
from yima.partners import rules
from yima.partners import service as partners
from yima.partners.errors import ImportRejected
from yima.partners.schemas import DealerFilter, ImportMode, ImportResult, StoreFilter
from yima.platform.db.session import Database

IMPORTS = {
    "dealers": partners.import_dealers,
    "stores": partners.import_stores,
    "warehouses": partners.import_warehouses,
}


async def _import(db: Database, kind: rules.SheetKind, content: bytes, mode: ImportMode = "upsert") -> ImportResult:
    async with system(db, "acme") as ctx:
        return await IMPORTS[kind](ctx, content, mode)


async def _rejected(
    db: Database, kind: rules.SheetKind, content: bytes, mode: ImportMode = "upsert"
) -> list[tuple[int, str, str, str]]:
    async with system(db, "acme") as ctx:
        tenant_id = ctx.tenant_id
    before = await snapshot(db, tenant_id)
    with pytest.raises(ImportRejected) as error:
        await _import(db, kind, content, mode)
    assert await snapshot(db, tenant_id) == before  # nothing was applied
    return [(p.row, p.field, p.code, p.value) for p in error.value.problems]


@pytest.fixture(autouse=True)
async def acme(db: Database) -> None:
    await create_tenant(db, "acme")


class TestDealers:
    async def test_a_good_file_creates_dealers_with_territories_by_code_or_name(self, db: Database) -> None:
        content = workbook(
            "dealers",
            [
                [
                    "D-CD-001",
                    "成都蓉城酒业",
                    "张伟",
                    13800000001,
                    "四川省成都市锦江区东大街 100 号",
                    None,
                    "成都市、重庆",
                ],
                ["D-SH-001", "上海申禾酒业", None, None, None, "上海市静安区", "310000, 浙江省杭州市"],
                [None] * 7,  # blank lines are skipped
                [100234, "无区域经销商", None, None, None, 510104, None],
            ],
        )
        result = await _import(db, "dealers", content)
        assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
        async with system(db, "acme") as ctx:
            chengdu = await partners.find_dealer(ctx, "D-CD-001")
            shanghai = await partners.find_dealer(ctx, "D-SH-001")
            plain = await partners.find_dealer(ctx, "100234")
            [entry] = await identity.list_audit(ctx, AuditFilter(action="dealer.imported"), 10, None)
        assert chengdu and shanghai and plain
        assert (chengdu.phone, chengdu.region_code) == ("13800000001", "510104")
        assert [r.code for r in chengdu.territory] == ["500000", "510100"]
        assert shanghai.region_code == "310106" and [r.code for r in shanghai.territory] == ["310000", "330100"]
        assert plain.region_code == "510104" and plain.territory == []
        assert entry.changes["created"] == ["D-CD-001", "D-SH-001", "100234"]

    async def test_importing_again_updates_and_replaces_territories(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme", code="D-1", name="旧名", territory=["510100"])
        await create_dealer(db, "acme", code="D-2", name="不变", territory=["500000"])
        header = ["经销商编码", "名称", "经营区域"]  # only these columns: the others stay as they are
        content = workbook("dealers", [["D-1", "新名", "四川省"], ["D-2", "不变", "500000"]], head=header)
        result = await _import(db, "dealers", content)
        assert (result.rows, result.created, result.updated, result.unchanged) == (2, 0, 1, 1)
        async with system(db, "acme") as ctx:
            updated = await partners.get_dealer(ctx, dealer.id)
        assert updated.name == "新名" and [r.code for r in updated.territory] == ["510000"]

    async def test_a_bad_file_reports_every_problem_by_row_and_imports_nothing(self, db: Database) -> None:
        await create_dealer(db, "acme", code="D-OLD")
        content = workbook(
            "dealers",
            [
                ["D-1", "好的一行", None, None, None, None, "510100"],  # row 2
                ["D-2", "未知代码", None, None, None, None, "510100、519999"],  # row 3
                ["D-3", "同名区域", None, None, None, "朝阳区", "火星市"],  # row 4
                ["D-1", "", None, "tel:1", None, None, None],  # row 5
                ["D-OLD", "已存在", None, None, None, None, None],  # row 6: refused in create mode
            ],
        )
        problems = await _rejected(db, "dealers", content, "create")
        assert problems == [
            (3, "territory", "unknown_region", "519999"),
            (4, "region", "ambiguous_region", "朝阳区"),
            (4, "territory", "unknown_region", "火星市"),
            (5, "name", "missing", ""),
            (5, "phone", "string_pattern_mismatch", "tel:1"),
            (5, "code", "duplicate_in_file", "D-1"),
            (6, "code", "taken", "D-OLD"),
        ]
        async with system(db, "acme") as ctx:
            assert [d.code for d in await partners.list_dealers(ctx, DealerFilter(), 10, None)] == ["D-OLD"]

    async def test_what_is_not_a_dealers_sheet_is_refused(self, db: Database) -> None:
        assert await _rejected(db, "dealers", workbook("dealers", [["D-1"]], head=["编码"])) == [
            (1, "name", "missing_column", "")
        ]
        assert await _rejected(db, "dealers", workbook("dealers", [])) == [(2, "code", "empty", "")]
        assert await _rejected(db, "dealers", b"code,name\nD-1,x\n") == [(0, "file", "not_xlsx", "")]
        too_big = b"x" * (rules.MAX_IMPORT_BYTES + 1)
        assert await _rejected(db, "dealers", too_big) == [(0, "file", "too_large", "")]

    async def test_an_export_imports_back_unchanged(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme", territory=["510100", "500000"], phone="13800000001")
        await create_store(db, "acme", dealer.id)
        async with system(db, "acme") as ctx:
            dealers = await partners.export_dealers(ctx, DealerFilter())
            stores = await partners.export_stores(ctx, StoreFilter())
        assert (await _import(db, "dealers", dealers)).unchanged == 1
        assert (await _import(db, "stores", stores)).unchanged == 1


class TestStores:
    async def test_stores_name_their_dealer_by_code(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme", code="D-CD", territory=["510100"])
        content = workbook(
            "stores",
            [
                ["S-1", "春熙路店", "D-CD", "李红", 13900000001, "成都市锦江区春熙路88号", *[None] * 3, "烟酒店", "A"],
                ["S-2", "无地址店", "D-CD", None, None, None, None, 30.657, 104.081, None, None],
                ["S-3", "未分配店", None, None, None, None, "重庆市", None, None, None, None],
            ],
        )  # fmt: skip
        assert (await _import(db, "stores", content)).created == 3
        async with system(db, "acme") as ctx:
            stores = {s.code: s for s in await partners.list_stores(ctx, StoreFilter(), 10, None)}
        assert (stores["S-1"].dealer_id, stores["S-1"].region_code, stores["S-1"].owner_phone) == (
            dealer.id,
            "510104",
            "13900000001",
        )
        assert stores["S-2"].region_code == "510108" and stores["S-2"].in_dealer_territory
        assert stores["S-3"].dealer_id is None and stores["S-3"].region_code == "500000"

    async def test_unknown_or_inactive_dealers_and_half_points_are_problems(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme", code="D-OFF")
        async with system(db, "acme") as ctx:
            await partners.deactivate_dealer(ctx, dealer.id)
        content = workbook(
            "stores",
            [
                ["S-1", "店一", "D-NONE", None, None, None, None, None, None, None, None],
                ["S-2", "店二", "D-OFF", None, None, None, None, 30.6, None, None, None],
                ["S-3", "店三", None, None, None, None, None, 91, 104, None, None],
            ],
        )
        assert await _rejected(db, "stores", content) == [
            (2, "dealer_code", "unknown_dealer", "D-NONE"),
            (3, "lon", "point_incomplete", ""),
            (3, "dealer_code", "dealer_inactive", "D-OFF"),
            (4, "lat", "less_than_equal", "91"),
        ]


class TestWarehouses:
    async def test_kinds_by_name_and_bad_kinds(self, db: Database) -> None:
        good = workbook("warehouses", [["WH-1", "仁怀中心仓", "中心仓", "贵州省遵义市仁怀市茅台镇", None, None, None]])
        assert (await _import(db, "warehouses", good)).created == 1
        async with system(db, "acme") as ctx:
            made = await partners.find_warehouse(ctx, "WH-1")
        assert made and (made.kind, made.region_code) == ("central", "520382")
        bad = workbook("warehouses", [["WH-2", "坏类型", "冷库", None, None, None, None]])
        assert await _rejected(db, "warehouses", bad) == [(2, "kind", "literal_error", "冷库")]


async def test_the_api_reports_problems_in_the_error_shape(db: Database, client: httpx.AsyncClient) -> None:
    headers = await bearer(client, await create_client(db, "acme", ["partners:write"]))
    content = workbook("dealers", [["D-1", "成都", None, None, None, None, "519999"]])
    files = {"file": ("dealers.xlsx", content, "application/octet-stream")}
    response = await client.post("/api/v1/partners/dealers/import", files=files, headers=headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import_rejected"
    assert error["details"] == [
        {
            "field": "rows.2.territory",
            "message": "row 2, 经营区域 territory: no GB/T 2260 region 519999",
            "code": "unknown_region",
        }
    ]
    good = workbook("dealers", [["D-1", "成都", None, None, None, None, "510100"]])
    files = {"file": ("dealers.xlsx", good, "application/octet-stream")}
    created = await client.post("/api/v1/partners/dealers/import", files=files, headers=headers)
    assert created.status_code == 200 and created.json() == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0}
