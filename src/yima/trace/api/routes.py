"""/api/v1/trace: logistics operations, a unit's lifecycle, the diversion (窜货) report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status

from yima.identity.permissions import requires
from yima.platform.ctx import Ctx
from yima.platform.sheets import XLSX_MEDIA_TYPE
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id
from yima.trace import service
from yima.trace.permissions import DIVERSION_WRITE, LOGISTICS_WRITE, TRACE_READ
from yima.trace.schemas import (
    DiversionFilter,
    DiversionRead,
    DiversionUpdate,
    GoodsReturn,
    LogisticsResult,
    Receipt,
    Shipment,
    UnitLifecycle,
    WarehouseIn,
)

router = APIRouter(prefix="/api/v1/trace", tags=["trace"])
Paging = Annotated[PageParams, Depends(page_params)]
XLSX: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "An .xlsx workbook"}}
CREATED = status.HTTP_201_CREATED


@router.post("/logistics/warehouse-in", response_model=LogisticsResult, status_code=CREATED)
async def warehouse_in(data: WarehouseIn, ctx: Ctx = requires(LOGISTICS_WRITE)) -> LogisticsResult:
    """入库: pallets, cases or bottles scanned into a warehouse (one EPCIS event; children inherit)."""
    return await service.warehouse_in(ctx, data)


@router.post("/logistics/shipments", response_model=LogisticsResult, status_code=CREATED)
async def ship(data: Shipment, ctx: Ctx = requires(LOGISTICS_WRITE)) -> LogisticsResult:
    """出库/发货: warehouse → dealer, dealer → store (or a sub-dealer)."""
    return await service.ship(ctx, data)


@router.post("/logistics/receipts", response_model=LogisticsResult, status_code=CREATED)
async def receive(data: Receipt, ctx: Ctx = requires(LOGISTICS_WRITE)) -> LogisticsResult:
    """收货 (dealer) / 签收 (store); a store outside the dealer's territory is diversion."""
    return await service.receive(ctx, data)


@router.post("/logistics/returns", response_model=LogisticsResult, status_code=CREATED)
async def return_goods(data: GoodsReturn, ctx: Ctx = requires(LOGISTICS_WRITE)) -> LogisticsResult:
    """退货: from a dealer or store back to a warehouse or dealer."""
    return await service.return_goods(ctx, data)


@router.get("/units/lifecycle", response_model=UnitLifecycle)
async def lifecycle(
    code: Annotated[str, Query(min_length=1, max_length=500, description="Any printed form of the code")],
    ctx: Ctx = requires(TRACE_READ),
) -> UnitLifecycle:
    """全生命周期: the unit, its parents and children, own and inherited events, current holder."""
    return await service.unit_lifecycle(ctx, code)


@router.get("/diversions", response_model=Page[DiversionRead])
async def list_diversions(
    paging: Paging, filters: Annotated[DiversionFilter, Depends()], ctx: Ctx = requires(TRACE_READ)
) -> Page[DiversionRead]:
    rows = await service.list_diversions(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.get("/diversions/export", responses=XLSX, response_class=Response)
async def export_diversions(
    filters: Annotated[DiversionFilter, Depends()], ctx: Ctx = requires(TRACE_READ)
) -> Response:
    content = await service.export_diversions(ctx, filters)
    headers = {"Content-Disposition": 'attachment; filename="diversions.xlsx"'}
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers=headers)


@router.get("/diversions/{diversion_id}", response_model=DiversionRead)
async def get_diversion(diversion_id: Id, ctx: Ctx = requires(TRACE_READ)) -> DiversionRead:
    return await service.get_diversion(ctx, diversion_id)


@router.patch("/diversions/{diversion_id}", response_model=DiversionRead)
async def update_diversion(
    diversion_id: Id, data: DiversionUpdate, ctx: Ctx = requires(DIVERSION_WRITE)
) -> DiversionRead:
    """Confirm or dismiss a finding (a dismissed one no longer flags the goods for rebates)."""
    return await service.update_diversion(ctx, diversion_id, data)
