"""Codes' HTTP edges: /api/v1/codes/…"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response

from yima.codes import service
from yima.codes.permissions import CODES_READ, CODES_WRITE, PACKING_WRITE
from yima.codes.schemas import (
    ActivationCreate,
    AssignmentRead,
    BatchCreate,
    BatchCreated,
    BatchFilter,
    BatchRead,
    BatchVoid,
    BlockCreate,
    BlockRead,
    ExportCreate,
    ExportCreated,
    ExportRead,
    FaceName,
    LegacyImportCreate,
    LegacyImportRead,
    Level,
    PackRequest,
    PackResult,
    ResolvedCode,
    SupplierCreate,
    SupplierRead,
    SupplierUpdate,
    UnitChildren,
    UnpackRequest,
    UnpackResult,
)
from yima.identity.permissions import requires
from yima.platform.ctx import Ctx
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id

router = APIRouter(prefix="/api/v1/codes", tags=["codes"])
Paging = Annotated[PageParams, Depends(page_params)]


@router.get("/suppliers", response_model=list[SupplierRead])
async def list_suppliers(ctx: Ctx = requires(CODES_READ)) -> list[SupplierRead]:
    return await service.list_suppliers(ctx)


@router.post("/suppliers", response_model=SupplierRead, status_code=status.HTTP_201_CREATED)
async def create_supplier(data: SupplierCreate, ctx: Ctx = requires(CODES_WRITE)) -> SupplierRead:
    return await service.create_supplier(ctx, data)


@router.patch("/suppliers/{supplier_id}", response_model=SupplierRead)
async def update_supplier(supplier_id: Id, data: SupplierUpdate, ctx: Ctx = requires(CODES_WRITE)) -> SupplierRead:
    return await service.update_supplier(ctx, supplier_id, data)


@router.post("/batches", response_model=BatchCreated, status_code=status.HTTP_201_CREATED)
async def create_batch(data: BatchCreate, ctx: Ctx = requires(CODES_WRITE)) -> BatchCreated:
    """Reserve serials (one row, whatever the quantity) and start building the supplier's print
    file; follow ``export.job_id`` at /api/v1/jobs/{id}. ``export.package_key`` is shown once."""
    return await service.create_batch(ctx, data)


@router.get("/batches", response_model=Page[BatchRead])
async def list_batches(
    paging: Paging, filters: Annotated[BatchFilter, Depends()], ctx: Ctx = requires(CODES_READ)
) -> Page[BatchRead]:
    rows = await service.list_batches(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.get("/batches/{batch_id}", response_model=BatchRead)
async def get_batch(batch_id: Id, ctx: Ctx = requires(CODES_READ)) -> BatchRead:
    return await service.get_batch(ctx, batch_id)


@router.post("/batches/{batch_id}/received", response_model=BatchRead)
async def mark_received(batch_id: Id, ctx: Ctx = requires(CODES_WRITE)) -> BatchRead:
    return await service.mark_received(ctx, batch_id)


@router.post("/batches/{batch_id}/void", response_model=BatchRead)
async def void_batch(batch_id: Id, data: BatchVoid, ctx: Ctx = requires(CODES_WRITE)) -> BatchRead:
    """Void a whole batch: none of its codes will pay anything, and each says why."""
    return await service.void_batch(ctx, batch_id, data.reason)


@router.get("/batches/{batch_id}/exports", response_model=list[ExportRead])
async def list_exports(batch_id: Id, ctx: Ctx = requires(CODES_READ)) -> list[ExportRead]:
    return await service.list_exports(ctx, batch_id)


@router.post("/batches/{batch_id}/exports", response_model=ExportCreated, status_code=status.HTTP_201_CREATED)
async def request_export(batch_id: Id, data: ExportCreate, ctx: Ctx = requires(CODES_WRITE)) -> ExportCreated:
    """An encrypted package for one supplier; ``package_key`` opens it and is shown once."""
    return await service.request_export(ctx, batch_id, data)


@router.get("/exports/{export_id}/download", response_class=FileResponse)
async def download_export(export_id: Id, ctx: Ctx = requires(CODES_WRITE)) -> FileResponse:
    """The sealed package (``yima codes decrypt`` opens it). Every download is audited."""
    path, name = await service.download_export(ctx, export_id)
    return FileResponse(path, filename=name, media_type="application/octet-stream")


@router.post("/activations", response_model=list[AssignmentRead], status_code=status.HTTP_201_CREATED)
async def activate(data: ActivationCreate, ctx: Ctx = requires(CODES_WRITE)) -> list[AssignmentRead]:
    """空码赋值: give a serial range or a list of codes their product and lot, and activate them."""
    return await service.activate(ctx, data)


@router.post("/blocks", response_model=list[BlockRead], status_code=status.HTTP_201_CREATED)
async def block(data: BlockCreate, ctx: Ctx = requires(CODES_WRITE)) -> list[BlockRead]:
    """Void or blacklist codes with a reason."""
    return await service.block(ctx, data)


@router.delete("/blocks/{block_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}, 409: {}})
async def lift_blacklist(block_id: Id, ctx: Ctx = requires(CODES_WRITE)) -> Response:
    """Lift a blacklisting (解除拉黑); a void is final (409 ``void_is_final``)."""
    await service.lift_blacklist(ctx, block_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/batches/{batch_id}/blocks", response_model=list[BlockRead])
async def list_blocks(batch_id: Id, ctx: Ctx = requires(CODES_READ)) -> list[BlockRead]:
    """The voids and blacklistings touching the batch's serials, in serial order."""
    return await service.list_blocks(ctx, batch_id)


