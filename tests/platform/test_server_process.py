"""How ``yima serve`` runs one server process (platform/web/workers.py, ``run``): the objects the
app built at start are frozen out of the cycle collector's reach and young collections are
spaced out; an app whose startup fails ends the process with uvicorn's startup-failure code."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from tests.live import _free_port
from yima.platform.web.workers import YOUNG_COLLECTION_EVERY

SERVE = (
    "import uvicorn, sys; from yima.platform.web import workers; "
    "workers.run(uvicorn.Config('tests.platform.collector_probe:app', port=int(sys.argv[1]), log_level='warning'))"
)


def _serve(port: int, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", SERVE, str(port)], env=os.environ | env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip


def test_a_served_process_freezes_what_it_built_and_spaces_young_collections() -> None:
    port = _free_port()
    server = _serve(port)
    try:
        for _ in range(300):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/collector", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the probe never answered")
        found = answer.json()
        assert found["frozen"] > 10_000  # modules, FastAPI's and pydantic's objects: built before serving
        assert found["threshold"][0] == YOUNG_COLLECTION_EVERY
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_failed_startup_ends_the_process_with_uvicorns_startup_failure_code() -> None:
    server = _serve(_free_port(), PROBE_FAIL_STARTUP="1")
    output, _ = server.communicate(timeout=60)
    assert server.returncode == 3, output.decode(errors="replace")
    assert b"the probe's startup fails, as asked" in output
