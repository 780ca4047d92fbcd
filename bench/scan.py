"""The scan: consumer scans a second through ``POST /api/v1/scans``, against the same server
stack's floor, on PostgreSQL (issue 5 point 7; DESIGN.md §6).

The server runs as ``make run`` has it (migrated, ``yima demo``, the job runner inside the web
process, ``YIMA_LOG_LEVEL=INFO``) but on PostgreSQL, with two worker processes, without the
console (it needs one worker), and with ``YIMA_BENCH_ROUTES=1`` for the reference routes. The
server's parent process hands each connection to the worker holding the fewest, and each worker
logs as ``make run`` does (platform/web/workers.py). The
benchmark then seeds through the services: a bottle batch of its own for the demo brand's 金樽, activated
by range (one row); the demo's consumer campaign ended, and a bench campaign published on that
batch and funded (large budget, no daily cap, generous per-person limits, cash prizes —
random 30–888 fen and fixed 100 fen — with a points fallback), so a scan pays cash through the
ledger.

The load generator runs in this process on loopback (uvloop, one raw HTTP/1.1 keep-alive
connection per slot, request bytes built before the run): exactly ``--concurrency`` (32)
requests in flight. Three phases on the same server, each a warm-up then ``--seconds`` measured
(``steady`` in between: ``ANALYZE``, as autovacuum would on live tables, and ``CHECKPOINT``,
which recycles the WAL segments written so far as the next ones — a cluster fresh from initdb
has none, and its WAL writer stops for some 50 ms every few seconds to write the next 16 MB
segment full of zeros, which a server running for a while does not). The measured run's first
``--settle`` seconds are not counted: its 32 connections open at once and start in step, each
with a new consumer's first scan, right after ANALYZE made every cached plan stale — a burst
that is not the steady load the figures are about (the answers count for the checks below):

- ``hello_per_s``: ``GET /bench/hello`` (no database: the stack alone);
- ``minimal_per_s``: ``POST /bench/minimal`` (one indexed SELECT and one INSERT in the request's
  transaction: the floor any scan pays), over codes the scans do not use;
- ``scans_per_s``, ``p50_ms``, ``p99_ms``: ``POST /api/v1/scans`` of distinct activated bottle
  inner codes by simulated consumers: each scans 5 distinct codes, the first without a visitor
  token (the answer gives it one), the rest with ``X-Yima-Visitor``; each from its own address
  (``X-Forwarded-For``, trusted from 127.0.0.1), four consumers per /24, with a location and a
  device id, and an ``Idempotency-Key`` per scan.

Afterwards: the ledger is balanced (``wallet.is_balanced``) and the campaign's awards equal the
"awarded" answers (warm-ups included), no code twice. So that a slow phase says where its time
went: ``cpu`` gives the CPU seconds of the load generator, the server's processes and
PostgreSQL's during each measured phase (from /proc); ``db_sessions`` how many of the server's
database sessions were, on average, running a statement, idle in a transaction (the server in
Python between statements) or waiting (``Lock:transactionid``: on a row another scan holds);
``--profile DIR`` has py-spy sample each server worker. The last line is one JSON object.

    .venv/bin/python tools/pgtest.py -- .venv/bin/python -m bench.scan [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import uvloop

from bench._load import (
    ConnectionClosed,
    CpuMeter,
    Http,
    Tally,
    Work,
    fixed_requests,
    free_port,
    open_connection,
    percentile,
    request_head,
    run_slots,
    watch_database,
)
from bench._pg import connect, fresh_database, server_facts
from yima import contexts
from yima.campaigns import service as campaigns
from yima.campaigns.demo import PRODUCT_SKU
from yima.campaigns.schemas import CampaignCreate, CampaignFilter, Limits, PrizeIn, Scope
from yima.catalog import service as catalog
from yima.codes import service as codes
from yima.codes.printfiles import url_prefix
from yima.codes.schemas import ActivationCreate, BatchCreate, SerialRange, SupplierCreate
from yima.codes.tokens import Face
from yima.demo import DEMO_SLUG, ensure_demo
from yima.identity import service as identity
from yima.identity.permissions import cli_context
from yima.platform.db import migrations
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner
from yima.settings import get_settings
from yima.wallet import service as wallet

SCANS_PER_CONSUMER = 5
CONSUMERS_PER_NET = 4  # consumers sharing one /24
MINIMAL_CODES = 10_000  # codes of the batch kept for POST /bench/minimal (never scanned)
BUDGET_FEN_PER_CODE = 1_000  # above the dearest prize (888 fen) and its platform fee
CAMPAIGN = "扫码基准活动"
SCANS_PATH = "/api/v1/scans"
# Where consumers stand: city centres (lat, lon), each scan within ~10 km of one.
CITIES = [
    (31.2304, 121.4737), (39.9042, 116.4074), (23.1291, 113.2644), (30.5728, 104.0668), (29.5630, 106.5516),
    (26.6470, 106.6302), (30.2741, 120.1551), (32.0603, 118.7969), (22.5431, 114.0579), (34.3416, 108.9398),
]  # fmt: skip


# Seeding --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    campaign_id: int
    scan_codes: list[str]
    minimal_codes: list[str]
    ended_campaigns: int


async def seed(url: str, scan_codes: int) -> Seeded:
    """The bench batch and campaign in the demo brand (``yima demo`` has run)."""
    db = Database(url)
    quantity = scan_codes + MINIMAL_CODES
    budget = scan_codes * BUDGET_FEN_PER_CODE
    try:
        async with cli_context(db, DEMO_SLUG) as ctx:
            product = await catalog.find_product(ctx, PRODUCT_SKU)
            assert product is not None, f"the demo has no product {PRODUCT_SKU}"
            supplier = await codes.create_supplier(ctx, SupplierCreate(name="基准瓶盖厂", kind="cap_factory"))
            batch = await codes.create_batch(
                ctx,
                BatchCreate(
                    level="bottle", quantity=quantity, supplier_id=supplier.id, faces=["outer", "inner"], note="基准"
                ),
            )
            await codes.activate(
                ctx,
                ActivationCreate(
                    range=SerialRange(serial_from=batch.first_serial, serial_to=batch.last_serial),
                    product_id=product.id,
                    lot="BENCH",
                ),
            )
            ended = 0
            for live in await campaigns.list_campaigns(ctx, CampaignFilter(), 100, None):
                if live.state in ("scheduled", "running", "paused"):
                    await campaigns.end_campaign(ctx, live.id)
                    ended += 1
            created = await campaigns.create_campaign(
                ctx,
                CampaignCreate(
                    name=CAMPAIGN,
                    description="bench/scan.py",
                    budget_fen=budget,
                    daily_cap_fen=None,
                    scope=Scope(batch_ids=[batch.id]),
                    limits=Limits(per_person_day=100, per_person_total=1000, scans_per_code=1),
                    prizes=[
                        PrizeIn(name="随机红包", kind="cash", min_fen=30, max_fen=888, weight=30),
                        PrizeIn(name="1元红包", kind="cash", amount_fen=100, weight=70),
                        PrizeIn(name="10积分", kind="points", points=10, weight=0, fallback=True),
                    ],
                ),
            )
            published = await campaigns.publish_campaign(ctx, created.id)
            assert published.budget_account_id is not None
            await wallet.fund_brand(ctx, budget, f"BENCH-{created.id}", "基准充值")
            await wallet.allocate_budget(ctx, published.budget_account_id, budget, f"bench-campaign-{created.id}")
            brand = await codes.codec(ctx)
        await Runner(db, identity.tenant_info).drain()  # the batch's print file, before the run
    finally:
        await db.dispose()
    prefix = url_prefix(get_settings().public_base_url, None)  # the batch names no product: /C/ URLs

    def printed(serial: int) -> str:
        return prefix + brand.encode(serial, Face.INNER)

    first = batch.first_serial
    return Seeded(
        campaign_id=created.id,
        scan_codes=[printed(first + i) for i in range(scan_codes)],
        minimal_codes=[printed(first + scan_codes + i) for i in range(MINIMAL_CODES)],
        ended_campaigns=ended,
    )


@dataclass(frozen=True)
class Consumer:
    scans: list[tuple[bytes, bytes]]  # (head without the visitor header, body) per code


def consumers(codes_: list[str], seed_: int = 7) -> list[Consumer]:
    rng = random.Random(seed_)
    head = request_head("POST", SCANS_PATH)
    made = []
    count = len(codes_) // SCANS_PER_CONSUMER
    nets = max(1, count // CONSUMERS_PER_NET)
    for c in range(count):
        # Neighbours in the queue (scanning at the same moment) come from different /24s.
        net, host = c % nets, c // nets
        address = f"{36 + net // 65536}.{(net // 256) % 256}.{net % 256}.{10 + host}"
        lat, lon = rng.choice(CITIES)
        device = f"bench-device-{c:06d}"
        scans = []
        for k in range(SCANS_PER_CONSUMER):
            number = c * SCANS_PER_CONSUMER + k
            body = json.dumps(
                {
                    "code": codes_[number],
                    "lat": round(lat + rng.uniform(-0.1, 0.1), 5),
                    "lon": round(lon + rng.uniform(-0.1, 0.1), 5),
                    "accuracy_m": 30.0,
                    "device_id": device,
                },
                separators=(",", ":"),
            ).encode()
            extra = f"X-Forwarded-For: {address}\r\nIdempotency-Key: bench-{number:08d}\r\n"
            lengths = f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            scans.append((head + (lengths + extra).encode(), body))
        made.append(Consumer(scans))
    return made


def scanning(queue: Iterator[Consumer]) -> Work:
    """Slots playing consumers from ``queue``: a consumer's first scan has no visitor token, the
    answer's token goes with the rest. A slot stops at the deadline or when consumers run out."""

    async def work(http: Http, tally: Tally, deadline: float) -> None:
        clock = time.perf_counter
        for consumer in queue:
            visitor = b""
            for head, body in consumer.scans:
                if clock() >= deadline:
                    return
                sent = clock()
                status, answer = await http.send(head + visitor + b"\r\n" + body)
                counted = tally.answered(sent, status, answer)
                if status != 200:
                    continue
                data = json.loads(answer)
                draw = data.get("draw") or {}
                outcome = str(data.get("outcome") or draw.get("outcome"))
                tally.every_outcome[outcome] += 1
                if counted:
                    tally.outcomes[outcome] += 1
                if not visitor and data.get("visitor_token"):
                    visitor = b"X-Yima-Visitor: " + data["visitor_token"].encode() + b"\r\n"
            if clock() >= deadline:
                return

    return work


