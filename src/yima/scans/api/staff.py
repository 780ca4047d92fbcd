"""Scans' staff edges — /api/v1/scans (reads), /api/v1/scans/reviews (风控审核) and, beside it,
/api/v1/scans/gifts (实物奖品发货: campaigns' use cases, the gifts the scans awarded) — and the code
page's location report (public)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from yima.campaigns.permissions import CAMPAIGNS_READ, CAMPAIGNS_WRITE, RISK_READ, RISK_WRITE
from yima.campaigns.service import gifts
from yima.campaigns.service.gifts import GiftDeliveryFilter, GiftDeliveryRead, GiftShipment
from yima.identity.permissions import public, requires
from yima.platform.ctx import Ctx
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id
from yima.scans import service
from yima.scans.permissions import SCANS_READ
from yima.scans.schemas import ReviewDecision, ReviewFilter, ReviewRead, ScanFilter, ScanLocation, ScanRead

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


@router.get("/reviews", response_model=Page[ReviewRead])
async def list_reviews(
    paging: Annotated[PageParams, Depends(page_params)],
    filters: Annotated[ReviewFilter, Depends()],
    ctx: Ctx = requires(RISK_READ),
) -> Page[ReviewRead]:
    """风控审核: scans risk control held for review (``state=pending``), or those decided."""
    rows = await service.list_reviews(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.scan_id)


@router.post("/reviews/{scan_id}", response_model=ReviewRead)
async def decide_review(scan_id: Id, data: ReviewDecision, ctx: Ctx = requires(RISK_WRITE)) -> ReviewRead:
    """Approve (the scan draws now, as it would have) or reject a held scan. 409
    ``already_reviewed`` when someone decided first."""
    return await service.decide_review(ctx, scan_id, data)


@router.get("/gifts", response_model=Page[GiftDeliveryRead])
async def list_gift_deliveries(
    paging: Annotated[PageParams, Depends(page_params)],
    filters: Annotated[GiftDeliveryFilter, Depends()],
    ctx: Ctx = requires(CAMPAIGNS_READ),
) -> Page[GiftDeliveryRead]:
    """实物奖品发货: gifts whose winners gave their address, to ship (``state=pending``) or shipped."""
    rows = await gifts.list_gift_deliveries(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/gifts/{delivery_id}/ship", response_model=GiftDeliveryRead)
async def ship_gift(delivery_id: Id, data: GiftShipment, ctx: Ctx = requires(CAMPAIGNS_WRITE)) -> GiftDeliveryRead:
    """发货 with the tracking number, once: 409 ``gift_shipped`` after. Audited."""
    return await gifts.ship_gift(ctx, delivery_id, data)


@code_router.post("/m/scans/location", response_model=ScanRead, include_in_schema=False)
async def locate_scan(data: ScanLocation, request: Request, ctx: Ctx = public()) -> ScanRead:
    """Where the phone was when it scanned (sent by the code page, with the scanner's consent)."""
    request.app.state.limiters["scan"].hit(ctx.ip or "?")
    return await service.locate_scan(ctx, data)


routers = [router, code_router]