@router.get("/resolve", response_model=ResolvedCode)
async def resolve(
    code: Annotated[str, Query(min_length=1, max_length=300, description="Any printed string")],
    ctx: Ctx = requires(CODES_READ),
) -> ResolvedCode:
    """A token, token URL, Digital Link, 防伪码 or legacy code → the unit and what it is."""
    return await service.resolve(ctx, code)


# packing (产线关联采集) and legacy imports ------------------------------------------------------

SerialParam = Annotated[int, PathParam(ge=1, le=10**12 - 1, description="A unit's serial")]


@router.post("/packing", response_model=PackResult)
async def pack(data: PackRequest, ctx: Ctx = requires(PACKING_WRITE)) -> PackResult:
    """Line aggregation: each operation's children go into its parent (bottles into a case, cases
    onto a pallet), all or nothing. Any problem (422) lists every one as
    ``operations[i].children[j]``; a child packed elsewhere by a concurrent request is a 409.
    Retrying a request that succeeded changes nothing."""
    return await service.pack(ctx, data)


@router.post("/unpacking", response_model=UnpackResult)
async def unpack(data: UnpackRequest, ctx: Ctx = requires(PACKING_WRITE)) -> UnpackResult:
    """Empty the given parents (拆箱); unknown codes refuse the whole request."""
    return await service.unpack(ctx, data)


@router.get("/units/{serial}/children", response_model=UnitChildren)
async def unit_children(serial: SerialParam, ctx: Ctx = requires(CODES_READ)) -> UnitChildren:
    """What a case or pallet holds, each child with the code printed on its outer face."""
    return await service.unit_children(ctx, serial)


@router.post("/legacy-imports", response_model=LegacyImportRead, status_code=status.HTTP_202_ACCEPTED)
async def import_legacy(
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or GB18030) or XLSX: columns code, face (optional)")],
    level: Annotated[Level, Form()],
    supplier_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
    face: Annotated[FaceName, Form(description="For rows that do not give their face")] = "inner",
    ctx: Ctx = requires(CODES_WRITE),
) -> LegacyImportRead:
    """Codes from a previous vendor keep their printed strings. Checked whole first: any problem
    fails the import, by line, with nothing applied. Follow it at GET …/legacy-imports/{id}."""
    data = LegacyImportCreate(level=level, supplier_id=supplier_id, face=face)
    return await service.start_legacy_import(ctx, data, file.filename or "upload", file.file)


@router.get("/legacy-imports/{import_id}", response_model=LegacyImportRead)
async def get_legacy_import(import_id: Id, ctx: Ctx = requires(CODES_READ)) -> LegacyImportRead:
    """State, progress (rows done of rows total) and the problems found, by line."""
    return await service.get_legacy_import(ctx, import_id)


routers = [router]
