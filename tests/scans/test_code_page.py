"""The public code page (防伪查询): verdicts, first scan, counts, warnings, location, limits."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from tests.catalog.factories import create_product
from tests.codes.factories import activated_batch, create_batch
from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.scans.factories import code_url, scan
from yima.codes import service as codes
from yima.codes.schemas import BlockCreate, SerialRange
from yima.codes.tokens import Face
from yima.platform.db.session import Database
from yima.scans import rules

SHANGHAI = (31.2304, 121.4737)
CHENGDU = (30.5728, 104.0668)


def _located(html: str) -> dict[str, str]:
    """The location request the page makes: its URL and the values it posts."""
    tag = re.search(r"<p[^>]*data-locate=[^>]*>", html)
    assert tag is not None
    return dict(re.findall(r'data-locate(?:-(\w+))?="([^"]*)"', tag.group(0)))


async def _post_location(client: httpx.AsyncClient, html: str, lat: float, lon: float) -> httpx.Response:
    values = _located(html)
    body = {"code": values["code"], "scan": int(values["scan"]), "proof": values["proof"], "lat": lat, "lon": lon}
    return await client.post(values[""], json=body)


async def test_a_genuine_code_says_so_and_counts_its_scans(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme", name="赤水河酒业")
    batch, _ = await activated_batch(db, "acme", quantity=3)
    url = await code_url(db, "acme", batch.first_serial)
    path = url.removeprefix("https://scan.example.cn")

    first = await client.get(path)
    assert first.status_code == 200
    assert "正品验证通过" in first.text and "赤水河酒业" in first.text
    assert "本次为首次查询" in first.text
    assert first.headers["cache-control"] == "no-store"

    again = await client.get(path.replace("/c/", "/C/"))
    assert re.search(r"<dd data-scan-count>2</dd>", again.text)
    assert "本次为首次查询" not in again.text


async def test_a_digital_link_opens_the_same_page(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    product = await create_product(db, "acme")
    batch = await create_batch(db, "acme", "bottle", 2, product_id=product.id)
    async with system(db, "acme") as ctx:
        from yima.codes.schemas import ActivationCreate

        await codes.activate(
            ctx,
            ActivationCreate(
                range=SerialRange(serial_from=batch.first_serial, serial_to=batch.last_serial), product_id=product.id
            ),
        )
        token = (await codes.codec(ctx)).encode(batch.first_serial, Face.OUTER)
    response = await client.get(f"/01/{product.gtin.zfill(14)}/21/{token}")
    assert response.status_code == 200 and "正品验证通过" in response.text
    wrong_gtin = await client.get(f"/01/{'0' * 13}0/21/{token}")
    assert wrong_gtin.status_code == 404 and "未查询到此码" in wrong_gtin.text


async def test_forged_and_foreign_codes_are_counterfeit_warnings(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=1)
    url = await code_url(db, "acme", batch.first_serial)
    token = url.rsplit("/", 1)[1]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    for path in (f"/c/{forged}", "/c/ZZZ00000000000000000", "/c/not-a-code"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "未查询到此码" in response.text


@pytest.mark.parametrize(
    ("state", "expected"),
    [("inactive", "此码尚未激活"), ("void", "此码已作废"), ("blacklist", "此码异常")],
)
async def test_a_code_not_on_sale_says_why(db: Database, client: httpx.AsyncClient, state: str, expected: str) -> None:
    await create_tenant(db, "acme")
    if state == "inactive":
        batch = await create_batch(db, "acme", "bottle", 1)
    else:
        batch, _ = await activated_batch(db, "acme", quantity=1)
        async with system(db, "acme") as ctx:
            await codes.block(
                ctx,
                BlockCreate(
                    kind=state,  # type: ignore[arg-type]
                    range=SerialRange(serial_from=batch.first_serial, serial_to=batch.first_serial),
                    reason="misprint" if state == "void" else "stolen",
                ),
            )
    url = await code_url(db, "acme", batch.first_serial)
    response = await client.get(url.removeprefix("https://scan.example.cn"))
    assert response.status_code == 200
    assert expected in response.text
    assert "正品验证通过" not in response.text


async def test_scans_far_apart_warn_the_next_scanner(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=1)
    path = (await code_url(db, "acme", batch.first_serial)).removeprefix("https://scan.example.cn")
    first = await client.get(path)
    assert (await _post_location(client, first.text, *SHANGHAI)).status_code == 200
    second = await client.get(path)
    assert "相距约" not in second.text
    located = await _post_location(client, second.text, *CHENGDU)
    assert located.status_code == 200 and located.json()["region_code"].startswith("5101")
    third = await client.get(path)
    assert "相距约" in third.text and "首次查询" in third.text and "上海" in third.text


async def test_a_location_needs_the_pages_proof_and_comes_once(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=1)
    page = await client.get((await code_url(db, "acme", batch.first_serial)).removeprefix("https://scan.example.cn"))
    values = _located(page.text)
    body = {"code": values["code"], "scan": int(values["scan"]), "lat": 31.2, "lon": 121.4}
    forged = await client.post("/m/scans/location", json=body | {"proof": "0" * 32})
    assert forged.status_code == 403
    assert (await client.post("/m/scans/location", json=body | {"proof": values["proof"]})).status_code == 200
    again = await client.post("/m/scans/location", json=body | {"proof": values["proof"]})
    assert again.status_code == 409


async def test_too_many_scans_warn(db: Database) -> None:
    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=1)
    url = await code_url(db, "acme", batch.first_serial)
    for _ in range(rules.TOO_MANY_SCANS):
        assert not [w for w in (await scan(db, url)).warnings if w.code == "too_many_scans"]
    page = await scan(db, url)
    assert [w.code for w in page.warnings] == ["too_many_scans"]
    assert page.scan_count == rules.TOO_MANY_SCANS + 1


async def test_the_page_is_rate_limited_per_address(db: Database, app: FastAPI, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=1)
    path = (await code_url(db, "acme", batch.first_serial)).removeprefix("https://scan.example.cn")
    app.state.limiters["scan"].limit = 3
    statuses = [(await client.get(path)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_staff_list_a_codes_scans(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=2)
    url = await code_url(db, "acme", batch.first_serial)
    other = await code_url(db, "acme", batch.first_serial + 1)
    await scan(db, url, "phone-a")
    await scan(db, url, "phone-b")
    await scan(db, other, "phone-c")
    headers = await bearer(client, await create_client(db, "acme", ["scans:read"]))
    listed = await client.get("/api/v1/scans", params={"code": url}, headers=headers)
    assert listed.status_code == 200
    assert [s["user_agent"] for s in listed.json()["items"]] == ["phone-b", "phone-a"]
    everything = await client.get("/api/v1/scans", headers=headers)
    assert len(everything.json()["items"]) == 3
