"""The partners' HTTP API, through the app, with OAuth 2.0 tokens and console sessions."""

from __future__ import annotations

import io

import httpx
import pytest
from openpyxl import load_workbook

from tests.identity.factories import bearer, create_client, create_staff, create_tenant, login_session
from tests.partners.factories import create_dealer, create_store
from yima.partners import rules
from yima.platform.db.session import Database

API = "/api/v1/partners"


@pytest.fixture
async def headers(db: Database, client: httpx.AsyncClient) -> dict[str, str]:
    await create_tenant(db, "acme")
    return await bearer(client, await create_client(db, "acme", ["partners:read", "partners:write"]))


async def test_warehouses_and_their_locations(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    body = {"code": "WH-RH-01", "name": "仁怀中心仓", "address": "贵州省遵义市仁怀市茅台镇 1 号"}
    created = await client.post(f"{API}/warehouses", json=body, headers=headers)
    assert created.status_code == 201, created.text
    warehouse = created.json()
    assert (warehouse["kind"], warehouse["region_code"], warehouse["active"]) == ("central", "520382", True)
    wid = warehouse["id"]
    location = await client.post(
        f"{API}/warehouses/{wid}/locations", json={"code": "A-01", "name": "A 区"}, headers=headers
    )
    assert location.status_code == 201, location.text
    patched = await client.patch(
        f"{API}/warehouses/{wid}/locations/{location.json()['id']}", json={"active": False}, headers=headers
    )
    assert patched.json()["active"] is False
    listed = await client.get(f"{API}/warehouses/{wid}/locations", headers=headers)
    assert [loc["code"] for loc in listed.json()["items"]] == ["A-01"]
    stopped = await client.post(f"{API}/warehouses/{wid}/deactivate", headers=headers)
    assert stopped.json()["active"] is False
    fetched = await client.get(f"{API}/warehouses/{wid}", headers=headers)
    assert (fetched.json()["location_count"], fetched.json()["active"]) == (1, False)
    reopened = await client.patch(f"{API}/warehouses/{wid}", json={"active": True, "kind": "工厂仓"}, headers=headers)
    assert (reopened.json()["active"], reopened.json()["kind"]) == (True, "factory")


async def test_dealers_and_their_territory(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    body = {"code": "D-CD-001", "name": "成都蓉城酒业", "phone": 13800000001, "territory": ["510100"]}
    created = await client.post(f"{API}/dealers", json=body, headers=headers)
    assert created.status_code == 201, created.text
    dealer_id = created.json()["id"]
    assert created.json()["territory"] == [{"code": "510100", "name": "四川省 成都市"}]

    put = await client.put(
        f"{API}/dealers/{dealer_id}/territory", json={"regions": ["500000", "310000"]}, headers=headers
    )
    assert put.status_code == 200, put.text
    assert [r["code"] for r in put.json()["regions"]] == ["310000", "500000"]
    got = await client.get(f"{API}/dealers/{dealer_id}/territory", headers=headers)
    assert got.json() == put.json()

    bad = await client.put(
        f"{API}/dealers/{dealer_id}/territory", json={"regions": ["310000", "519999", "51"]}, headers=headers
    )
    assert bad.status_code == 422
    assert [(d["field"], d["code"]) for d in bad.json()["error"]["details"]] == [
        ("regions.2", "string_pattern_mismatch")
    ]
    unknown = await client.put(f"{API}/dealers/{dealer_id}/territory", json={"regions": ["519999"]}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.json()["error"]["message"] == "unknown region code(s): 519999"
    assert unknown.json()["error"]["details"] == [
        {"field": "regions.0", "message": "no GB/T 2260 region '519999'", "code": "unknown_region"}
    ]

    patched = await client.patch(f"{API}/dealers/{dealer_id}", json={"contact_name": "张伟"}, headers=headers)
    assert patched.json()["contact_name"] == "张伟"
    stopped = await client.post(f"{API}/dealers/{dealer_id}/deactivate", headers=headers)
    assert stopped.json()["active"] is False


async def test_stores_with_their_dealer(db: Database, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    dealer = await create_dealer(db, "acme", territory=["510100"])
    body = {
        "code": "S-1",
        "name": "春熙路名酒行",
        "dealer_id": dealer.id,
        "address": "四川省成都市锦江区春熙路 88 号",
        "lat": 30.657,
        "lon": 104.081,
    }
    created = await client.post(f"{API}/stores", json=body, headers=headers)
    assert created.status_code == 201, created.text
    store = created.json()
    assert (store["region_code"], store["dealer_code"], store["in_dealer_territory"]) == ("510104", dealer.code, True)
    moved = await client.patch(
        f"{API}/stores/{store['id']}", json={"address": "重庆市渝中区邹容路 68 号"}, headers=headers
    )
    assert (moved.json()["region_code"], moved.json()["in_dealer_territory"]) == ("500103", False)
    listed = await client.get(f"{API}/stores", params={"dealer_id": dealer.id}, headers=headers)
    assert [s["code"] for s in listed.json()["items"]] == ["S-1"]
    closed = await client.post(f"{API}/stores/{store['id']}/deactivate", headers=headers)
    assert closed.json()["active"] is False


async def test_errors_name_every_field_and_duplicates_are_409(
    db: Database, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    bad = await client.post(
        f"{API}/stores",
        json={"code": "坏 码", "name": "", "lat": 91, "lon": 104, "dealer_id": 0, "region_code": "5101"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"code", "name", "lat", "dealer_id", "region_code"}
    half = await client.post(f"{API}/stores", json={"code": "S-1", "name": "x", "lat": 30.6}, headers=headers)
    assert half.status_code == 422 and "both lat and lon" in half.text
    await create_store(db, "acme", code="S-2")
    taken = await client.post(f"{API}/stores", json={"code": "S-2", "name": "x"}, headers=headers)
    assert taken.status_code == 409
    assert taken.json()["error"]["details"] == [{"field": "code", "message": "already used", "code": "taken"}]
    missing = await client.get(f"{API}/dealers/999999", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_lists_page_by_cursor(db: Database, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for n in range(5):
        await create_dealer(db, "acme", code=f"D-{n}")
    first = await client.get(f"{API}/dealers", params={"limit": 2}, headers=headers)
    codes = [d["code"] for d in first.json()["items"]]
    cursor = first.json()["next_cursor"]
    while cursor:
        page = await client.get(f"{API}/dealers", params={"limit": 2, "cursor": cursor}, headers=headers)
        codes += [d["code"] for d in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    assert codes == ["D-4", "D-3", "D-2", "D-1", "D-0"]


async def test_templates_and_exports_are_workbooks(
    db: Database, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    dealer = await create_dealer(db, "acme", code="D-EXP", territory=["510100", "500000"])
    await create_store(db, "acme", dealer.id, code="S-EXP", name="=1+1")  # a formula-like name stays text
    for kind in rules.SHEET_KINDS:
        template = await client.get(f"{API}/{kind}/import-template", headers=headers)
        assert template.status_code == 200
        book = load_workbook(io.BytesIO(template.content))
        assert [c.value for c in book.worksheets[0][1]] == [c.header for c in rules.IMPORT_COLUMNS[kind]]
    exported = await client.get(f"{API}/dealers/export", headers=headers)
    rows = list(load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows(values_only=True))
    header = [c.header for c in rules.EXPORT_COLUMNS["dealers"]]
    assert list(rows[0]) == header
    values = dict(zip(header, rows[1], strict=True))
    assert (values["经营区域 territory"], values["经营区域名称 territory names"]) == (
        "500000、510100",
        "重庆市、四川省 成都市",
    )
    stores = await client.get(f"{API}/stores/export", headers=headers)
    cells = [r[:3] for r in load_workbook(io.BytesIO(stores.content)).worksheets[0].iter_rows(values_only=True)]
    assert cells[1] == ("S-EXP", "=1+1", "D-EXP")


async def test_a_regional_manager_lists_their_regions_only(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    chengdu = await create_dealer(db, "acme", territory=["510100"])
    await create_dealer(db, "acme", territory=["310000"])
    await create_store(db, "acme", chengdu.id, region_code="510104")
    await create_store(db, "acme", None, region_code="310101")
    await create_staff(db, "acme", "southwest", roles=("regional_manager",), region_codes=["510000", "500000"])
    headers = await login_session(client, db, "southwest")
    dealers = await client.get(f"{API}/dealers", headers=headers)
    stores = await client.get(f"{API}/stores", headers=headers)
    assert [d["id"] for d in dealers.json()["items"]] == [chengdu.id]
    assert [s["region_code"] for s in stores.json()["items"]] == ["510104"]
    refused = await client.post(f"{API}/dealers", json={"code": "D-X", "name": "x"}, headers=headers)
    assert refused.status_code == 403
