"""The partners' HTTP edges: /api/v1/partners/…"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile, status
from fastapi.responses import Response

from yima.identity.permissions import CSRF_HEADER, public, requires
from yima.members.schemas import CodeSent
from yima.partners import rules, service
from yima.partners.permissions import CHANNEL_COOKIE, CHANNEL_SELF, PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import (
    ChannelLogin,
    ChannelLoginCode,
    ChannelMe,
    ChannelRoleCreate,
    ChannelRoleFilter,
    ChannelRoleRead,
    ChannelSignedIn,
    DealerCreate,
    DealerFilter,
    DealerRead,
    DealerUpdate,
    ImportMode,
    ImportResult,
    LocationCreate,
    LocationRead,
    LocationUpdate,
    RegistrationRead,
    RegistrationReject,
    StoreCreate,
    StoreFilter,
    StoreRead,
    StoreUpdate,
    TerritoryRead,
    TerritoryUpdate,
    WarehouseCreate,
    WarehouseFilter,
    WarehouseRead,
    WarehouseUpdate,
)
from yima.platform.ctx import Ctx
from yima.platform.web.errors import app_error_response
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id

router = APIRouter(prefix="/api/v1/partners", tags=["partners"])
Paging = Annotated[PageParams, Depends(page_params)]
XLSX: dict[int | str, dict[str, Any]] = {
    200: {"content": {service.XLSX_MEDIA_TYPE: {}}, "description": "An .xlsx workbook"}
}
Upload = Annotated[UploadFile, File(description="An .xlsx in the template's layout")]
Mode = Annotated[ImportMode, Query(description="upsert: update existing codes; create: refuse them")]


def _xlsx(content: bytes, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=service.XLSX_MEDIA_TYPE, headers=headers)


async def _read_upload(file: UploadFile) -> bytes:
    return await file.read(rules.MAX_IMPORT_BYTES + 1)  # one byte over the limit is enough to refuse it


# warehouses -------------------------------------------------------------------------------------


@router.get("/warehouses", response_model=Page[WarehouseRead])
async def list_warehouses(
    paging: Paging, filters: Annotated[WarehouseFilter, Depends()], ctx: Ctx = requires(PARTNERS_READ)
) -> Page[WarehouseRead]:
    rows = await service.list_warehouses(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/warehouses", response_model=WarehouseRead, status_code=status.HTTP_201_CREATED)
async def create_warehouse(data: WarehouseCreate, ctx: Ctx = requires(PARTNERS_WRITE)) -> WarehouseRead:
    """A region code left out is worked out from the address or the point."""
    return await service.create_warehouse(ctx, data)


@router.get("/warehouses/import-template", response_class=Response, responses=XLSX)
async def warehouses_template(ctx: Ctx = requires(PARTNERS_READ)) -> Response:
    return _xlsx(await service.template(ctx, "warehouses"), "warehouses-template.xlsx")


@router.get("/warehouses/export", response_class=Response, responses=XLSX)
async def export_warehouses(
    filters: Annotated[WarehouseFilter, Depends()], ctx: Ctx = requires(PARTNERS_READ)
) -> Response:
    return _xlsx(await service.export_warehouses(ctx, filters), "warehouses.xlsx")


@router.post("/warehouses/import", response_model=ImportResult)
async def import_warehouses(file: Upload, mode: Mode = "upsert", ctx: Ctx = requires(PARTNERS_WRITE)) -> ImportResult:
    """Check every row, then create or update by code in one transaction. Any problem (422,
    ``import_rejected``) lists every one as ``rows.<row>.<field>`` and imports nothing."""
    return await service.import_warehouses(ctx, await _read_upload(file), mode)


@router.get("/warehouses/{warehouse_id}", response_model=WarehouseRead)
async def get_warehouse(warehouse_id: Id, ctx: Ctx = requires(PARTNERS_READ)) -> WarehouseRead:
    return await service.get_warehouse(ctx, warehouse_id)


@router.patch("/warehouses/{warehouse_id}", response_model=WarehouseRead)
async def update_warehouse(
    warehouse_id: Id, data: WarehouseUpdate, ctx: Ctx = requires(PARTNERS_WRITE)
) -> WarehouseRead:
    return await service.update_warehouse(ctx, warehouse_id, data)


@router.post("/warehouses/{warehouse_id}/deactivate", response_model=WarehouseRead)
async def deactivate_warehouse(warehouse_id: Id, ctx: Ctx = requires(PARTNERS_WRITE)) -> WarehouseRead:
    """Stop using the warehouse (it stays, with its history); PATCH ``active`` to reopen it."""
    return await service.deactivate_warehouse(ctx, warehouse_id)


@router.get("/warehouses/{warehouse_id}/locations", response_model=Page[LocationRead])
async def list_locations(warehouse_id: Id, paging: Paging, ctx: Ctx = requires(PARTNERS_READ)) -> Page[LocationRead]:
    rows = await service.list_locations(ctx, warehouse_id, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/warehouses/{warehouse_id}/locations", response_model=LocationRead, status_code=status.HTTP_201_CREATED)
async def create_location(warehouse_id: Id, data: LocationCreate, ctx: Ctx = requires(PARTNERS_WRITE)) -> LocationRead:
    return await service.create_location(ctx, warehouse_id, data)


@router.patch("/warehouses/{warehouse_id}/locations/{location_id}", response_model=LocationRead)
async def update_location(
    warehouse_id: Id, location_id: Id, data: LocationUpdate, ctx: Ctx = requires(PARTNERS_WRITE)
) -> LocationRead:
    return await service.update_location(ctx, warehouse_id, location_id, data)


# dealers ----------------------------------------------------------------------------------------


@router.get("/dealers", response_model=Page[DealerRead])
async def list_dealers(
    paging: Paging, filters: Annotated[DealerFilter, Depends()], ctx: Ctx = requires(PARTNERS_READ)
) -> Page[DealerRead]:
    """A regional manager sees the dealers seated or selling in their regions."""
    rows = await service.list_dealers(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/dealers", response_model=DealerRead, status_code=status.HTTP_201_CREATED)
async def create_dealer(data: DealerCreate, ctx: Ctx = requires(PARTNERS_WRITE)) -> DealerRead:
    return await service.create_dealer(ctx, data)


@router.get("/dealers/import-template", response_class=Response, responses=XLSX)
async def dealers_template(ctx: Ctx = requires(PARTNERS_READ)) -> Response:
    return _xlsx(await service.template(ctx, "dealers"), "dealers-template.xlsx")


@router.get("/dealers/export", response_class=Response, responses=XLSX)
async def export_dealers(filters: Annotated[DealerFilter, Depends()], ctx: Ctx = requires(PARTNERS_READ)) -> Response:
    return _xlsx(await service.export_dealers(ctx, filters), "dealers.xlsx")


@router.post("/dealers/import", response_model=ImportResult)
async def import_dealers(file: Upload, mode: Mode = "upsert", ctx: Ctx = requires(PARTNERS_WRITE)) -> ImportResult:
    """Like the warehouses' import; the territory column (codes or names) replaces a dealer's
    territory."""
    return await service.import_dealers(ctx, await _read_upload(file), mode)


@router.get("/dealers/{dealer_id}", response_model=DealerRead)
async def get_dealer(dealer_id: Id, ctx: Ctx = requires(PARTNERS_READ)) -> DealerRead:
    return await service.get_dealer(ctx, dealer_id)


@router.patch("/dealers/{dealer_id}", response_model=DealerRead)
async def update_dealer(dealer_id: Id, data: DealerUpdate, ctx: Ctx = requires(PARTNERS_WRITE)) -> DealerRead:
    return await service.update_dealer(ctx, dealer_id, data)


@router.post("/dealers/{dealer_id}/deactivate", response_model=DealerRead)
async def deactivate_dealer(dealer_id: Id, ctx: Ctx = requires(PARTNERS_WRITE)) -> DealerRead:
    """End the cooperation (it stays, with its stores and history); PATCH ``active`` to resume."""
    return await service.deactivate_dealer(ctx, dealer_id)


@router.get("/dealers/{dealer_id}/territory", response_model=TerritoryRead)
async def get_territory(dealer_id: Id, ctx: Ctx = requires(PARTNERS_READ)) -> TerritoryRead:
    return await service.get_territory(ctx, dealer_id)


@router.put("/dealers/{dealer_id}/territory", response_model=TerritoryRead)
async def set_territory(dealer_id: Id, data: TerritoryUpdate, ctx: Ctx = requires(PARTNERS_WRITE)) -> TerritoryRead:
    """The territory becomes exactly these regions (GB/T 2260 codes of provinces, cities or
    districts; an unknown code is a 422 naming it; a code another listed one covers is dropped)."""
    return await service.set_territory(ctx, dealer_id, data.regions)


# stores -----------------------------------------------------------------------------------------


@router.get("/stores", response_model=Page[StoreRead])
async def list_stores(
    paging: Paging, filters: Annotated[StoreFilter, Depends()], ctx: Ctx = requires(PARTNERS_READ)
) -> Page[StoreRead]:
    """A regional manager sees the stores in their regions."""
    rows = await service.list_stores(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/stores", response_model=StoreRead, status_code=status.HTTP_201_CREATED)
async def create_store(data: StoreCreate, ctx: Ctx = requires(PARTNERS_WRITE)) -> StoreRead:
    """A region code left out is worked out from the address or the point."""
    return await service.create_store(ctx, data)


@router.get("/stores/import-template", response_class=Response, responses=XLSX)
async def stores_template(ctx: Ctx = requires(PARTNERS_READ)) -> Response:
    return _xlsx(await service.template(ctx, "stores"), "stores-template.xlsx")


@router.get("/stores/export", response_class=Response, responses=XLSX)
async def export_stores(filters: Annotated[StoreFilter, Depends()], ctx: Ctx = requires(PARTNERS_READ)) -> Response:
    return _xlsx(await service.export_stores(ctx, filters), "stores.xlsx")


@router.post("/stores/import", response_model=ImportResult)
async def import_stores(file: Upload, mode: Mode = "upsert", ctx: Ctx = requires(PARTNERS_WRITE)) -> ImportResult:
    """Like the warehouses' import; stores name their dealer by its code."""
    return await service.import_stores(ctx, await _read_upload(file), mode)


