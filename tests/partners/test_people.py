"""Salesmen (业务员) and guides (导购): granted through the API with the ids their kind needs, a
store's salesman of its own dealer or of the brand, the reads rebates use, and the channel
accounts' spreadsheet (all rows or none; an export imports back unchanged)."""

from __future__ import annotations

import io

import httpx
import pytest
from openpyxl import load_workbook

from tests.harness import snapshot
from tests.identity.factories import bearer, create_client, create_staff, create_tenant, login_session, system
from tests.partners.factories import channel_auth, create_dealer, create_store, workbook
from yima.members import service as members
from yima.members.events import PersonsMerged
from yima.partners import rules
from yima.partners import service as partners
from yima.partners.errors import ImportRejected
from yima.partners.handlers import follow_the_person
from yima.platform.db.session import Database

API = "/api/v1/partners"
SALESMAN, GUIDE, OTHER = "13900000011", "13900000012", "13900000013"


@pytest.fixture
async def staff(db: Database, client: httpx.AsyncClient) -> dict[str, str]:
    await create_tenant(db, "acme")
    return await bearer(client, await create_client(db, "acme", ["partners:read", "partners:write"]))


async def _grant(client: httpx.AsyncClient, staff: dict[str, str], phone: str, **body: object) -> httpx.Response:
    return await client.post(f"{API}/accounts", json={"phone": phone, "name": "赵六"} | body, headers=staff)


def _problem(response: httpx.Response) -> tuple[int, str, str]:
    detail = response.json()["error"]["details"][0]
    return response.status_code, detail["field"], detail["code"]


class TestGranting:
    async def test_salesmen_of_a_dealer_or_of_the_brand(
        self, db: Database, client: httpx.AsyncClient, staff: dict[str, str]
    ) -> None:
        dealer = await create_dealer(db, "acme", name="成都蓉城酒业")
        store = await create_store(db, "acme", dealer.id)
        of_dealer = await _grant(client, staff, SALESMAN, kind="salesman", dealer_id=dealer.id)
        assert (of_dealer.status_code, of_dealer.json()["kind_name"], of_dealer.json()["partner_name"]) == (
            201, "业务员", "成都蓉城酒业",
        )  # fmt: skip
        brand = await _grant(client, staff, SALESMAN, kind="salesman")
        assert (brand.status_code, brand.json()["dealer_id"], brand.json()["partner_name"]) == (201, None, "")
        assert _problem(await _grant(client, staff, SALESMAN, kind="salesman")) == (409, "phone", "role_exists")
        assert _problem(await _grant(client, staff, OTHER, kind="salesman", store_id=store.id)) == (
            422, "store_id", "wrong_partner",
        )  # fmt: skip
        assert _problem(await _grant(client, staff, OTHER, kind="salesman", dealer_id=999_999)) == (
            422, "dealer_id", "not_found",
        )  # fmt: skip
        read = await client.get(f"{API}/accounts/{brand.json()['id']}", headers=staff)
        assert read.json()["kind"] == "salesman"

    async def test_guides_of_a_store_or_of_an_area(
        self, db: Database, client: httpx.AsyncClient, staff: dict[str, str]
    ) -> None:
        store = await create_store(db, "acme", name="锦江烟酒店")
        of_store = await _grant(client, staff, GUIDE, kind="guide", store_id=store.id)
        assert (of_store.status_code, of_store.json()["partner_name"]) == (201, "锦江烟酒店")
        area = await _grant(client, staff, GUIDE, kind="guide", region_code="510104")
        assert (area.status_code, area.json()["region_code"]) == (201, "510104")
        assert "锦江区" in area.json()["partner_name"]
        assert _problem(await _grant(client, staff, OTHER, kind="guide")) == (422, "store_id", "wrong_partner")
        both = await _grant(client, staff, OTHER, kind="guide", store_id=store.id, region_code="510104")
        assert _problem(both) == (422, "region_code", "wrong_partner")
        city = await _grant(client, staff, OTHER, kind="guide", region_code="510100")
        assert _problem(city) == (422, "region_code", "not_a_district")
        nowhere = await _grant(client, staff, OTHER, kind="guide", region_code="999999")
        assert _problem(nowhere) == (422, "region_code", "unknown_region")
        assert _problem(await _grant(client, staff, OTHER, kind="store_clerk", region_code="510104")) == (
            422, "region_code", "wrong_partner",
        )  # fmt: skip
        listed = await client.get(f"{API}/accounts", params={"kind": "guide", "region_code": "510104"}, headers=staff)
        assert [r["id"] for r in listed.json()["items"]] == [area.json()["id"]]

    async def test_salesmen_and_guides_move_no_goods_and_open_no_cases(
        self, db: Database, client: httpx.AsyncClient, staff: dict[str, str]
    ) -> None:
        dealer = await create_dealer(db, "acme")
        store = await create_store(db, "acme", dealer.id)
        salesman = (await _grant(client, staff, SALESMAN, kind="salesman", dealer_id=dealer.id)).json()
        guide = (await _grant(client, staff, GUIDE, kind="guide", store_id=store.id)).json()
        assert rules.ROLE_PERMISSIONS["salesman"] == {rules.CHANNEL_SELF}
        assert rules.ROLE_PERMISSIONS["guide"] == {rules.CHANNEL_SELF, rules.GUIDE_SCAN}
        assert rules.role_party("salesman", salesman["id"], dealer.id, None) == ("salesman", salesman["id"])
        assert rules.role_party("guide", guide["id"], None, store.id) == ("guide", guide["id"])
        auth = await channel_auth(client, "acme", SALESMAN)
        me = (await client.get(f"{API}/me", headers=auth)).json()
        assert [r["kind"] for r in me["roles"]] == ["salesman"]
        scan = await client.post("/api/v1/rebates/store-scans", json={"code": "x", "store_id": store.id}, headers=auth)
        assert scan.status_code == 403


