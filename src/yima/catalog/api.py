"""The catalog's HTTP edges: /api/v1/catalog/…"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile, status
from fastapi.responses import FileResponse, RedirectResponse, Response

from yima.catalog import rules, service
from yima.catalog.permissions import CATALOG_READ, CATALOG_WRITE
from yima.catalog.schemas import (
    ImportResult,
    ProductCreate,
    ProductFilter,
    ProductRead,
    ProductUpdate,
    SpecCreate,
    SpecFilter,
    SpecRead,
    SpecUpdate,
)
from yima.identity.permissions import requires
from yima.platform.ctx import Ctx
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])
Paging = Annotated[PageParams, Depends(page_params)]
XLSX: dict[int | str, dict[str, Any]] = {
    200: {"content": {service.XLSX_MEDIA_TYPE: {}}, "description": "An .xlsx workbook"}
}
IMAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/*": {}}, "description": "The image"},
    307: {"description": "External URL"},
}


def _xlsx(content: bytes, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=service.XLSX_MEDIA_TYPE, headers=headers)


async def _read_upload(file: UploadFile, limit: int) -> bytes:
    return await file.read(limit + 1)  # one byte over the limit is enough to refuse it


# packaging specs ---------------------------------------------------------------------------


@router.get("/specs", response_model=Page[SpecRead])
async def list_specs(
    paging: Paging, filters: Annotated[SpecFilter, Depends()], ctx: Ctx = requires(CATALOG_READ)
) -> Page[SpecRead]:
    rows = await service.list_specs(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/specs", response_model=SpecRead, status_code=status.HTTP_201_CREATED)
async def create_spec(data: SpecCreate, ctx: Ctx = requires(CATALOG_WRITE)) -> SpecRead:
    return await service.create_spec(ctx, data)


@router.get("/specs/{spec_id}", response_model=SpecRead)
async def get_spec(spec_id: Id, ctx: Ctx = requires(CATALOG_READ)) -> SpecRead:
    return await service.get_spec(ctx, spec_id)


@router.patch("/specs/{spec_id}", response_model=SpecRead)
async def update_spec(spec_id: Id, data: SpecUpdate, ctx: Ctx = requires(CATALOG_WRITE)) -> SpecRead:
    return await service.update_spec(ctx, spec_id, data)


# products ----------------------------------------------------------------------------------


@router.get("/products", response_model=Page[ProductRead])
async def list_products(
    paging: Paging, filters: Annotated[ProductFilter, Depends()], ctx: Ctx = requires(CATALOG_READ)
) -> Page[ProductRead]:
    rows = await service.list_products(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/products", response_model=ProductRead, status_code=status.HTTP_201_CREATED)
async def create_product(data: ProductCreate, ctx: Ctx = requires(CATALOG_WRITE)) -> ProductRead:
    return await service.create_product(ctx, data)


@router.get("/products/import-template", response_class=Response, responses=XLSX)
async def import_template(ctx: Ctx = requires(CATALOG_READ)) -> Response:
    """The products spreadsheet to fill in (Chinese and English headers, the brand's packaging specs)."""
    return _xlsx(await service.products_template(ctx), "products-template.xlsx")


@router.get("/products/export", response_class=Response, responses=XLSX)
async def export_products(filters: Annotated[ProductFilter, Depends()], ctx: Ctx = requires(CATALOG_READ)) -> Response:
    """The products (filtered like the list) as a spreadsheet that can be imported back."""
    return _xlsx(await service.export_products(ctx, filters), "products.xlsx")


@router.post("/products/import", response_model=ImportResult)
async def import_products(
    file: Annotated[UploadFile, File(description="An .xlsx in the template's layout")],
    mode: Annotated[service.ImportMode, Query(description="upsert: update existing SKUs; create: refuse them")] = (
        "upsert"
    ),
    ctx: Ctx = requires(CATALOG_WRITE),
) -> ImportResult:
    """Check every row, then create or update by SKU in one transaction. Any problem (422,
    ``import_rejected``) lists every one as ``rows.<row>.<field>`` and imports nothing."""
    return await service.import_products(ctx, await _read_upload(file, rules.MAX_IMPORT_BYTES), mode)


@router.get("/products/{product_id}", response_model=ProductRead)
async def get_product(product_id: Id, ctx: Ctx = requires(CATALOG_READ)) -> ProductRead:
    return await service.get_product(ctx, product_id)


@router.patch("/products/{product_id}", response_model=ProductRead)
async def update_product(product_id: Id, data: ProductUpdate, ctx: Ctx = requires(CATALOG_WRITE)) -> ProductRead:
    return await service.update_product(ctx, product_id, data)


@router.post("/products/{product_id}/discontinue", response_model=ProductRead)
async def discontinue_product(product_id: Id, ctx: Ctx = requires(CATALOG_WRITE)) -> ProductRead:
    """Mark the product discontinued (停产); doing it again changes nothing."""
    return await service.discontinue_product(ctx, product_id)


@router.put("/products/{product_id}/image", response_model=ProductRead)
async def upload_image(
    product_id: Id,
    ctx: Ctx = requires(CATALOG_WRITE),
    # Optional in the signature so an unknown product is a 404 before a missing file is a 422.
    file: Annotated[UploadFile | None, File(description="PNG, JPEG, GIF or WebP, at most 5 MB")] = None,
) -> ProductRead:
    content = await _read_upload(file, rules.MAX_IMAGE_BYTES) if file else None
    return await service.set_product_image(ctx, product_id, content)


@router.get("/products/{product_id}/image", response_class=Response, responses=IMAGE)
async def get_image(product_id: Id, ctx: Ctx = requires(CATALOG_READ)) -> Response:
    """The uploaded image, or a redirect to the external image URL."""
    image = await service.product_image(ctx, product_id)
    if image.path is not None:
        return FileResponse(image.path, media_type=image.media_type, headers={"Cache-Control": "private, max-age=300"})
    return RedirectResponse(image.url or "", status_code=status.HTTP_307_TEMPORARY_REDIRECT)


@router.delete("/products/{product_id}/image", response_model=ProductRead)
async def remove_image(product_id: Id, ctx: Ctx = requires(CATALOG_WRITE)) -> ProductRead:
    return await service.remove_product_image(ctx, product_id)


routers = [router]
