"""The scan benchmark's reference routes: served only with YIMA_BENCH_ROUTES=1, 404 otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.codes.factories import activated_batch
from tests.identity.factories import create_tenant, system
from tests.scans.factories import code_url
from yima.main import create_app
from yima.platform.db.session import Database
from yima.scans import service as scans
from yima.scans.schemas import ScanFilter
from yima.settings import get_settings


@pytest.fixture
async def bench_client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(get_settings().model_copy(update={"bench_routes": True}), database=db, run_worker=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_hello_answers_when_enabled(bench_client: httpx.AsyncClient) -> None:
    response = await bench_client.get("/bench/hello")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


async def test_minimal_selects_the_first_scan_and_records_one(db: Database, bench_client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=2)
    url = await code_url(db, "acme", batch.first_serial)

    first = await bench_client.post("/bench/minimal", json={"code": url})
    assert first.status_code == 200
    body = first.json()
    assert body["scan_id"] == body["first_scan_id"]

    again = await bench_client.post("/bench/minimal", json={"code": url})
    assert again.status_code == 200
    assert again.json()["first_scan_id"] == body["scan_id"]
    assert again.json()["scan_id"] > body["scan_id"]

    async with system(db, "acme") as ctx:
        records = await scans.list_scans(ctx, ScanFilter(code=url), 10, None)
    assert [(r.id, r.serial) for r in records] == [
        (again.json()["scan_id"], batch.first_serial),
        (body["scan_id"], batch.first_serial),
    ]


async def test_minimal_refuses_a_code_no_brand_issued(db: Database, bench_client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=1)
    url = await code_url(db, "acme", batch.first_serial)
    forged = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert (await bench_client.post("/bench/minimal", json={"code": forged})).status_code == 404
    assert (await bench_client.post("/bench/minimal", json={"code": "https://elsewhere.example/x"})).status_code == 404


async def test_the_routes_are_not_found_unless_enabled(app: FastAPI, client: httpx.AsyncClient) -> None:
    assert not app.state.settings.bench_routes
    assert (await client.get("/bench/hello")).status_code == 404
    response = await client.post("/bench/minimal", json={"code": "x"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_the_routes_stay_out_of_the_api_document(bench_client: httpx.AsyncClient) -> None:
    paths = (await bench_client.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith("/bench")]