class TestStoreSalesman:
    async def test_a_dealers_salesman_looks_after_that_dealers_stores_only(
        self, db: Database, client: httpx.AsyncClient, staff: dict[str, str]
    ) -> None:
        mine, other = await create_dealer(db, "acme"), await create_dealer(db, "acme")
        ours = (await _grant(client, staff, SALESMAN, kind="salesman", dealer_id=mine.id)).json()
        theirs = (await _grant(client, staff, OTHER, kind="salesman", dealer_id=other.id)).json()
        brand = (await _grant(client, staff, GUIDE, kind="salesman")).json()
        body = {"code": "S-SM-1", "name": "春熙路名酒行", "dealer_id": mine.id, "region_code": "510104"}
        refused = await client.post(f"{API}/stores", json=body | {"salesman_id": theirs["id"]}, headers=staff)
        assert _problem(refused) == (422, "salesman_id", "other_dealer")
        created = await client.post(f"{API}/stores", json=body | {"salesman_id": ours["id"]}, headers=staff)
        store = created.json()
        assert (created.status_code, store["salesman_name"], store["salesman_phone"]) == (201, "赵六", "+86" + SALESMAN)
        moved = await client.patch(f"{API}/stores/{store['id']}", json={"dealer_id": other.id}, headers=staff)
        assert _problem(moved) == (422, "salesman_id", "other_dealer")  # nothing half-applied
        assert (await client.get(f"{API}/stores/{store['id']}", headers=staff)).json()["dealer_id"] == mine.id
        both = await client.patch(
            f"{API}/stores/{store['id']}", json={"dealer_id": other.id, "salesman_id": brand["id"]}, headers=staff
        )
        assert (both.status_code, both.json()["salesman_id"]) == (200, brand["id"])
        stores = await client.get(f"{API}/salesmen/{brand['id']}/stores", headers=staff)
        assert [s["code"] for s in stores.json()] == ["S-SM-1"]
        assert (await client.get(f"{API}/salesmen/{ours['id']}/stores", headers=staff)).json() == []
        await client.post(f"{API}/accounts/{theirs['id']}/disable", headers=staff)
        inactive = await client.patch(f"{API}/stores/{store['id']}", json={"salesman_id": theirs["id"]}, headers=staff)
        assert _problem(inactive) == (422, "salesman_id", "salesman_inactive")
        cleared = await client.patch(f"{API}/stores/{store['id']}", json={"salesman_id": None}, headers=staff)
        assert cleared.json()["salesman_id"] is None

    async def test_a_guide_is_no_salesman(self, db: Database, client: httpx.AsyncClient, staff: dict[str, str]) -> None:
        store = await create_store(db, "acme")
        guide = (await _grant(client, staff, GUIDE, kind="guide", store_id=store.id)).json()
        refused = await client.patch(f"{API}/stores/{store.id}", json={"salesman_id": guide["id"]}, headers=staff)
        assert _problem(refused) == (422, "salesman_id", "unknown_salesman")
        assert (await client.get(f"{API}/salesmen/{guide['id']}/stores", headers=staff)).status_code == 404