@router.get("/stores/{store_id}", response_model=StoreRead)
async def get_store(store_id: Id, ctx: Ctx = requires(PARTNERS_READ)) -> StoreRead:
    return await service.get_store(ctx, store_id)


@router.patch("/stores/{store_id}", response_model=StoreRead)
async def update_store(store_id: Id, data: StoreUpdate, ctx: Ctx = requires(PARTNERS_WRITE)) -> StoreRead:
    return await service.update_store(ctx, store_id, data)


@router.post("/stores/{store_id}/deactivate", response_model=StoreRead)
async def deactivate_store(store_id: Id, ctx: Ctx = requires(PARTNERS_WRITE)) -> StoreRead:
    """Close the store (it stays, with its history); PATCH ``active`` to reopen it."""
    return await service.deactivate_store(ctx, store_id)


# channel accounts (渠道账号) ----------------------------------------------------------------------


@router.get("/accounts", response_model=Page[ChannelRoleRead])
async def list_channel_roles(
    paging: Paging, filters: Annotated[ChannelRoleFilter, Depends()], ctx: Ctx = requires(PARTNERS_READ)
) -> Page[ChannelRoleRead]:
    """The roles people hold at dealers and stores (one row a role), newest first."""
    rows = await service.list_roles(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/accounts", response_model=ChannelRoleRead, status_code=status.HTTP_201_CREATED)
async def grant_channel_role(data: ChannelRoleCreate, ctx: Ctx = requires(PARTNERS_WRITE)) -> ChannelRoleRead:
    """Give the person of a phone a role at a dealer or store; they sign in with that phone.
    409 ``role_exists`` when it is active already."""
    return await service.grant_role(ctx, data)


@router.get("/accounts/import-template", response_class=Response, responses=XLSX)
async def accounts_template(ctx: Ctx = requires(PARTNERS_READ)) -> Response:
    return _xlsx(await service.template(ctx, "accounts"), "accounts-template.xlsx")


@router.get("/accounts/export", response_class=Response, responses=XLSX)
async def export_accounts(
    filters: Annotated[ChannelRoleFilter, Depends()], ctx: Ctx = requires(PARTNERS_READ)
) -> Response:
    return _xlsx(await service.export_accounts(ctx, filters), "accounts.xlsx")


@router.post("/accounts/import", response_model=ImportResult)
async def import_accounts(file: Upload, mode: Mode = "upsert", ctx: Ctx = requires(PARTNERS_WRITE)) -> ImportResult:
    """Roles by phone, kind and dealer code, store code or region (an area guide), active at once;
    a role that exists keeps its status (``create`` refuses it). All rows or none, as the others."""
    return await service.import_accounts(ctx, await _read_upload(file), mode)


@router.get("/accounts/{account_id}", response_model=ChannelRoleRead)
async def get_channel_role(account_id: Id, ctx: Ctx = requires(PARTNERS_READ)) -> ChannelRoleRead:
    """One role (a row of the accounts list)."""
    return await service.get_role(ctx, account_id)


@router.post("/accounts/{account_id}/disable", response_model=ChannelRoleRead)
async def disable_channel_role(account_id: Id, ctx: Ctx = requires(PARTNERS_WRITE)) -> ChannelRoleRead:
    """停用: the person can no longer act in this role, from their next request."""
    return await service.set_role_status(ctx, account_id, "disabled")


@router.post("/accounts/{account_id}/enable", response_model=ChannelRoleRead)
async def enable_channel_role(account_id: Id, ctx: Ctx = requires(PARTNERS_WRITE)) -> ChannelRoleRead:
    return await service.set_role_status(ctx, account_id, "active")


@router.get("/salesmen/{salesman_id}/stores", response_model=list[StoreRead])
async def salesman_stores(salesman_id: Id, ctx: Ctx = requires(PARTNERS_READ)) -> list[StoreRead]:
    """The stores a salesman (业务员, a ``salesman`` role's id) looks after, by code."""
    return await service.salesman_stores(ctx, salesman_id)


@router.get("/stores/{store_id}/guides", response_model=list[ChannelRoleRead])
async def store_guides(store_id: Id, ctx: Ctx = requires(PARTNERS_READ)) -> list[ChannelRoleRead]:
    """The store's active guides (导购); an area's guides: ``GET /accounts?kind=guide&region_code=``."""
    return await service.store_guides(ctx, store_id)


# registrations (注册审核) -------------------------------------------------------------------------

Status = Annotated[rules.RoleStatus, Query(description="pending: the review queue")]


@router.get("/registrations", response_model=Page[RegistrationRead])
async def list_registrations(
    paging: Paging, status: Status = "pending", ctx: Ctx = requires(PARTNERS_READ)
) -> Page[RegistrationRead]:
    """Roles people asked for themselves (a store registered by its first scan, a clerk joining,
    dealer staff invited): who, what, where and when, newest first."""
    rows = await service.list_registrations(ctx, status, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/registrations/{registration_id}/approve", response_model=RegistrationRead)
async def approve_registration(registration_id: Id, ctx: Ctx = requires(PARTNERS_WRITE)) -> RegistrationRead:
    """The role (its id) acts from now on; a store its request made opens. 409 ``not_pending``."""
    return await service.approve_registration(ctx, registration_id)


@router.post("/registrations/{registration_id}/reject", response_model=RegistrationRead)
async def reject_registration(
    registration_id: Id, data: RegistrationReject, ctx: Ctx = requires(PARTNERS_WRITE)
) -> RegistrationRead:
    """The request is refused, with the reason the person is shown. 409 ``not_pending``."""
    return await service.reject_registration(ctx, registration_id, data.reason)


def throttle(request: Request, ctx: Ctx) -> None:
    """The per-IP limit of the public login routes (shared with the console's login)."""
    request.app.state.limiters["login"].hit(ctx.ip or "?")


@router.post("/login/code", response_model=CodeSent)
async def channel_login_code(data: ChannelLoginCode, request: Request, ctx: Ctx = public()) -> CodeSent | Response:
    """登录 step 1: an SMS code to a phone holding an active dealer or store role in the brand.
    403 ``not_a_channel_account`` for any other phone (no SMS is sent); 429 as members' codes."""
    throttle(request, ctx)
    outcome = await service.send_login_code(ctx, data)
    return app_error_response(request, outcome.error) if outcome.error else outcome.unwrap()


@router.post("/login", response_model=ChannelSignedIn)
async def channel_login(data: ChannelLogin, request: Request, ctx: Ctx = public()) -> ChannelSignedIn | Response:
    """登录 step 2: the code proves the phone; the answer's token is the session (Bearer), good
    for 30 days. 422 ``wrong_code`` / ``too_many_attempts`` / ``code_expired``."""
    throttle(request, ctx)
    outcome = await service.login(ctx, data, request.headers.get("user-agent"))
    return app_error_response(request, outcome.error) if outcome.error else outcome.unwrap()


@router.get("/me", response_model=ChannelMe)
async def channel_account(ctx: Ctx = requires(CHANNEL_SELF)) -> ChannelMe:
    """The signed-in channel account and the roles it acts in."""
    return await service.channel_me(ctx)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def channel_logout(request: Request, ctx: Ctx = public()) -> None:
    """End the session of the Bearer token, or of the phone pages' cookie (with its CSRF token in
    ``X-CSRF-Token``), whatever its roles' status: one still waiting for review signs out too.
    401 when it is no live session."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        await service.logout(ctx, token.strip())
    else:
        await service.logout(ctx, request.cookies.get(CHANNEL_COOKIE, ""), request.headers.get(CSRF_HEADER, ""))


routers = [router]
