"""Traceability at scale, on PostgreSQL.

``capture_events_per_s``: ObjectEvents of 24 EPCs each (a case's worth of bottles shipped),
sent as EPCIS 2.0 documents of 250 events to ``POST /epcis/capture`` on a real server (``yima
serve``, two worker processes, no console) by 4 concurrent clients; every event is validated
(GS1 schema and the rules it misses), hashed (CBV 2.0 event hash) and stored with its 24
identifier rows.

``lifecycle_p50_ms`` / ``lifecycle_p99_ms``: ``GET /api/v1/trace/units/lifecycle`` for random
bottles of a real channel (bottles packed into cases onto pallets through the packing service,
whose aggregation events the outbox records; pallets put into the warehouse, shipped to a dealer,
received; cases shipped on to a store and signed for), one request at a time, with 10,000,000
events stored: the channel's own, plus filler events about other units written straight into the
event tables with SQL (two identifiers each, so the identifier index holds ~20 M rows).

The last line is one JSON object.

    .venv/bin/python tools/pgtest.py -- .venv/bin/python -m bench.trace [--events N] [--stored N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bench._load import free_port, percentile
from bench._pg import connect, fresh_database
from yima import contexts
from yima.catalog import service as catalog
from yima.catalog.schemas import ProductCreate, SpecCreate
from yima.codes import service as codes
from yima.codes.schemas import ActivationCreate, BatchCreate, PackOperation, PackRequest, SerialRange, SupplierCreate
from yima.codes.tokens import Face
from yima.identity import service as identity
from yima.identity.permissions import cli_context
from yima.identity.schemas import ClientCreate, TenantCreate
from yima.partners import service as partners
from yima.partners.schemas import DealerCreate, StoreCreate, WarehouseCreate
from yima.platform.db import migrations
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner
from yima.trace import service as trace
from yima.trace.schemas import PartyRef, Receipt, Shipment, WarehouseIn

EPCS_PER_EVENT = 24
EVENTS_PER_DOCUMENT = 250
CLIENTS = 4
PALLETS = 40
CASES_PER_PALLET = 50
BOTTLES_PER_CASE = 6
CASES_TO_STORE = 10  # of each pallet, shipped on to a store and signed for
LOOKUPS = 1000
CONTEXT = ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"]
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def object_event(number: int) -> dict[str, object]:
    """The ``number``-th shipment: 24 bottles (SGTIN) of one case leaving the factory warehouse."""
    first = number * EPCS_PER_EVENT
    return {
        "type": "ObjectEvent",
        "eventTime": (START + dt.timedelta(seconds=number)).isoformat().replace("+00:00", "Z"),
        "eventTimeZoneOffset": "+08:00",
        "epcList": [f"urn:epc:id:sgtin:0614141.107346.{first + i}" for i in range(EPCS_PER_EVENT)],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
        "bizLocation": {"id": "urn:epc:id:sgln:0614141.00777.0"},
    }


def document(first_event: int, count: int) -> bytes:
    return json.dumps(
        {
            "@context": CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": START.isoformat().replace("+00:00", "Z"),
            "epcisBody": {"eventList": [object_event(n) for n in range(first_event, first_event + count)]},
        }
    ).encode()


async def prepare(url: str) -> dict[str, str]:
    db = Database(url)
    try:
        async with cli_context(db) as ctx:
            await identity.create_tenant(ctx, TenantCreate(slug="bench", name="Bench 酒业"))
        async with cli_context(db, "bench") as ctx:
            client = await identity.create_client(
                ctx, ClientCreate(name="wms", scopes=["trace:write", "trace:read", "codes:read"])
            )
    finally:
        await db.dispose()
    return {"client_id": client.client_id, "client_secret": client.client_secret}


async def build_channel(url: str) -> list[str]:
    """Pack, store, ship and receive a real channel; the bottles' printed URLs."""
    db = Database(url)
    try:
        async with cli_context(db, "bench") as ctx:
            spec = await catalog.create_spec(
                ctx,
                SpecCreate(
                    code="6x500", name="6 瓶", bottles_per_case=BOTTLES_PER_CASE, cases_per_pallet=CASES_PER_PALLET
                ),
            )
            product = await catalog.create_product(
                ctx, ProductCreate(sku="B-1", name="金樽", gtin="6975123001026", packaging_spec_id=spec.id)
            )
            supplier = await codes.create_supplier(ctx, SupplierCreate(name="盖厂", kind="cap_factory"))
            cases_total = PALLETS * CASES_PER_PALLET
            batches = {
                level: await codes.create_batch(ctx, BatchCreate(level=level, quantity=n, supplier_id=supplier.id))
                for level, n in (("bottle", cases_total * BOTTLES_PER_CASE), ("case", cases_total), ("pallet", PALLETS))
            }
            for batch in batches.values():
                selection = SerialRange(serial_from=batch.first_serial, serial_to=batch.last_serial)
                await codes.activate(ctx, ActivationCreate(range=selection, product_id=product.id))
            warehouse = await partners.create_warehouse(
                ctx, WarehouseCreate(code="WH-1", name="茅台镇成品库", kind="central", region_code="520382")
            )
            dealer = await partners.create_dealer(
                ctx, DealerCreate(code="D-1", name="成都经销商", territory=["510100"])
            )
            store = await partners.create_store(
                ctx, StoreCreate(code="S-1", name="锦江烟酒店", dealer_id=dealer.id, region_code="510104")
            )
            brand = await codes.codec(ctx)
        await Runner(db, identity.tenant_info).drain()  # the print files, before the timed part

        def printed(serial: int) -> str:
            return "https://scan.example.cn/c/" + brand.encode(serial, Face.OUTER)

        bottle, case, pallet = (batches[level].first_serial for level in ("bottle", "case", "pallet"))
        for p in range(PALLETS):
            cases = [case + p * CASES_PER_PALLET + c for c in range(CASES_PER_PALLET)]
            operations = [
                PackOperation(
                    parent=printed(c),
                    children=[printed(bottle + (c - case) * BOTTLES_PER_CASE + b) for b in range(BOTTLES_PER_CASE)],
                )
                for c in cases
            ]
            operations.append(PackOperation(parent=printed(pallet + p), children=[printed(c) for c in cases]))
            async with cli_context(db, "bench") as ctx:
                await codes.pack(ctx, PackRequest(operations=operations))
            await Runner(db, identity.tenant_info).drain()  # UnitsPacked → AggregationEvents
            at_warehouse = PartyRef(kind="warehouse", id=warehouse.id)
            at_dealer, at_store = PartyRef(kind="dealer", id=dealer.id), PartyRef(kind="store", id=store.id)
            onward = [printed(c) for c in cases[:CASES_TO_STORE]]
            async with cli_context(db, "bench") as ctx:
                await trace.warehouse_in(ctx, WarehouseIn(codes=[printed(pallet + p)], warehouse_id=warehouse.id))
                await trace.ship(ctx, Shipment(codes=[printed(pallet + p)], source=at_warehouse, destination=at_dealer))
                await trace.receive(ctx, Receipt(codes=[printed(pallet + p)], receiver=at_dealer))
                await trace.ship(ctx, Shipment(codes=onward, source=at_dealer, destination=at_store))
                await trace.receive(ctx, Receipt(codes=onward, receiver=at_store))
        return [printed(bottle + i) for i in range(PALLETS * CASES_PER_PALLET * BOTTLES_PER_CASE)]
    finally:
        await db.dispose()


