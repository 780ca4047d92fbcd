"""Scans' HTTP edges: /api/v1/scans (staff) and the code page's location report (public)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from yima.identity.permissions import public, requires
from yima.platform.ctx import Ctx
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.scans import service
from yima.scans.permissions import SCANS_READ
from yima.scans.schemas import ScanFilter, ScanLocation, ScanRead

router = APIRouter(prefix="/api/v1/scans", tags=["scans"])
code_router = APIRouter(tags=["scans"])


@router.get("", response_model=Page[ScanRead])
async def list_scans(
    paging: Annotated[PageParams, Depends(page_params)],
    filters: Annotated[ScanFilter, Depends()],
    ctx: Ctx = requires(SCANS_READ),
) -> Page[ScanRead]:
    rows = await service.list_scans(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@code_router.post("/m/scans/location", response_model=ScanRead, include_in_schema=False)
async def locate_scan(data: ScanLocation, request: Request, ctx: Ctx = public()) -> ScanRead:
    """Where the phone was when it scanned (sent by the code page, with the scanner's consent)."""
    request.app.state.limiters["scan"].hit(ctx.ip or "?")
    return await service.locate_scan(ctx, data)


routers = [router, code_router]
