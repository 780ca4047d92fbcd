"""Salesmen (业务员) and guides (导购): a store's salesman, a salesman's stores, the guides of a
store and of an area's guide group (区域导购群).

``salesmen_of_stores``, ``stores_of_salesman``, ``guides_of_store`` and ``area_guides`` check no
permission: they serve other contexts' use cases (rebates pay a store's salesman and the guides
who sold the goods), like ``payees_of``. ``get_role``, ``salesman_stores`` and ``store_guides`` are the staff's reads.
"""

from __future__ import annotations

from collections.abc import Collection

from yima.partners import repository as repo
from yima.partners.permissions import PARTNERS_READ
from yima.partners.schemas import ChannelRoleRead, StoreRead
from yima.partners.service import places
from yima.partners.service.accounts import read_roles
from yima.partners.service.stores import get_store, read_stores
from yima.platform.ctx import Ctx
from yima.platform.errors import NotFound


async def salesmen_of_stores(ctx: Ctx, store_ids: Collection[int]) -> dict[int, ChannelRoleRead]:
    """store id → its salesman, for the stores that have an active one."""
    stores = await repo.stores_by_ids(ctx.session, store_ids)
    roles = await repo.roles_by_ids(ctx.session, {s.salesman_id for s in stores.values() if s.salesman_id})
    active_roles = [r for r in roles.values() if r.status == "active"]
    active = {r.id: r for r in await read_roles(ctx, active_roles, full_phone=True)}
    return {s.id: active[s.salesman_id] for s in stores.values() if s.salesman_id in active}


async def stores_of_salesman(ctx: Ctx, role_id: int) -> list[StoreRead]:
    """The stores a salesman looks after (open and closed), by code; none for any other role."""
    return await read_stores(ctx, await repo.stores_of_salesman(ctx.session, role_id))


async def guides_of_store(ctx: Ctx, store_id: int) -> list[ChannelRoleRead]:
    """The store's active guides, oldest first."""
    return await read_roles(ctx, await repo.active_roles(ctx.session, "guide", store_id=store_id), full_phone=True)


async def area_guides(ctx: Ctx, region_code: str) -> list[ChannelRoleRead]:
    """The active guides of the district's guide group, oldest first (not the stores' guides)."""
    guides = await repo.active_roles(ctx.session, "guide", region_code=region_code)
    return await read_roles(ctx, guides, full_phone=True)


async def get_role(ctx: Ctx, role_id: int) -> ChannelRoleRead:
    """One role, if the actor's regions see it (``_visible_roles``)."""
    ctx.require(PARTNERS_READ.name)
    role = await repo.get_role(ctx.session, role_id, places.scope(ctx))
    if role is None:
        raise NotFound(f"no channel role {role_id}")
    return (await read_roles(ctx, [role], full_phone=True))[0]


async def salesman_stores(ctx: Ctx, salesman_id: int) -> list[StoreRead]:
    """A salesman's stores for the brand's staff (a regional manager sees those in their regions)."""
    ctx.require(PARTNERS_READ.name)
    salesman = await repo.get_role(ctx.session, salesman_id)  # the brand's own: seen by every region's staff
    if salesman is None or salesman.kind != "salesman":
        raise NotFound(f"no salesman {salesman_id}")
    return await read_stores(ctx, await repo.stores_of_salesman(ctx.session, salesman_id, places.scope(ctx)))


async def store_guides(ctx: Ctx, store_id: int) -> list[ChannelRoleRead]:
    """A store's active guides for the brand's staff (404 outside a regional manager's regions)."""
    await get_store(ctx, store_id)
    return await guides_of_store(ctx, store_id)


async def lookup_roles(ctx: Ctx, role_ids: Collection[int]) -> dict[int, ChannelRoleRead]:
    """Roles by id (those that exist; phones masked), for other contexts' use cases — rebates
    pay salesmen and guides and name them; no permission, like ``payees_of``."""
    roles = await repo.roles_by_ids(ctx.session, role_ids)
    return {r.id: r for r in await read_roles(ctx, list(roles.values()), full_phone=False)}
