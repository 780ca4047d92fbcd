"""A tiny app served by ``platform.web.workers.run`` in tests/platform/test_server_process.py:
it tells how the cycle collector of the process serving it is set, and its startup fails on
request (``PROBE_FAIL_STARTUP``)."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if os.environ.get("PROBE_FAIL_STARTUP"):
        raise RuntimeError("the probe's startup fails, as asked")
    yield


app = FastAPI(lifespan=_lifespan)


@app.get("/collector")
async def collector() -> dict[str, object]:
    return {"frozen": gc.get_freeze_count(), "threshold": list(gc.get_threshold())}
