"""The stack's floor on this machine: the reference figures issue 5 quotes "for scale" (FastAPI's
hello world, a minimal SELECT + INSERT route through raw asyncpg and through SQLAlchemy's async
Core), measured with bench/scan.py's load generator and phases, so that its ``hello_per_s`` and
``minimal_per_s`` can be read against what the bare libraries do here.

The server is uvicorn serving bench/_floor_app.py (nothing of yima's: no middleware, session,
tenancy or log line) with ``--workers`` processes (2, as bench/scan.py runs yima), uvloop and
httptools, on a fresh PostgreSQL database. The three phases, each a warm-up then ``--seconds``
measured with ``--concurrency`` (32) requests in flight:

- ``hello_per_s``: ``GET /hello``;
- ``asyncpg_minimal_per_s``: ``POST /asyncpg/minimal`` — BEGIN, one indexed SELECT, one INSERT
  … RETURNING, COMMIT on a pooled asyncpg connection;
- ``core_minimal_per_s``: ``POST /core/minimal`` — the same two statements, built once, through
  an ``AsyncEngine.begin()`` block.

The last line is one JSON object.

    .venv/bin/python tools/pgtest.py -- .venv/bin/python -m bench.floor [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import uvloop

from bench._floor_app import CREATE
from bench._load import CpuMeter, fixed_requests, free_port, percentile, request_head
from bench._pg import connect, fresh_database, server_facts
from bench.scan import add_phase_options, phase, wait_until_up

SERIALS = 10_000  # distinct serials the minimal routes are sent, round-robin


def posts(path: str) -> list[bytes]:
    requests = []
    for serial in range(1, SERIALS + 1):
        body = json.dumps({"code": str(serial)}).encode()
        requests.append(request_head("POST", path, len(body)) + b"\r\n" + body)
    return requests


async def run(args: argparse.Namespace) -> dict[str, object]:
    url = await fresh_database("floor")
    connection = await connect(url)
    try:
        for statement in CREATE:
            await connection.execute(statement)
    finally:
        await connection.close()
    pg_version, postmaster = await server_facts(url)
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench._floor_app:app", "--port", str(port),
               "--workers", str(args.workers), "--loop", "uvloop", "--http", "httptools",
               "--no-access-log", "--log-level", "warning"]  # fmt: skip
    env = {**os.environ, "YIMA_FLOOR_DATABASE_URL": url}
    server = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent)
    result: dict[str, object] = {}
    cpu: dict[str, object] = {}
    try:
        await wait_until_up(port, server)
        meter = CpuMeter(server.pid, postmaster)
        for name, requests in [
            ("hello", [request_head("GET", "/hello") + b"\r\n"]),
            ("asyncpg_minimal", posts("/asyncpg/minimal")),
            ("core_minimal", posts("/core/minimal")),
        ]:
            measured = await phase(name, args, port, url, meter, lambda requests=requests: fixed_requests(requests))
            if measured.measured.errors():
                raise SystemExit(f"{name}: answers other than 200: {measured.measured.errors()}")
            result[f"{name}_per_s"] = round(measured.rate)
            result[f"{name}_p99_ms"] = round(percentile(measured.measured.latencies_ms, 0.99), 2)
            cpu[name] = measured.cpu
    finally:
        server.terminate()
        server.wait(timeout=60)
    return result | {
        "cpu": cpu,
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "cpu_count": os.cpu_count(),
        "postgresql": pg_version,
        "python": platform.python_version(),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_phase_options(parser)
    args = parser.parse_args()
    args.profile = None  # bench/scan.py's phases can profile; the floor has nothing of yima's to profile
    print(json.dumps(await run(args), ensure_ascii=False))


if __name__ == "__main__":
    uvloop.run(main())