FILLER_EVENTS = """
INSERT INTO epcis_events (tenant_id, event_id, event_type, action, biz_step, disposition, event_time,
    event_time_zone_offset, record_time, biz_location, source, document)
SELECT $1, 'urn:uuid:' || md5('bench' || i), 'ObjectEvent', 'OBSERVE', 'shipping', 'in_transit',
    $2::timestamptz + i * interval '1 second', '+08:00', now(), 'urn:yima:warehouse:1', 'bench',
    jsonb_build_object('type', 'ObjectEvent', 'action', 'OBSERVE', 'bizStep', 'shipping',
        'disposition', 'in_transit', 'eventTimeZoneOffset', '+08:00',
        'eventTime', to_char($2::timestamptz + i * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'epcList', jsonb_build_array('https://scan.example.cn/c/FILLER' || (2 * i),
            'https://scan.example.cn/c/FILLER' || (2 * i + 1)),
        'bizLocation', jsonb_build_object('id', 'urn:yima:warehouse:1'))
FROM generate_series($3::bigint, $4::bigint) AS i
"""
FILLER_EPCS = """
INSERT INTO epcis_event_epcs (tenant_id, event_pk, position, epc, role, event_time, serial)
SELECT e.tenant_id, e.id, k, e.document -> 'epcList' ->> k, 'epc', e.event_time,
    500000000000 + 2 * e.id + k
FROM epcis_events e CROSS JOIN (VALUES (0), (1)) AS positions(k)
WHERE e.tenant_id = $1 AND e.source = 'bench' AND e.id BETWEEN $2 AND $3
"""


