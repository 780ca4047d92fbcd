"""Identity's permissions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuth2 as OAuth2Model
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import APIKeyCookie, OAuth2
from sqlalchemy.ext.asyncio import AsyncSession

from yima.platform import crypto
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.platform.errors import Forbidden, Unauthorized
from yima.platform.permissions import BUILTIN_ROLES, Permission, all_permissions

SELF_READ = Permission("identity:read", "查看本人身份", "View own identity", BUILTIN_ROLES)
STAFF_READ = Permission("staff:read", "查看员工与角色", "View staff and roles", ("admin",))
STAFF_MANAGE = Permission("staff:manage", "管理员工与角色", "Manage staff and roles", ("admin",))
CLIENTS_READ = Permission("clients:read", "查看开放平台应用", "View API clients", ("admin",))
CLIENTS_MANAGE = Permission("clients:manage", "管理开放平台应用", "Manage API clients", ("admin",))
AUDIT_READ = Permission("audit:read", "查看审计日志", "View the audit log", ("admin", "finance"))
JOBS_READ = Permission("jobs:read", "查看后台任务", "View background jobs", ("admin", "operator", "finance"))


# FastAPI dependencies every context's api.py uses to declare what a route needs -------------

SESSION_COOKIE = "yima_session"
CSRF_HEADER = "x-csrf-token"
# What ``_authenticate`` leaves in ``Ctx.extra`` for a caller signed in with a console session.
CONSOLE_SESSION_ID = "console_session_id"
CSRF_TOKEN = "csrf_token"  # noqa: S105 -- a key's name
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class SignIn:
    """Another kind of account that calls the API besides staff and OAuth clients: partners'
    channel accounts (渠道账号). Registered by the context that owns it (identity cannot import
    it); ``resolve`` fills the Ctx from a session token and answers the session's CSRF token, or
    None when the token is no live session."""

    token_prefix: str  # a Bearer token starting with it is this kind's
    cookie: str
    resolve: Callable[[Ctx, str], Awaitable[str | None]]


SIGN_INS: list[SignIn] = []


def _check_csrf(request: Request, expected: str) -> None:
    if request.method not in _SAFE_METHODS and not crypto.same(request.headers.get(CSRF_HEADER, ""), expected):
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")


async def _authenticate(request: Request, ctx: Ctx) -> None:
    """Fill ``ctx`` from a Bearer token or a session cookie (staff, or a registered ``SignIn``),
    or raise 401."""
    from yima.identity.service import auth

    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        token = credentials.strip()
        other = next((s for s in SIGN_INS if token.startswith(s.token_prefix)), None)
        if other is None:
            ctx.tenant, ctx.actor = await auth.authenticate_bearer(ctx.session, token)
        elif await other.resolve(ctx, token) is None:
            raise Unauthorized("the session has ended; sign in again")
        return
    cookie = request.cookies.get(SESSION_COOKIE)
    staff = await auth.resolve_console_session(ctx.session, cookie) if cookie else None
    if staff is not None:
        _check_csrf(request, staff.console_session.csrf_token)
        ctx.tenant, ctx.actor, ctx.locale = staff.tenant, staff.actor, staff.console_session.locale
        ctx.extra[CONSOLE_SESSION_ID] = staff.console_session.id
        ctx.extra[CSRF_TOKEN] = staff.console_session.csrf_token
        return
    for other in SIGN_INS:
        session_token = request.cookies.get(other.cookie)
        csrf = await other.resolve(ctx, session_token) if session_token else None
        if csrf is not None:
            _check_csrf(request, csrf)
            return
    raise Unauthorized("sign in, or send an OAuth 2.0 access token")


def _ctx_for(request: Request, session: AsyncSession) -> Ctx:
    client = request.client
    return Ctx(
        session=session,
        request_id=getattr(request.state, "request_id", None),
        ip=client.host if client else None,
    )


class _ClientCredentials(OAuth2):
    """How OpenAPI (and /docs' Authorize button) learns of the API's OAuth 2.0 client credentials
    and, as each route's security requirement, the scope it needs. Only declares: the token is
    checked by ``_authenticate``."""

    def __init__(self) -> None:
        super().__init__(scheme_name="OAuth2", auto_error=False)

    @property  # type: ignore[override]
    def model(self) -> OAuth2Model:
        # Built when the schema is, so every context's permissions are registered by then.
        scopes = {p.name: f"{p.label_en} ({p.label_zh})" for p in all_permissions()}
        flow = OAuthFlowClientCredentials(tokenUrl="/oauth/token", scopes=scopes)
        return OAuth2Model(flows=OAuthFlows(clientCredentials=flow))

    @model.setter
    def model(self, value: OAuth2Model) -> None:
        pass  # OAuth2.__init__ sets one; ours is built above


_OAUTH2 = _ClientCredentials()
_CONSOLE_COOKIE = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="ConsoleSession",
    description="The console's session cookie; a request that changes something also sends X-CSRF-Token "
    "(GET /api/v1/identity/me gives it).",
    auto_error=False,
)


@asynccontextmanager
async def _authorized(request: Request, permission: Permission) -> AsyncIterator[Ctx]:
    db: Database = request.app.state.db
    async with db.session() as session:
        ctx = _ctx_for(request, session)
        await _authenticate(request, ctx)
        ctx.require(permission.name)
        yield ctx
        await session.commit()


def requires(permission: Permission) -> Any:
    """``ctx: Ctx = requires(SOME_PERMISSION)``: authenticate, check, and own the transaction
    (committed before the response is sent, so a failed commit is an error, not a 201). A staff
    permission's route names it in its OpenAPI as the OAuth 2.0 scope it needs."""
    if permission.staff:

        async def dependency(
            request: Request,
            # Defaults, not Annotated: the scope is this closure's, which a string annotation cannot see.
            _token: str | None = Security(_OAUTH2, scopes=[permission.name]),
            _cookie: str | None = Security(_CONSOLE_COOKIE),
        ) -> AsyncIterator[Ctx]:
            async with _authorized(request, permission) as ctx:
                yield ctx

    else:  # a channel account's (渠道账号): its own sign-in, neither scope nor staff cookie

        async def dependency(request: Request) -> AsyncIterator[Ctx]:  # type: ignore[misc]
            async with _authorized(request, permission) as ctx:
                yield ctx

    dependency.required_permission = permission.name  # type: ignore[attr-defined]
    return Depends(dependency, scope="function")


def public() -> Any:
    """``ctx: Ctx = public()``: an anonymous Ctx with its own transaction (login, tokens, scans)."""

    async def dependency(request: Request) -> AsyncIterator[Ctx]:
        db: Database = request.app.state.db
        async with db.session() as session:
            yield _ctx_for(request, session)
            await session.commit()

    dependency.public_route = True  # type: ignore[attr-defined]
    return Depends(dependency, scope="function")


@asynccontextmanager
async def cli_context(db: Database, tenant_slug: str | None = None) -> AsyncIterator[Ctx]:
    """``async with cli_context(db, "demo") as ctx``: the system actor in one brand (or none),
    in one transaction committed at the end — how the CLI, scripts and the demo act."""
    from yima.identity.service import tenants

    async with db.sessions() as session:
        yield await tenants.system_ctx(session, tenant_slug)
        await session.commit()
