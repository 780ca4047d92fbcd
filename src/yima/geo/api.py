"""Geo's HTTP edges: /api/v1/geo/…"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from yima.geo import service
from yima.geo.permissions import GEO_READ
from yima.geo.schemas import AddressQuery, Located, ParsedAddress, RegionFilter, RegionRead
from yima.identity.permissions import requires
from yima.platform.ctx import Ctx
from yima.platform.web.pagination import Page, PageParams, make_page, page_params

router = APIRouter(prefix="/api/v1/geo", tags=["geo"])
Code = Annotated[str, Path(pattern=r"^\d{6}$", description="GB/T 2260 code, 6 digits", examples=["330106"])]


@router.get("/regions", response_model=Page[RegionRead])
async def list_regions(
    paging: Annotated[PageParams, Depends(page_params)],
    filters: Annotated[RegionFilter, Depends()],
    ctx: Ctx = requires(GEO_READ),
) -> Page[RegionRead]:
    """Regions in code order (not newest first: reference data has no age); the cursor is the last
    code seen. ``level=province`` lists the provinces, ``parent=330100`` the districts of 杭州."""
    after = f"{paging.before_id:06d}" if paging.before_id is not None else None
    rows = await service.list_regions(ctx, filters, paging.limit + 1, after)
    return make_page(rows, paging, lambda r: r, lambda r: int(r.code))


@router.get("/regions/{code}", response_model=RegionRead)
async def get_region(code: Code, ctx: Ctx = requires(GEO_READ)) -> RegionRead:
    return await service.get_region(ctx, code)


@router.get("/locate", response_model=Located)
async def locate(
    lat: Annotated[float, Query(ge=-90, le=90, description="Latitude, WGS-84 degrees", examples=[30.259])],
    lon: Annotated[float, Query(ge=-180, le=180, description="Longitude, WGS-84 degrees", examples=[120.13])],
    ctx: Ctx = requires(GEO_READ),
) -> Located:
    """The county-level region whose centroid is nearest to the point. Outside China (its bounding
    box, or over 500 km from every county seat) ``region`` is null: an answer, not an error."""
    return await service.locate(ctx, lat, lon)


@router.post("/parse-address", response_model=ParsedAddress)
async def parse_address(data: AddressQuery, ctx: Ctx = requires(GEO_READ)) -> ParsedAddress:
    """Province, city and district named in a Chinese address, with the confidence of the match."""
    return await service.parse_address(ctx, data.address)


routers = [router]