# Running it -----------------------------------------------------------------------------------


async def steady(url: str) -> None:
    """The database as a server running for a while has it: statistics, and WAL segments to recycle."""
    connection = await connect(url)
    try:
        await connection.execute("ANALYZE")
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


async def wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    request = request_head("GET", "/healthz") + b"\r\n"
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            http = await open_connection(port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        try:
            status, _ = await http.send(request)
        except ConnectionClosed:  # the workers are not accepting yet
            status = 0
        finally:
            if http.transport is not None:
                http.transport.close()
        if status == 200:
            return
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not come up")


def profile(args: argparse.Namespace, name: str, pids: list[int]) -> list[subprocess.Popen[bytes]]:
    """With ``--profile DIR``: py-spy samples each server worker through the measured phase, into
    DIR/<phase>-<pid>.txt (collapsed stacks: one stack and its sample count a line)."""
    if not args.profile:
        return []
    Path(args.profile).mkdir(parents=True, exist_ok=True)
    # Blocking samples (the worker paused for each): --nonblocking read stale frames as busy.
    spy = [args.py_spy, "record", "-r", "250", "-f", "raw", "-d", str(round(args.seconds))]
    return [
        subprocess.Popen(
            [*spy, "-p", str(pid), "-o", str(Path(args.profile, f"{name}-{pid}.txt"))],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


@dataclass
class Phase:
    name: str
    measured: Tally
    cpu: dict[str, float]
    warm_up: Tally
    sessions: dict[str, float]

    @property
    def rate(self) -> float:
        return self.measured.ok / self.measured.elapsed if self.measured.elapsed else 0.0


async def phase(
    name: str, args: argparse.Namespace, port: int, url: str, meter: CpuMeter, make_work: Callable[[], Work]
) -> Phase:
    work = make_work()
    # Warm until every pooled connection has prepared the route's statements (asyncpg caches them
    # per connection, SQLAlchemy its compiled forms per process): --warmup seconds and at least
    # --warmup-requests answers, whichever is later (at most a minute).
    warm_up = Tally()
    started = time.perf_counter()
    while time.perf_counter() - started < 60:
        part = await run_slots(port, args.concurrency, args.warmup, work)
        warm_up.merge(part)
        if sum(warm_up.statuses.values()) >= args.warmup_requests or not part.statuses:
            break
    await steady(url)
    profilers = profile(args, name, meter.workers())
    stop = asyncio.Event()
    before: dict[str, float] = {}
    watchers: list[asyncio.Task[dict[str, float]]] = []

    def settled() -> None:  # the CPU and the sessions are measured over the counted seconds only
        before.update(meter.sample())
        watchers.append(asyncio.create_task(watch_database(url, stop)))

    measured = await run_slots(port, args.concurrency, args.seconds, work, args.settle, settled)
    cpu = CpuMeter.spent(before, meter.sample(), measured.elapsed)
    stop.set()
    sessions = await watchers[0]
    for profiler in profilers:
        profiler.wait()
    for status, sample in {**warm_up.samples, **measured.samples}.items():
        print(f"{name}: HTTP {status}: {sample}", file=sys.stderr)
    print(
        f"{name}: {measured.ok / measured.elapsed:,.0f}/s ok, p99 {percentile(measured.latencies_ms, 0.99):.1f} ms,"
        f" errors {measured.errors()}, cpu {cpu}, database sessions {sessions}",
        file=sys.stderr,
    )
    return Phase(name, measured, cpu, warm_up, sessions)


def add_phase_options(parser: argparse.ArgumentParser) -> None:
    """The options ``phase`` reads (bench/floor.py measures with them too)."""
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds of each phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds before each phase")
    parser.add_argument("--settle", type=float, default=1.0,
                        help="seconds at the start of each measured run not counted")  # fmt: skip
    parser.add_argument("--warmup-requests", type=int, default=1000, help="and at least this many warm-up requests")
    parser.add_argument("--concurrency", type=int, default=32, help="requests kept in flight")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")


async def scans_route_exists(port: int) -> bool:
    """Is POST /api/v1/scans served? (An empty body then gets 422; without it, 404 or 405.)"""
    http = await open_connection(port)
    try:
        status, _ = await http.send(request_head("POST", SCANS_PATH, 2) + b"\r\n{}")
    finally:
        if http.transport is not None:
            http.transport.close()
    return status not in (404, 405)


async def verify(url: str, campaign_id: int, awarded_answers: int) -> dict[str, object]:
    """The ledger balances, and the campaign holds as many awards (rows, and its prizes' counters)
    as were answered "awarded", no code twice."""
    db = Database(url)
    try:
        async with cli_context(db, DEMO_SLUG) as ctx:
            balanced = await wallet.is_balanced(ctx)
            campaign = await campaigns.get_campaign(ctx, campaign_id)
    finally:
        await db.dispose()
    connection = await connect(url)
    try:
        rows, codes_ = await connection.fetchrow(
            "SELECT count(*), count(DISTINCT code_serial) FROM campaign_awards WHERE campaign_id = $1", campaign_id
        )
    finally:
        await connection.close()
    counted = sum(p.awarded for p in campaign.prizes)
    return {
        "ledger_balanced": balanced,
        "awards": rows,
        "awarded_answers": awarded_answers,
        "awards_match": rows == counted == awarded_answers and codes_ == rows,
        "campaign_spent_fen": campaign.spent_fen,
    }


async def run(args: argparse.Namespace, tmp: str) -> dict[str, object]:
    url = await fresh_database("scan")
    await asyncio.to_thread(migrations.upgrade, url)
    await ensure_demo(url, quiet=True)
    seeded = await seed(url, args.codes)
    await steady(url)
    pg_version, postmaster = await server_facts(url)
    port = free_port()
    env = {
        **os.environ,
        "YIMA_DATABASE_URL": url,
        "YIMA_BENCH_ROUTES": "1",
        "YIMA_LOG_LEVEL": args.log_level,
    }
    command = [sys.executable, "-m", "yima", "serve", "--no-console", "--workers", str(args.workers)]
    log_path = Path(args.server_log or Path(tmp, "server.log"))
    with log_path.open("wb") as log:
        server = subprocess.Popen([*command, "--port", str(port)], env=env, stdout=log, stderr=log)
    load_before = os.getloadavg()[0]
    try:
        await wait_until_up(port, server)
        meter = CpuMeter(server.pid, postmaster)
        hello = await phase(
            "hello", args, port, url, meter, lambda: fixed_requests([request_head("GET", "/bench/hello") + b"\r\n"])
        )
        minimal_head = request_head("POST", "/bench/minimal")
        minimal_requests = []
        for code in seeded.minimal_codes:
            body = json.dumps({"code": code}).encode()
            lengths = f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            minimal_requests.append(minimal_head + lengths + body)
        minimal = await phase("minimal", args, port, url, meter, lambda: fixed_requests(minimal_requests))
        scans: Phase | None = None
        if await scans_route_exists(port):
            queue = iter(consumers(seeded.scan_codes))
            scans = await phase("scans", args, port, url, meter, lambda: scanning(queue))
        else:
            print(f"scans: POST {SCANS_PATH} is not served yet: no scan phase", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=60)
    load_after = os.getloadavg()[0]
    if server.returncode not in (0, -15):
        print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
    result: dict[str, object] = {}
    if scans is not None:
        outcomes = scans.warm_up.every_outcome + scans.measured.every_outcome
        result |= {
            "scans_per_s": round(scans.rate),
            "p50_ms": round(percentile(scans.measured.latencies_ms, 0.50), 2),
            "p99_ms": round(percentile(scans.measured.latencies_ms, 0.99), 2),
        }
    else:
        result |= {"scans_per_s": None, "p50_ms": None, "p99_ms": None, "scan_error": f"POST {SCANS_PATH} not served"}
    result |= {
        "hello_per_s": round(hello.rate),
        "hello_p99_ms": round(percentile(hello.measured.latencies_ms, 0.99), 2),
        "minimal_per_s": round(minimal.rate),
        "minimal_p99_ms": round(percentile(minimal.measured.latencies_ms, 0.99), 2),
    }
    if scans is not None:
        result |= {
            "ratio_vs_hello": round(scans.rate / hello.rate, 3) if hello.rate else None,
            "ratio_vs_minimal": round(scans.rate / minimal.rate, 3) if minimal.rate else None,
            "scans": scans.measured.ok,
            "outcomes": dict(scans.measured.outcomes.most_common()),
        }
    phases = [p for p in (hello, minimal, scans) if p is not None]
    result["errors"] = {p.name: p.measured.errors() for p in phases if p.measured.errors()}
    if scans is not None:
        result["codes_left"] = sum(1 for _ in queue) * SCANS_PER_CONSUMER
        result["check"] = await verify(url, seeded.campaign_id, outcomes["awarded"])
    result |= {
        "cpu": {p.name: p.cpu for p in phases},
        "db_sessions": {p.name: p.sessions for p in phases},
        "seconds": args.seconds,
        "warmup_s": {p.name: round(p.warm_up.elapsed, 1) for p in phases},
        "settle_s": args.settle,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "log_level": args.log_level,
        "cpu_count": os.cpu_count(),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "postgresql": pg_version,
        "python": platform.python_version(),
        "demo_campaigns_ended": seeded.ended_campaigns,
    }
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_phase_options(parser)
    parser.add_argument("--codes", type=int, default=60_000, help="activated bottle inner codes for the scans")
    parser.add_argument("--log-level", default="INFO", help="the server's YIMA_LOG_LEVEL (make run's: INFO)")
    parser.add_argument("--server-log", help="keep the server's output in this file")
    parser.add_argument("--profile", metavar="DIR", help="py-spy each server worker during each measured phase")
    parser.add_argument("--py-spy", default="py-spy", help="the py-spy to profile with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["YIMA_DATA_DIR"] = tmp  # before any setting is read: the server shares the secret key
        contexts.load()
        result = await run(args, tmp)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    uvloop.run(main())