class TestReadsForRebates:
    async def test_salesmen_stores_and_guides(
        self, db: Database, client: httpx.AsyncClient, staff: dict[str, str]
    ) -> None:
        dealer = await create_dealer(db, "acme")
        first, second, alone = [await create_store(db, "acme", dealer.id) for _ in range(3)]
        salesman = (await _grant(client, staff, SALESMAN, kind="salesman", dealer_id=dealer.id)).json()
        for store in (first, second):
            await client.patch(f"{API}/stores/{store.id}", json={"salesman_id": salesman["id"]}, headers=staff)
        at_store = (await _grant(client, staff, GUIDE, kind="guide", store_id=first.id)).json()
        in_area = (await _grant(client, staff, OTHER, kind="guide", region_code="510104")).json()
        async with system(db, "acme") as ctx:
            found = await partners.salesmen_of_stores(ctx, [first.id, second.id, alone.id])
            assert {k: v.id for k, v in found.items()} == {first.id: salesman["id"], second.id: salesman["id"]}
            by_code = [s.id for s in sorted((first, second), key=lambda s: s.code)]
            assert [s.id for s in await partners.stores_of_salesman(ctx, salesman["id"])] == by_code
            assert [g.id for g in await partners.guides_of_store(ctx, first.id)] == [at_store["id"]]
            assert [g.id for g in await partners.area_guides(ctx, "510104")] == [in_area["id"]]
            assert await partners.area_guides(ctx, "510105") == []
        guides = await client.get(f"{API}/stores/{first.id}/guides", headers=staff)
        assert [g["id"] for g in guides.json()] == [at_store["id"]]
        await client.post(f"{API}/accounts/{salesman['id']}/disable", headers=staff)
        await client.post(f"{API}/accounts/{in_area['id']}/disable", headers=staff)
        async with system(db, "acme") as ctx:
            assert await partners.salesmen_of_stores(ctx, [first.id]) == {}
            assert await partners.area_guides(ctx, "510104") == []

    async def test_a_merged_salesman_hands_his_stores_to_the_survivor(
        self, db: Database, client: httpx.AsyncClient, staff: dict[str, str]
    ) -> None:
        store = await create_store(db, "acme")
        merged = (await _grant(client, staff, SALESMAN, kind="salesman")).json()
        survivor = (await _grant(client, staff, OTHER, kind="salesman")).json()
        await client.patch(f"{API}/stores/{store.id}", json={"salesman_id": merged["id"]}, headers=staff)
        async with system(db, "acme") as ctx:
            event = PersonsMerged(tenant_id=ctx.tenant_id, from_person_id=merged["person_id"],
                                  into_person_id=survivor["person_id"])  # fmt: skip
            await follow_the_person(ctx, event)
            assert (await partners.lookup_store(ctx, store.id)).salesman_id == survivor["id"]
            assert await members.person_by_phone(ctx, SALESMAN) is not None


ACCOUNTS_HEAD = [c.header for c in rules.ACCOUNT_COLUMNS]


