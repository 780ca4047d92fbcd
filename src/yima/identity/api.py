"""Identity's HTTP edges: /oauth/token and /api/v1/identity/…"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.responses import JSONResponse

from yima.identity import service
from yima.identity.errors import InvalidClient, InvalidRequest
from yima.identity.permissions import (
    AUDIT_READ,
    CLIENTS_MANAGE,
    CLIENTS_READ,
    JOBS_READ,
    SELF_READ,
    STAFF_MANAGE,
    STAFF_READ,
    public,
    requires,
)
from yima.identity.schemas import (
    AuditFilter,
    AuditRead,
    ClientCreate,
    ClientCreated,
    ClientRead,
    ClientUpdate,
    JobRead,
    MeRead,
    NotificationRead,
    NotificationsRead,
    PasswordChange,
    PermissionRead,
    RoleCreate,
    RoleRead,
    RoleUpdate,
    StaffCreate,
    StaffFilter,
    StaffRead,
    StaffUpdate,
    TokenResponse,
)
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, RateLimited
from yima.platform.outbox import service as jobs
from yima.platform.web.errors import app_error_response
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id

oauth = APIRouter(tags=["oauth"])
router = APIRouter(prefix="/api/v1", tags=["identity"])
Paging = Annotated[PageParams, Depends(page_params)]


# RFC 6749 §5.1: an answer carrying a token (or saying why none came) is never cached.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_error(exc: AppError) -> JSONResponse:
    # RFC 6749 §5.2: token errors use the OAuth shape, which every OAuth client library reads.
    headers = dict(_NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="yima"'
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse({"error": exc.code, "error_description": exc.message}, status_code=exc.status, headers=headers)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return unquote_plus(client_id), unquote_plus(secret)


@oauth.post("/oauth/token", response_model=TokenResponse, responses={400: {}, 401: {}, 429: {}})
async def token(
    request: Request,
    response: Response,
    ctx: Ctx = public(),
    grant_type: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
) -> TokenResponse | JSONResponse:
    """OAuth 2.0 client credentials (client_secret_basic or client_secret_post), form-encoded.
    Errors answer in RFC 6749's shape (``{"error", "error_description"}``)."""
    try:
        request.app.state.limiters["token"].hit(ctx.ip or "?")
    except RateLimited as exc:
        return _oauth_error(exc)
    if not grant_type:
        return _oauth_error(InvalidRequest("grant_type is missing (send the form field grant_type=client_credentials)"))
    if grant_type != "client_credentials":
        return _oauth_error(InvalidRequest("only client_credentials is supported", code="unsupported_grant_type"))
    credentials = _basic_credentials(request) or (client_id or "", client_secret or "")
    if not credentials[0]:
        return _oauth_error(InvalidClient("no client credentials: send client_id and client_secret"))
    try:
        issued = await service.issue_token(ctx, credentials[0], credentials[1], scope)
    except AppError as exc:
        return _oauth_error(exc)
    response.headers.update(_NO_STORE)
    return issued


@router.get("/identity/me", response_model=MeRead)
async def me(ctx: Ctx = requires(SELF_READ)) -> MeRead:
    """Who the caller is, in which brand, holding which permissions."""
    return await service.describe_actor(ctx)


@router.post("/identity/me/password", status_code=status.HTTP_204_NO_CONTENT, responses={422: {}})
async def change_password(request: Request, body: PasswordChange, ctx: Ctx = requires(SELF_READ)) -> Response:
    """A staff member sets their own password, giving the current one; their other console
    sessions end. A wrong current password counts towards the lockout, as a failed login does."""
    refused = await service.change_password(ctx, body)
    return Response(status_code=204) if refused is None else app_error_response(request, refused)


