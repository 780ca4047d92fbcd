"""The scan benchmark's reference routes (bench/scan.py), on the same app, middleware and
transaction dependency as ``POST /api/v1/scans``: ``GET /bench/hello`` (nothing but the stack)
and ``POST /bench/minimal`` (one indexed SELECT and one INSERT: the floor of a scan). Served
only with ``YIMA_BENCH_ROUTES=1``: otherwise 404, as for any unknown path. Outside /api/v1 and
the OpenAPI document: nobody's API, and the route harnesses do not walk them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import StringConstraints

from yima.identity.permissions import public
from yima.platform.ctx import Ctx
from yima.platform.errors import NotFound
from yima.platform.types import RequestBody
from yima.scans.service.probes import probe_scan


async def _enabled(request: Request) -> None:
    """Runs before the route's own dependencies: a disabled probe opens no transaction (async:
    a plain ``def`` dependency would cost a hop to the thread pool on every request)."""
    if not request.app.state.settings.bench_routes:
        raise NotFound("not found")


router = APIRouter(prefix="/bench", include_in_schema=False, dependencies=[Depends(_enabled)])


class ProbeRequest(RequestBody):
    code: Annotated[str, StringConstraints(min_length=1, max_length=300)]


@router.get("/hello")
async def hello() -> dict[str, bool]:
    """The stack alone: no transaction, no database (the only route here without public())."""
    return {"ok": True}


@router.post("/minimal")
async def minimal(data: ProbeRequest, ctx: Ctx = public()) -> dict[str, int]:
    probe = await probe_scan(ctx, data.code)
    return {"scan_id": probe.scan_id, "first_scan_id": probe.first_scan_id}


routers = [router]
