"""The catalog's HTTP API, through the app, with OAuth 2.0 tokens and console sessions."""

from __future__ import annotations

import io

import httpx
import pytest
from openpyxl import load_workbook

from tests.catalog.factories import PNG, create_product, create_spec
from tests.identity.factories import bearer, create_client, create_staff, create_tenant, login_session
from yima.catalog import rules
from yima.platform.db.session import Database

API = "/api/v1/catalog"


@pytest.fixture
async def headers(db: Database, client: httpx.AsyncClient) -> dict[str, str]:
    await create_tenant(db, "acme")
    return await bearer(client, await create_client(db, "acme", ["catalog:read", "catalog:write"]))


async def test_create_list_get_update_and_discontinue(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    spec = await client.post(
        f"{API}/specs",
        json={"code": "JX-6x500", "name": "六瓶箱", "bottles_per_case": 6, "cases_per_pallet": 40},
        headers=headers,
    )
    assert spec.status_code == 201, spec.text
    body = {"sku": "CSH-JZ-500", "name": "赤水河 · 金樽", "gtin": 6975123001026, "packaging_spec_id": spec.json()["id"]}
    created = await client.post(f"{API}/products", json=body, headers=headers)
    assert created.status_code == 201, created.text
    product = created.json()
    assert (product["gtin"], product["packaging_spec_code"]) == ("06975123001026", "JX-6x500")

    listed = await client.get(f"{API}/products", params={"q": "金樽"}, headers=headers)
    assert [p["sku"] for p in listed.json()["items"]] == ["CSH-JZ-500"] and listed.json()["next_cursor"] is None
    patched = await client.patch(
        f"{API}/products/{product['id']}", json={"specification": "500ml · 53%vol"}, headers=headers
    )
    assert patched.json()["specification"] == "500ml · 53%vol" and patched.json()["name"] == "赤水河 · 金樽"
    stopped = await client.post(f"{API}/products/{product['id']}/discontinue", headers=headers)
    assert stopped.json()["status"] == "discontinued"
    fetched = await client.get(f"{API}/products/{product['id']}", headers=headers)
    assert fetched.json()["status"] == "discontinued"
    counted = await client.get(f"{API}/specs/{spec.json()['id']}", headers=headers)
    assert counted.json()["product_count"] == 1


async def test_errors_list_every_field_and_duplicates_are_409(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    bad = await client.post(f"{API}/products", json={"sku": "", "name": "", "gtin": "6975123001027"}, headers=headers)
    assert bad.status_code == 422
    assert {(d["field"], d["code"]) for d in bad.json()["error"]["details"]} == {
        ("sku", "string_pattern_mismatch"),
        ("name", "string_too_short"),
        ("gtin", "gtin_check_digit"),
    }
    first = await client.post(
        f"{API}/products", json={"sku": "A-1", "name": "一", "gtin": "6975123001026"}, headers=headers
    )
    assert first.status_code == 201
    again = await client.post(
        f"{API}/products", json={"sku": "A-2", "name": "二", "gtin": "6975123001026"}, headers=headers
    )
    assert again.status_code == 409
    assert [(d["field"], d["code"]) for d in again.json()["error"]["details"]] == [("gtin", "taken")]


async def test_lists_page_by_cursor(db: Database, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    made = [await create_product(db, "acme") for _ in range(3)]
    first = (await client.get(f"{API}/products", params={"limit": 2}, headers=headers)).json()
    second = (
        await client.get(f"{API}/products", params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers)
    ).json()
    assert [p["id"] for p in first["items"] + second["items"]] == [p.id for p in reversed(made)]
    assert second["next_cursor"] is None


async def test_an_image_is_uploaded_and_served_only_to_the_brand(
    db: Database, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    product = await create_product(db, "acme")
    url = f"{API}/products/{product.id}/image"
    assert (await client.get(url, headers=headers)).status_code == 404
    missing = await client.put(url, headers=headers)
    assert missing.status_code == 422 and missing.json()["error"]["details"][0]["field"] == "file"
    refused = await client.put(url, files={"file": ("x.png", b"not an image", "image/png")}, headers=headers)
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["code"] == "not_an_image"
    stored = await client.put(url, files={"file": ("瓶.png", PNG, "image/png")}, headers=headers)
    assert stored.status_code == 200 and stored.json()["image_uploaded"] is True
    served = await client.get(url, headers=headers)
    assert (served.status_code, served.headers["content-type"], served.content) == (200, "image/png", PNG)
    assert (await client.get(url)).status_code == 401

    await create_tenant(db, "other")
    other = await bearer(client, await create_client(db, "other", ["catalog:read"]))
    assert (await client.get(url, headers=other)).status_code == 404

    await client.patch(
        f"{API}/products/{product.id}", json={"image_url": "https://img.example.com/a.png"}, headers=headers
    )
    redirected = await client.get(url, headers=headers)
    assert (redirected.status_code, redirected.headers["location"]) == (307, "https://img.example.com/a.png")
    assert (await client.delete(url, headers=headers)).json()["image_url"] is None
    assert (await client.get(url, headers=headers)).status_code == 404


async def test_the_template_has_both_languages_and_the_brands_specs(
    db: Database, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    await create_spec(db, "acme", code="JX-6x500", name="六瓶箱")
    response = await client.get(f"{API}/products/import-template", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in book.worksheets[0][1]]
    assert header == ["SKU", "名称 name", "GTIN", "规格 specification", "分类 category", "包装规格 packaging spec"]
    assert [row[0] for row in book["包装规格 Specs"].iter_rows(min_row=2, values_only=True)] == ["JX-6x500"]
    assert book.worksheets[0].data_validations.dataValidation  # the spec column offers the codes


async def test_the_export_follows_the_filters_and_imports_back(
    db: Database, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    spec = await create_spec(db, "acme", code="GP-12x500")
    await create_product(db, "acme", sku="GP-1", name="光瓶", gtin="6975123003013", packaging_spec_id=spec.id)
    stopped = await create_product(db, "acme", sku="OLD-1", name="老酒")
    await client.post(f"{API}/products/{stopped.id}/discontinue", headers=headers)
    exported = await client.get(f"{API}/products/export", params={"status": "active"}, headers=headers)
    assert exported.status_code == 200
    rows = list(load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == tuple(c.header for c in rules.EXPORT_COLUMNS)
    assert [r[:6] for r in rows[1:]] == [("GP-1", "光瓶", "06975123003013", None, None, "GP-12x500")]

    again = await client.post(
        f"{API}/products/import", files={"file": ("products.xlsx", exported.content)}, headers=headers
    )
    assert again.json() == {"rows": 1, "created": 0, "updated": 0, "unchanged": 1}


async def test_a_console_session_needs_the_csrf_token_to_import(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "oper", roles=("operator",))
    session = await login_session(client, db, "oper")
    files = {"file": ("p.xlsx", b"x")}
    no_csrf = await client.post(f"{API}/products/import", files=files, headers={"Cookie": session["Cookie"]})
    assert no_csrf.status_code == 403
    with_csrf = await client.post(f"{API}/products/import", files=files, headers=session)
    assert with_csrf.status_code == 422 and with_csrf.json()["error"]["code"] == "import_rejected"


async def test_exported_text_never_becomes_a_formula(
    db: Database, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    await create_spec(db, "acme", code="EQ", name="=1+1")
    await create_product(db, "acme", sku="EQ-1", name='=HYPERLINK("https://evil.example","点我")')
    for path in ("export", "import-template"):
        book = load_workbook(io.BytesIO((await client.get(f"{API}/products/{path}", headers=headers)).content))
        cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
        assert any(str(c.value).startswith("=") for c in cells)
        assert all(c.data_type != "f" for c in cells), path