class TestAccountsSheet:
    async def test_an_export_imports_back_unchanged(
        self, db: Database, client: httpx.AsyncClient, staff: dict[str, str]
    ) -> None:
        dealer = await create_dealer(db, "acme", code="D-1")
        store = await create_store(db, "acme", dealer.id, code="S-1")
        rows = [
            [SALESMAN, "钱七", "业务员", "D-1", None, None],
            [SALESMAN, "钱七", "salesman", None, None, None],
            [GUIDE, "孙八", "导购", None, "S-1", None],
            [GUIDE, "孙八", "guide", None, None, "四川省成都市锦江区"],
            [OTHER, "李九", "店员", None, "S-1", None],
        ]
        files = {"file": ("a.xlsx", workbook("accounts", rows, ACCOUNTS_HEAD))}
        done = await client.post(f"{API}/accounts/import", files=files, headers=staff)
        assert done.json() == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0}
        listed = (await client.get(f"{API}/accounts", headers=staff)).json()["items"]
        assert {(r["kind"], r["dealer_id"], r["store_id"], r["region_code"]) for r in listed} == {
            ("salesman", dealer.id, None, None), ("salesman", None, None, None), ("guide", None, store.id, None),
            ("guide", None, None, "510104"), ("store_clerk", None, store.id, None),
        }  # fmt: skip
        await client.post(f"{API}/accounts/{listed[0]['id']}/disable", headers=staff)
        exported = await client.get(f"{API}/accounts/export", headers=staff)
        sheet = list(load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows(values_only=True))
        assert list(sheet[0]) == [c.header for c in rules.EXPORT_COLUMNS["accounts"]]
        assert len(sheet) == 6
        again = await client.post(f"{API}/accounts/import", files={"file": ("b.xlsx", exported.content)}, headers=staff)
        assert again.json() == {"rows": 5, "created": 0, "updated": 0, "unchanged": 5}
        kept = await client.get(f"{API}/accounts/{listed[0]['id']}", headers=staff)
        assert kept.json()["status"] == "disabled"  # importing an export does not enable what was disabled

    async def test_a_bad_row_anywhere_grants_nothing(self, db: Database, staff: dict[str, str]) -> None:
        dealer = await create_dealer(db, "acme", code="D-1")
        await create_store(db, "acme", dealer.id, code="S-1")
        rows = [
            [SALESMAN, "", "业务员", "D-1", None, None],
            [SALESMAN, "", "业务员", "D-1", None, None],  # repeated
            ["12345", "", "店员", None, "S-404", None],  # bad phone, unknown store
            [GUIDE, "", "导购", None, None, "成都市"],  # a city is no guide group
            [OTHER, "", "业务员", None, "S-1", None],  # a salesman of no store
            [OTHER, "", "boss", None, None, None],  # no such kind
        ]
        async with system(db, "acme") as ctx:
            tenant_id = ctx.tenant_id
        before = await snapshot(db, tenant_id)
        with pytest.raises(ImportRejected) as error:
            async with system(db, "acme") as ctx:
                await partners.import_accounts(ctx, workbook("accounts", rows, ACCOUNTS_HEAD))
        assert await snapshot(db, tenant_id) == before
        assert sorted((p.row, p.field, p.code) for p in error.value.problems) == [
            (3, "phone", "duplicate_in_file"),
            (4, "phone", "invalid_phone"),
            (4, "store_code", "unknown_store"),
            (5, "region", "not_a_district"),
            (6, "store_code", "wrong_partner"),
            (7, "kind", "literal_error"),
        ]


class TestStoresSheetSalesman:
    async def test_the_salesman_phone_column(
        self, db: Database, client: httpx.AsyncClient, staff: dict[str, str]
    ) -> None:
        mine, other = await create_dealer(db, "acme", code="D-1"), await create_dealer(db, "acme", code="D-2")
        ours = (await _grant(client, staff, SALESMAN, kind="salesman", dealer_id=mine.id)).json()
        await _grant(client, staff, OTHER, kind="salesman", dealer_id=other.id)
        head = ["门店编码", "门店名称", "经销商编码", "区域", "业务员手机"]
        good = workbook("stores", [["S-1", "一号店", "D-1", "510104", SALESMAN]], head)
        done = await client.post(f"{API}/stores/import", files={"file": ("s.xlsx", good)}, headers=staff)
        assert done.json()["created"] == 1
        stores = await client.get(f"{API}/salesmen/{ours['id']}/stores", headers=staff)
        assert [s["code"] for s in stores.json()] == ["S-1"]
        exported = await client.get(f"{API}/stores/export", headers=staff)
        sheet = list(load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows(values_only=True))
        assert dict(zip(sheet[0], sheet[1], strict=True))["业务员手机 salesman phone"] == "+86" + SALESMAN
        bad = workbook("stores", [["S-2", "二号店", "D-1", "510104", OTHER], ["S-3", "三号店", "D-1", None, "1"]], head)
        refused = await client.post(f"{API}/stores/import", files={"file": ("s.xlsx", bad)}, headers=staff)
        assert refused.status_code == 422
        assert [(d["field"], d["code"]) for d in refused.json()["error"]["details"]] == [
            ("rows.2.salesman_phone", "unknown_salesman"), ("rows.3.salesman_phone", "invalid_phone"),
        ]  # fmt: skip


