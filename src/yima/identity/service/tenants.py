"""Brands: creation with their own key material and built-in roles."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession

from yima.identity import repository as repo
from yima.identity.models import Role, Tenant
from yima.identity.permissions import CSRF_TOKEN
from yima.identity.schemas import MeRead, TenantCreate, TenantRead
from yima.platform import caches, crypto
from yima.platform.ctx import SYSTEM, Ctx, TenantInfo
from yima.platform.db.tenancy import bind_tenant
from yima.platform.errors import Conflict, FieldError, NotFound
from yima.platform.permissions import BUILTIN_ROLES
from yima.settings import get_settings

ROLE_NAMES = {
    "owner": "品牌所有者 Owner",
    "admin": "管理员 Administrator",
    "operator": "运营 Operator",
    "finance": "财务 Finance",
    "regional_manager": "大区经理 Regional manager",
    "auditor": "审计（只读）Auditor",
}

_INFO_TTL_SECONDS = 30.0
_info_cache: dict[int, tuple[float, TenantInfo]] = {}
_key_cache: dict[tuple[int, bytes], bytes] = {}


async def create_tenant(ctx: Ctx, data: TenantCreate) -> Tenant:
    """Create a brand (platform operators only: the CLI runs this as the system actor)."""
    if await repo.get_tenant_by_slug(ctx.session, data.slug):
        raise Conflict(
            f"a brand with slug {data.slug!r} exists",
            [FieldError("slug", "already taken", "taken")],
        )
    master = get_settings().resolved_secret_key()
    tenant = Tenant(
        slug=data.slug,
        name=data.name,
        time_zone=data.time_zone,
        wrapped_key=crypto.wrap(master, crypto.new_root_key(), data.slug),
    )
    repo.add(ctx.session, tenant)
    await ctx.session.flush()
    repo.add(
        ctx.session,
        *(Role(tenant_id=tenant.id, code=code, name=ROLE_NAMES[code], builtin=True) for code in BUILTIN_ROLES),
    )
    await ctx.session.flush()
    return tenant


async def get_tenant_by_slug(session: AsyncSession, slug: str) -> Tenant:
    tenant = await repo.get_tenant_by_slug(session, slug)
    if tenant is None:
        raise NotFound(f"no brand with slug {slug!r}")
    return tenant


async def tenant_info(session: AsyncSession, tenant_id: int) -> TenantInfo:
    cached = _info_cache.get(tenant_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    tenant = await repo.get_tenant(session, tenant_id)
    if tenant is None:
        raise NotFound(f"brand {tenant_id} not found")
    info = TenantInfo(id=tenant.id, slug=tenant.slug, name=tenant.name, time_zone=tenant.time_zone)
    _info_cache[tenant_id] = (time.monotonic() + _INFO_TTL_SECONDS, info)
    return info


async def tenant_subkey(session: AsyncSession, tenant_id: int, purpose: bytes) -> bytes:
    """A key for one purpose (code tokens, access tokens), derived from the brand's root key."""
    cached = _key_cache.get((tenant_id, purpose))
    if cached is not None:
        return cached
    tenant = await repo.get_tenant(session, tenant_id)
    if tenant is None:
        raise NotFound(f"brand {tenant_id} not found")
    root = crypto.unwrap(get_settings().resolved_secret_key(), tenant.wrapped_key, tenant.slug)
    key = crypto.derive(root, b"yima/" + purpose)
    _key_cache[(tenant_id, purpose)] = key
    return key


async def list_tenants_of_user(session: AsyncSession, user_id: int) -> list[Tenant]:
    return await repo.list_tenants(session, await repo.tenant_ids_of_user(session, user_id))


async def describe_actor(ctx: Ctx) -> MeRead:
    tenant = await repo.get_tenant(ctx.session, ctx.tenant_id)
    assert tenant is not None
    tenants = (
        await list_tenants_of_user(ctx.session, ctx.actor.id)
        if ctx.actor.kind == "staff" and ctx.actor.id
        else [tenant]
    )
    return MeRead(
        kind=ctx.actor.kind,
        name=ctx.actor.name,
        tenant=TenantRead.model_validate(tenant),
        permissions=sorted(ctx.actor.permissions),
        region_codes=list(ctx.actor.region_codes) if ctx.actor.region_codes else None,
        tenants=[TenantRead.model_validate(t) for t in tenants],
        csrf_token=csrf if isinstance(csrf := ctx.extra.get(CSRF_TOKEN), str) else None,
    )


async def system_ctx(session: AsyncSession, tenant_slug: str | None = None) -> Ctx:
    """A Ctx acting as the system (CLI, scripts, demo), bound to one brand or to none."""
    ctx = Ctx(session=session, actor=SYSTEM)
    if tenant_slug is not None:
        tenant = await get_tenant_by_slug(session, tenant_slug)
        bind_tenant(session.sync_session, tenant.id)
        ctx.tenant = await tenant_info(session, tenant.id)
    return ctx


async def enter_tenant(ctx: Ctx, tenant_id: int) -> None:
    """Bind an anonymous request's Ctx to the brand what it carries belongs to (a scanned code's
    prefix names its brand; nothing else about a public scan does)."""
    bind_tenant(ctx.session.sync_session, tenant_id)
    ctx.tenant = await tenant_info(ctx.session, tenant_id)


@caches.register
def forget_cached_tenants() -> None:
    """Drop cached tenant facts and keys (tests that roll tenants back and reuse their ids)."""
    _info_cache.clear()
    _key_cache.clear()
