"""Stores (门店 / 终端): their dealer, owner, salesman (业务员) and place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from yima.geo import service as geo
from yima.identity import service as identity
from yima.members import service as members
from yima.partners import repository as repo
from yima.partners import rules
from yima.partners.models import Store
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import StoreCreate, StoreFilter, StoreRead, StoreUpdate
from yima.partners.service import places
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Invalid, NotFound

_FIELDS = (
    "name", "dealer_id", "owner_name", "owner_phone", "address", "region_code", "lat", "lon", "category", "grade",
    "tags", "salesman_id", "active",
)  # fmt: skip
_CLEARABLE = ("dealer_id", "region_code", "lat", "lon", "category", "grade", "salesman_id")


async def read_stores(ctx: Ctx, stores: Sequence[Store]) -> list[StoreRead]:
    dealer_ids = [s.dealer_id for s in stores if s.dealer_id]
    dealers = await repo.dealers_by_ids(ctx.session, dealer_ids)
    territories = await repo.territories(ctx.session, dealer_ids)
    names = await places.region_names(ctx, [s.region_code for s in stores])
    salesmen = await repo.roles_by_ids(ctx.session, [s.salesman_id for s in stores if s.salesman_id])
    phones = {r.person_id: await members.verified_phone(ctx, r.person_id) for r in salesmen.values()}
    reads = []
    for s in stores:
        dealer = dealers.get(s.dealer_id or 0)
        inside = None
        if dealer is not None and s.region_code:
            inside = geo.in_territory(s.region_code, territories.get(dealer.id, ()))
        salesman = salesmen.get(s.salesman_id or 0)
        reads.append(
            StoreRead(
                id=s.id,
                code=s.code,
                name=s.name,
                dealer_id=s.dealer_id,
                dealer_code=dealer.code if dealer else None,
                dealer_name=dealer.name if dealer else None,
                owner_name=s.owner_name,
                owner_phone=s.owner_phone,
                address=s.address,
                region_code=s.region_code,
                region_name=names.get(s.region_code or ""),
                lat=s.lat,
                lon=s.lon,
                category=s.category,
                grade=s.grade,
                tags=list(s.tags),
                salesman_id=s.salesman_id,
                salesman_name=salesman.name if salesman else None,
                salesman_phone=phones[salesman.person_id] if salesman else None,
                active=s.active,
                in_dealer_territory=inside,
                created_at=s.created_at,
                updated_at=s.updated_at,
            )
        )
    return reads


async def _load(ctx: Ctx, store_id: int, *, scoped: bool = True) -> Store:
    store = await repo.get_store(ctx.session, store_id, places.scope(ctx) if scoped else None)
    if store is None:
        raise NotFound(f"store {store_id} not found")
    return store


async def _check_dealer(ctx: Ctx, dealer_id: int | None) -> None:
    """A store is put with a dealer that exists and is active."""
    if dealer_id is None:
        return
    dealer = (await repo.dealers_by_ids(ctx.session, [dealer_id])).get(dealer_id)
    if dealer is None:
        raise Invalid("unknown dealer", [FieldError("dealer_id", f"no dealer {dealer_id}", "unknown_dealer")])
    if not dealer.active:
        raise Invalid(
            "inactive dealer", [FieldError("dealer_id", f"dealer {dealer.code} is not active", "dealer_inactive")]
        )


async def check_salesman(ctx: Ctx, salesman_id: int | None, dealer_id: int | None) -> None:
    """A store is looked after by an active salesman of its own dealer or of the brand."""
    if salesman_id is None:
        return
    role = await repo.get_role(ctx.session, salesman_id)
    if role is None or role.kind != "salesman":
        raise Invalid("no such salesman", [FieldError("salesman_id", f"no salesman {salesman_id}", "unknown_salesman")])
    if role.status != "active":
        detail = FieldError("salesman_id", f"salesman {salesman_id} is {role.status}", "salesman_inactive")
        raise Invalid("the salesman's role is not active", [detail])
    if not rules.may_look_after(role.dealer_id, dealer_id):
        why = f"salesman {salesman_id} works for dealer {role.dealer_id}, not the store's"
        raise Invalid("a dealer's salesman looks after that dealer's stores only",
                      [FieldError("salesman_id", why, "other_dealer")])  # fmt: skip


async def create_store(ctx: Ctx, data: StoreCreate) -> StoreRead:
    ctx.require(PARTNERS_WRITE.name)
    if await repo.stores_by_codes(ctx.session, [data.code]):
        raise Conflict("a store with that code exists", [FieldError("code", "already used", "taken")])
    await _check_dealer(ctx, data.dealer_id)
    await check_salesman(ctx, data.salesman_id, data.dealer_id)
    values = data.model_dump()
    values["region_code"] = await places.region_of(ctx, data.region_code, data.address, data.lat, data.lon)
    store = Store(tenant_id=ctx.tenant_id, active=True, **values)
    repo.add(ctx.session, store)
    await ctx.session.flush()
    identity.record_audit(ctx, "store.created", "store", store.id, values)
    return (await read_stores(ctx, [store]))[0]


async def update_store(ctx: Ctx, store_id: int, data: StoreUpdate) -> StoreRead:
    ctx.require(PARTNERS_WRITE.name)
    store = await _load(ctx, store_id)
    sent = data.model_dump(exclude_unset=True)
    current = {k: getattr(store, k) for k in _FIELDS}
    wanted = {k: v for k, v in sent.items() if k in _FIELDS and (k in _CLEARABLE or v is not None)}
    wanted["region_code"] = await places.updated_region(ctx, current, wanted)
    diff = rules.changes(current, wanted)
    if "dealer_id" in diff:
        await _check_dealer(ctx, wanted["dealer_id"])
    if "dealer_id" in diff or "salesman_id" in diff:  # the pair must still fit: a new dealer, or a new salesman
        await check_salesman(
            ctx, wanted.get("salesman_id", store.salesman_id), wanted.get("dealer_id", store.dealer_id)
        )
    for key, (_, new) in diff.items():
        setattr(store, key, new)
    await ctx.session.flush()
    if diff:
        identity.record_audit(ctx, "store.updated", "store", store.id, diff)
    return (await read_stores(ctx, [store]))[0]


async def deactivate_store(ctx: Ctx, store_id: int) -> StoreRead:
    """Close a store (闭店): it stays, with its history; doing it again changes nothing."""
    return await update_store(ctx, store_id, StoreUpdate(active=False))


async def get_store(ctx: Ctx, store_id: int) -> StoreRead:
    ctx.require(PARTNERS_READ.name)
    return (await read_stores(ctx, [await _load(ctx, store_id)]))[0]


async def list_stores(ctx: Ctx, filters: StoreFilter, limit: int, before_id: int | None) -> list[StoreRead]:
    """Up to ``limit + 1`` stores the actor may see (a regional manager: in their regions),
    newest first (the extra one tells the edge a page follows)."""
    ctx.require(PARTNERS_READ.name)
    rows = await repo.list_stores(ctx.session, filters, places.scope(ctx), limit + 1, before_id)
    return await read_stores(ctx, rows)


async def lookup_store(ctx: Ctx, store_id: int) -> StoreRead:
    """A store for another context's use case (trace's sign-for, the scan): no permission and
    no regional scope of its own, since the caller has checked what its use case needs.
    NotFound when absent."""
    return (await read_stores(ctx, [await _load(ctx, store_id, scoped=False)]))[0]


async def lookup_stores(ctx: Ctx, store_ids: Iterable[int]) -> dict[int, StoreRead]:
    """Many stores at once, by id (those that exist), like ``lookup_store``."""
    found = await repo.stores_by_ids(ctx.session, store_ids)
    return {s.id: s for s in await read_stores(ctx, list(found.values()))}


async def find_store(ctx: Ctx, code: str) -> StoreRead | None:
    """The store with ``code``, or None (no permission of its own, like the lookups)."""
    store = (await repo.stores_by_codes(ctx.session, [code])).get(code)
    return (await read_stores(ctx, [store]))[0] if store else None