async def fill_events(url: str, stored: int) -> int:
    """Filler events about other units up to ``stored`` events in all; how many there are now."""
    connection = await connect(url)
    try:
        tenant_id = await connection.fetchval("SELECT id FROM tenants WHERE slug = 'bench'")
        have = await connection.fetchval("SELECT count(*) FROM epcis_events")
        step = 500_000
        for low in range(1, max(0, stored - have) + 1, step):
            high = min(low + step - 1, stored - have)
            async with connection.transaction():
                first = await connection.fetchval("SELECT coalesce(max(id), 0) FROM epcis_events")
                await connection.execute(FILLER_EVENTS, tenant_id, START - dt.timedelta(days=400), low, high)
                last = await connection.fetchval("SELECT max(id) FROM epcis_events")
                await connection.execute(FILLER_EPCS, tenant_id, first + 1, last)
        await connection.execute("ANALYZE")
        return int(await connection.fetchval("SELECT count(*) FROM epcis_events"))
    finally:
        await connection.close()


async def lifecycle_latencies(base: str, creds: dict[str, str], bottles: list[str]) -> list[float]:
    """Milliseconds per lifecycle lookup of random bottles, one request at a time."""
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        headers = await headers_for(http, creds)
        timings = []
        for i in range(LOOKUPS + 50):
            code = rng.choice(bottles)
            started = time.perf_counter()
            response = await http.get("/api/v1/trace/units/lifecycle", params={"code": code}, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or len(response.json()["events"]) < 4:
                raise SystemExit(f"lifecycle failed: {response.status_code} {response.text[:500]}")
            if i >= 50:  # the first ones warm the caches
                timings.append(elapsed)
    return timings


@asynccontextmanager
async def server(url: str) -> AsyncIterator[str]:
    port = free_port()
    env = {**os.environ, "YIMA_DATABASE_URL": url, "YIMA_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "yima", "serve", "--no-console", "--workers", "2", "--port", str(port)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                await asyncio.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def headers_for(http: httpx.AsyncClient, creds: dict[str, str]) -> dict[str, str]:
    token = (await http.post("/oauth/token", data={"grant_type": "client_credentials", **creds})).json()
    return {"Authorization": f"Bearer {token['access_token']}", "Content-Type": "application/ld+json"}


async def capture_rate(base: str, creds: dict[str, str], events: int) -> float:
    """Events a second through POST /epcis/capture, after a warm-up of two documents."""
    async with httpx.AsyncClient(base_url=base, timeout=300) as http:
        headers = await headers_for(http, creds)
        bodies = [document(n, EVENTS_PER_DOCUMENT) for n in range(0, events, EVENTS_PER_DOCUMENT)]
        warm_up = [document(events + n, EVENTS_PER_DOCUMENT) for n in (0, EVENTS_PER_DOCUMENT)]
        for body in warm_up:
            response = await http.post("/epcis/capture", content=body, headers=headers)
            if response.status_code != 201:
                raise SystemExit(f"capture failed: {response.status_code} {response.text[:500]}")
        queue = list(reversed(bodies))

        async def client() -> None:
            while queue:
                response = await http.post("/epcis/capture", content=queue.pop(), headers=headers)
                if response.status_code != 201:
                    raise SystemExit(f"capture failed: {response.status_code} {response.text[:500]}")

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
        return len(bodies) * EVENTS_PER_DOCUMENT / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000, help="ObjectEvents to capture (timed)")
    parser.add_argument("--stored", type=int, default=10_000_000, help="events stored for the lifecycle lookups")
    args = parser.parse_args()
    contexts.load()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["YIMA_DATA_DIR"] = tmp
        url = await fresh_database("trace")
        await asyncio.to_thread(migrations.upgrade, url)
        creds = await prepare(url)
        async with server(url) as base:
            rate = await capture_rate(base, creds, args.events)
        bottles = await build_channel(url)
        stored = await fill_events(url, args.stored)
        async with server(url) as base:
            timings = await lifecycle_latencies(base, creds, bottles)
    result = {
        "events": args.events,
        "epcs_per_event": EPCS_PER_EVENT,
        "capture_events_per_s": round(rate),
        "events_stored": stored,
        "lifecycle_lookups": len(timings),
        "lifecycle_p50_ms": round(percentile(timings, 0.50), 2),
        "lifecycle_p99_ms": round(percentile(timings, 0.99), 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
