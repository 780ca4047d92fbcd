"""Packing throughput: child→parent links a second through the bulk packing API, on PostgreSQL.

A real server (``yima serve``, two worker processes, no console) on a fresh database; the load
generator on loopback sends requests of 50 cases × 6 bottles (300 links each) from 8 concurrent
clients, as a line's equipment would batch its reports. The first tenth of the requests is a
warm-up, after which the database's statistics are refreshed (``ANALYZE``, as autovacuum does on
a live table; a table seconds old has none, and the planner then picks the wrong index); the rest
is timed.

Packing records EPCIS AggregationEvents (one per parent) through the outbox, as DESIGN.md §5 has
it. The server runs without its inline job runner, as a deployment with ``yima worker`` as its
own process does; after the timed run the benchmark drains the outbox itself and reports that
rate too (``aggregation_links_per_s``): on one 2-core machine the two share the cores, so the
sustained rate of packing and recording together is the lower of the two.

The last line is one JSON object.

    .venv/bin/python tools/pgtest.py -- .venv/bin/python -m bench.packing [--cases N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time

import httpx

from bench._load import free_port
from bench._pg import connect, fresh_database
from yima import contexts
from yima.catalog import service as catalog
from yima.catalog.schemas import ProductCreate, SpecCreate
from yima.codes import service as codes
from yima.codes.schemas import ActivationCreate, BatchCreate, SerialRange, SupplierCreate
from yima.codes.tokens import Face
from yima.identity import service as identity
from yima.identity.permissions import cli_context
from yima.identity.schemas import ClientCreate, TenantCreate
from yima.platform.db import migrations
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner

PER_CASE = 6
CASES_PER_REQUEST = 50
CLIENTS = 8


async def prepare(url: str, cases: int) -> tuple[list[dict[str, object]], dict[str, str]]:
    """A brand with `cases` cases and their bottles, all active; the packing requests to send."""
    db = Database(url)
    try:
        async with cli_context(db) as ctx:
            await identity.create_tenant(ctx, TenantCreate(slug="bench", name="Bench 酒业"))
        async with cli_context(db, "bench") as ctx:
            spec = await catalog.create_spec(
                ctx, SpecCreate(code="6x500", name="6 瓶", bottles_per_case=PER_CASE, cases_per_pallet=40)
            )
            product = await catalog.create_product(
                ctx, ProductCreate(sku="B-1", name="金樽", gtin="6975123001026", packaging_spec_id=spec.id)
            )
            supplier = await codes.create_supplier(ctx, SupplierCreate(name="盖厂", kind="cap_factory"))
            bottles = await codes.create_batch(
                ctx, BatchCreate(level="bottle", quantity=cases * PER_CASE, supplier_id=supplier.id)
            )
            boxes = await codes.create_batch(ctx, BatchCreate(level="case", quantity=cases, supplier_id=supplier.id))
            for batch in (bottles, boxes):
                await codes.activate(
                    ctx,
                    ActivationCreate(
                        range=SerialRange(serial_from=batch.first_serial, serial_to=batch.last_serial),
                        product_id=product.id,
                    ),
                )
            client = await identity.create_client(ctx, ClientCreate(name="line", scopes=["packing:write"]))
            brand = await codes.codec(ctx)
        await Runner(db, identity.tenant_info).drain()  # build the print files now, not during the run
    finally:
        await db.dispose()
    operations = [
        {
            "parent": brand.encode(boxes.first_serial + c, Face.OUTER),
            "children": [brand.encode(bottles.first_serial + c * PER_CASE + b, Face.OUTER) for b in range(PER_CASE)],
        }
        for c in range(cases)
    ]
    requests = [
        {"operations": operations[i : i + CASES_PER_REQUEST]} for i in range(0, len(operations), CASES_PER_REQUEST)
    ]
    return requests, {"client_id": client.client_id, "client_secret": client.client_secret}


async def record_aggregations(url: str) -> tuple[float, int]:
    """Drain the outbox (UnitsPacked → AggregationEvents); seconds taken, events stored."""
    db = Database(url)
    try:
        started = time.perf_counter()
        await Runner(db, identity.tenant_info).drain()
        drained = time.perf_counter() - started
    finally:
        await db.dispose()
    connection = await connect(url)
    try:
        events = await connection.fetchval("SELECT count(*) FROM epcis_events WHERE event_type = 'AggregationEvent'")
    finally:
        await connection.close()
    return drained, int(events)


async def run_load(base: str, requests: list[dict[str, object]], creds: dict[str, str]) -> float:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        token = (await http.post("/oauth/token", data={"grant_type": "client_credentials", **creds})).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        queue = list(reversed(requests))

        async def worker() -> None:
            while queue:
                body = queue.pop()
                response = await http.post("/api/v1/codes/packing", json=body, headers=headers)
                if response.status_code != 200:
                    raise SystemExit(f"packing failed: {response.status_code} {response.text[:500]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    args = parser.parse_args()
    contexts.load()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["YIMA_DATA_DIR"] = tmp
        url = await fresh_database("packing")
        await asyncio.to_thread(migrations.upgrade, url)
        requests, creds = await prepare(url, args.cases)
        port = free_port()
        env = {
            **os.environ,
            "YIMA_DATABASE_URL": url,
            "YIMA_LOG_LEVEL": "WARNING",
            "YIMA_PUBLIC_RATE_PER_MINUTE": "100000",
            "YIMA_RUN_WORKER_INLINE": "false",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "yima", "serve", "--no-console", "--workers", "2", "--port", str(port)], env=env
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)
            warm_up = len(requests) // 10
            await run_load(base, requests[:warm_up], creds)
            connection = await connect(url)
            try:
                await connection.execute("ANALYZE")
            finally:
                await connection.close()
            elapsed = await run_load(base, requests[warm_up:], creds)
            timed_links = (args.cases - warm_up * CASES_PER_REQUEST) * PER_CASE
        finally:
            server.terminate()
            server.wait(timeout=30)
        drained, events = await record_aggregations(url)
    result = {
        "links": timed_links,
        "seconds": round(elapsed, 2),
        "pack_links_per_s": round(timed_links / elapsed),
        "aggregation_events": events,
        "aggregation_drain_s": round(drained, 2),
        "aggregation_links_per_s": round(args.cases * PER_CASE / drained),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