class TestRules:
    @pytest.mark.parametrize(
        ("kind", "given", "problem"),
        [
            ("salesman", [], None),
            ("salesman", ["dealer_id"], None),
            (
                "salesman",
                ["store_id"],
                ("store_id", "a salesman role has no store_id; give dealer_id or none (the brand's own)"),
            ),
            ("guide", ["region_code"], None),
            ("guide", [], ("store_id", "a guide role needs store_id or region_code")),
            (
                "guide",
                ["store_id", "region_code"],
                ("region_code", "a guide role has store_id or region_code, not both"),
            ),
            ("dealer_owner", [], ("dealer_id", "a dealer_owner role needs dealer_id")),
        ],
    )
    def test_what_a_kind_may_be_tied_to(self, kind: str, given: list[str], problem: tuple[str, str] | None) -> None:
        assert rules.tie_problem(kind, given) == problem

    def test_who_may_look_after_a_store(self) -> None:
        assert rules.may_look_after(None, 7) and rules.may_look_after(None, None) and rules.may_look_after(7, 7)
        assert not rules.may_look_after(7, 8) and not rules.may_look_after(7, None)


async def test_staff_limited_to_some_regions_see_and_manage_only_their_regions_accounts(
    db: Database, client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    chengdu = await create_dealer(db, "acme", code="D-CD", territory=("510100",))
    shanghai = await create_dealer(db, "acme", code="D-SH", territory=("310000",))
    await create_store(db, "acme", chengdu.id, code="S-CD", region_code="510104")
    await create_store(db, "acme", shanghai.id, code="S-SH", region_code="310101")
    rows = [
        [SALESMAN, "成都店员", "店员", None, "S-CD", None],
        [GUIDE, "上海店员", "店员", None, "S-SH", None],
        [OTHER, "上海导购", "导购", None, None, "310101"],
    ]
    files = {"file": ("a.xlsx", workbook("accounts", rows, ACCOUNTS_HEAD))}
    done = await client.post(f"{API}/accounts/import", files=files, headers=staff)
    assert done.json()["created"] == 3, done.text
    everyone = {r["phone"][-11:]: r["id"] for r in (await client.get(f"{API}/accounts", headers=staff)).json()["items"]}
    await create_staff(db, "acme", "sichuan", roles=("operator",), region_codes=["510000"])
    sichuan = await login_session(client, db, "sichuan")

    listed = (await client.get(f"{API}/accounts", headers=sichuan)).json()["items"]
    assert [r["phone"][-11:] for r in listed] == [SALESMAN]
    exported = await client.get(f"{API}/accounts/export", headers=sichuan)
    sheet = list(load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows(values_only=True))
    assert [str(row[0])[-11:] for row in sheet[1:]] == [SALESMAN]
    for phone in (GUIDE, OTHER):  # outside the regions: as if it did not exist
        assert (await client.get(f"{API}/accounts/{everyone[phone]}", headers=sichuan)).status_code == 404
        assert (await client.post(f"{API}/accounts/{everyone[phone]}/disable", headers=sichuan)).status_code == 404
    disabled = await client.post(f"{API}/accounts/{everyone[SALESMAN]}/disable", headers=sichuan)
    assert (disabled.status_code, disabled.json()["status"]) == (200, "disabled")

    far_store = await client.post(f"{API}/accounts", json={"phone": "13900000021", "kind": "store_clerk",
                                                          "store_id": await _store_id(db, "S-SH")},
                                  headers=sichuan)  # fmt: skip
    assert (far_store.status_code, far_store.json()["error"]["details"][0]["code"]) == (422, "not_found")
    far_area = await client.post(f"{API}/accounts", json={"phone": "13900000022", "kind": "guide",
                                                         "region_code": "310104"}, headers=sichuan)  # fmt: skip
    assert (far_area.status_code, far_area.json()["error"]["details"][0]["code"]) == (422, "outside_your_regions")
    sheet_rows = [["13900000023", "", "店员", None, "S-SH", None], ["13900000024", "", "导购", None, None, "310101"]]
    files = {"file": ("b.xlsx", workbook("accounts", sheet_rows, ACCOUNTS_HEAD))}
    refused = await client.post(f"{API}/accounts/import", files=files, headers=sichuan)
    assert refused.status_code == 422, refused.text
    assert [(d["field"], d["code"]) for d in refused.json()["error"]["details"]] == [
        ("rows.2.store_code", "unknown_store"), ("rows.3.region", "outside_your_regions")
    ]  # fmt: skip
    assert len((await client.get(f"{API}/accounts", headers=staff)).json()["items"]) == 3  # nothing granted


async def _store_id(db: Database, code: str) -> int:
    async with system(db, "acme") as ctx:
        found = await partners.find_store(ctx, code)
    assert found is not None
    return found.id