@router.get("/identity/staff", response_model=Page[StaffRead])
async def list_staff(
    paging: Paging, filters: Annotated[StaffFilter, Depends()], ctx: Ctx = requires(STAFF_READ)
) -> Page[StaffRead]:
    rows = await service.list_staff(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/identity/staff", response_model=StaffRead, status_code=status.HTTP_201_CREATED)
async def create_staff(data: StaffCreate, ctx: Ctx = requires(STAFF_MANAGE)) -> StaffRead:
    return await service.create_staff(ctx, data)


@router.get("/identity/staff/{staff_id}", response_model=StaffRead)
async def get_staff(staff_id: Id, ctx: Ctx = requires(STAFF_READ)) -> StaffRead:
    return await service.get_staff(ctx, staff_id)


@router.patch("/identity/staff/{staff_id}", response_model=StaffRead)
async def update_staff(staff_id: Id, data: StaffUpdate, ctx: Ctx = requires(STAFF_MANAGE)) -> StaffRead:
    return await service.update_staff(ctx, staff_id, data)


@router.get("/identity/roles", response_model=list[RoleRead])
async def list_roles(ctx: Ctx = requires(STAFF_READ)) -> list[RoleRead]:
    return await service.list_roles(ctx)


@router.post("/identity/roles", response_model=RoleRead, status_code=status.HTTP_201_CREATED)
async def create_role(data: RoleCreate, ctx: Ctx = requires(STAFF_MANAGE)) -> RoleRead:
    return await service.create_role(ctx, data)


@router.patch("/identity/roles/{role_id}", response_model=RoleRead)
async def update_role(role_id: Id, data: RoleUpdate, ctx: Ctx = requires(STAFF_MANAGE)) -> RoleRead:
    return await service.update_role(ctx, role_id, data)


@router.delete("/identity/roles/{role_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_role(role_id: Id, ctx: Ctx = requires(STAFF_MANAGE)) -> None:
    await service.delete_role(ctx, role_id)


@router.get("/identity/permissions", response_model=list[PermissionRead])
async def list_permissions(ctx: Ctx = requires(STAFF_READ)) -> list[PermissionRead]:
    return service.list_permissions(ctx)


@router.get("/identity/clients", response_model=Page[ClientRead])
async def list_clients(paging: Paging, ctx: Ctx = requires(CLIENTS_READ)) -> Page[ClientRead]:
    rows = await service.list_clients(ctx, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: ctx.shown(ClientRead.model_validate(r)), lambda r: r.id)


@router.post("/identity/clients", response_model=ClientCreated, status_code=status.HTTP_201_CREATED)
async def create_client(data: ClientCreate, ctx: Ctx = requires(CLIENTS_MANAGE)) -> ClientCreated:
    """Create an API client. The secret is in this answer only."""
    return await service.create_client(ctx, data)


@router.post("/identity/clients/{client_pk}/secret", response_model=ClientCreated)
async def rotate_client_secret(client_pk: Id, ctx: Ctx = requires(CLIENTS_MANAGE)) -> ClientCreated:
    """A new secret for the client, in this answer only; the old secret and the access tokens
    issued with it stop working at once."""
    return await service.rotate_secret(ctx, client_pk)


@router.patch("/identity/clients/{client_pk}", response_model=ClientRead)
async def update_client(client_pk: Id, data: ClientUpdate, ctx: Ctx = requires(CLIENTS_MANAGE)) -> ClientRead:
    return await service.update_client(ctx, client_pk, data)


@router.get("/identity/audit-log", response_model=Page[AuditRead])
async def list_audit(
    paging: Paging, filters: Annotated[AuditFilter, Depends()], ctx: Ctx = requires(AUDIT_READ)
) -> Page[AuditRead]:
    rows = await service.list_audit(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: ctx.shown(AuditRead.model_validate(r)), lambda r: r.id)


@router.get("/jobs", response_model=Page[JobRead], tags=["jobs"])
async def list_jobs(paging: Paging, name: str | None = None, ctx: Ctx = requires(JOBS_READ)) -> Page[JobRead]:
    rows = await jobs.list_jobs(ctx, name, paging.limit + 1, paging.before_id)
    return make_page(rows, paging, lambda r: ctx.shown(JobRead.model_validate(r)), lambda r: r.id)


@router.get("/jobs/{job_id}", response_model=JobRead, tags=["jobs"])
async def get_job(job_id: Id, ctx: Ctx = requires(JOBS_READ)) -> JobRead:
    """A background job's state and progress (done of total)."""
    return ctx.shown(JobRead.model_validate(await jobs.get_job(ctx, job_id)))


@router.get("/identity/notifications", response_model=Page[NotificationRead])
async def list_notifications(
    paging: Paging, unread: bool = False, ctx: Ctx = requires(SELF_READ)
) -> Page[NotificationRead]:
    """The caller's inbox (站内消息), newest first; ``unread=true`` for the unread ones only."""
    rows = await service.list_notifications(ctx, unread, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/identity/notifications/read")
async def read_notifications(body: NotificationsRead, ctx: Ctx = requires(SELF_READ)) -> dict[str, int]:
    """Mark the caller's notifications read: the listed ids, or all when ``ids`` is omitted."""
    return {"marked": await service.read_notifications(ctx, body.ids)}


routers = [oauth, router]
