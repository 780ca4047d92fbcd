"""Warehouses (仓库) and their storage locations (库位)."""

from __future__ import annotations

from collections.abc import Sequence

from yima.identity import service as identity
from yima.partners import repository as repo
from yima.partners import rules
from yima.partners.models import Warehouse, WarehouseLocation
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import (
    LocationCreate,
    LocationRead,
    LocationUpdate,
    WarehouseCreate,
    WarehouseFilter,
    WarehouseRead,
    WarehouseUpdate,
)
from yima.partners.service import places
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, NotFound

_FIELDS = ("name", "kind", "address", "lat", "lon", "region_code", "active")
_CLEARABLE = ("lat", "lon", "region_code")  # a null sent for these means something (see the Update)


async def read_warehouses(ctx: Ctx, warehouses: Sequence[Warehouse]) -> list[WarehouseRead]:
    names = await places.region_names(ctx, [w.region_code for w in warehouses])
    counts = await repo.location_counts(ctx.session, [w.id for w in warehouses])
    return [
        WarehouseRead(
            id=w.id,
            code=w.code,
            name=w.name,
            kind=w.kind,
            address=w.address,
            region_code=w.region_code,
            region_name=names.get(w.region_code or ""),
            lat=w.lat,
            lon=w.lon,
            active=w.active,
            location_count=counts.get(w.id, 0),
            created_at=w.created_at,
            updated_at=w.updated_at,
        )
        for w in warehouses
    ]


async def _load(ctx: Ctx, warehouse_id: int) -> Warehouse:
    warehouse = await repo.get_warehouse(ctx.session, warehouse_id)
    if warehouse is None:
        raise NotFound(f"warehouse {warehouse_id} not found")
    return warehouse


async def create_warehouse(ctx: Ctx, data: WarehouseCreate) -> WarehouseRead:
    ctx.require(PARTNERS_WRITE.name)
    if await repo.warehouses_by_codes(ctx.session, [data.code]):
        raise Conflict("a warehouse with that code exists", [FieldError("code", "already used", "taken")])
    values = data.model_dump()
    values["region_code"] = await places.region_of(ctx, data.region_code, data.address, data.lat, data.lon)
    warehouse = Warehouse(tenant_id=ctx.tenant_id, active=True, **values)
    repo.add(ctx.session, warehouse)
    await ctx.session.flush()
    identity.record_audit(ctx, "warehouse.created", "warehouse", warehouse.id, values)
    return (await read_warehouses(ctx, [warehouse]))[0]


async def update_warehouse(ctx: Ctx, warehouse_id: int, data: WarehouseUpdate) -> WarehouseRead:
    ctx.require(PARTNERS_WRITE.name)
    warehouse = await _load(ctx, warehouse_id)
    sent = data.model_dump(exclude_unset=True)
    current = {k: getattr(warehouse, k) for k in _FIELDS}
    wanted = {k: v for k, v in sent.items() if k in _FIELDS and (k in _CLEARABLE or v is not None)}
    wanted["region_code"] = await places.updated_region(ctx, current, wanted)
    diff = rules.changes(current, wanted)
    for key, (_, new) in diff.items():
        setattr(warehouse, key, new)
    await ctx.session.flush()
    if diff:
        identity.record_audit(ctx, "warehouse.updated", "warehouse", warehouse.id, diff)
    return (await read_warehouses(ctx, [warehouse]))[0]


async def deactivate_warehouse(ctx: Ctx, warehouse_id: int) -> WarehouseRead:
    """Stop using a warehouse: it stays, with its history; doing it again changes nothing."""
    return await update_warehouse(ctx, warehouse_id, WarehouseUpdate(active=False))


async def get_warehouse(ctx: Ctx, warehouse_id: int) -> WarehouseRead:
    ctx.require(PARTNERS_READ.name)
    return (await read_warehouses(ctx, [await _load(ctx, warehouse_id)]))[0]


async def lookup_warehouse(ctx: Ctx, warehouse_id: int) -> WarehouseRead:
    """A warehouse for another context's use case (trace's warehouse in/out): no permission of
    its own, since the caller has checked the one its use case needs. NotFound when absent."""
    return (await read_warehouses(ctx, [await _load(ctx, warehouse_id)]))[0]


async def find_warehouse(ctx: Ctx, code: str) -> WarehouseRead | None:
    """The warehouse with ``code``, or None (no permission of its own, like the lookups)."""
    warehouse = (await repo.warehouses_by_codes(ctx.session, [code])).get(code)
    return (await read_warehouses(ctx, [warehouse]))[0] if warehouse else None


async def list_warehouses(ctx: Ctx, filters: WarehouseFilter, limit: int, before_id: int | None) -> list[WarehouseRead]:
    """Up to ``limit + 1`` warehouses, newest first (the extra one tells the edge a page follows)."""
    ctx.require(PARTNERS_READ.name)
    return await read_warehouses(ctx, await repo.list_warehouses(ctx.session, filters, limit + 1, before_id))


# storage locations ------------------------------------------------------------------------------


async def _load_location(ctx: Ctx, warehouse_id: int, location_id: int) -> WarehouseLocation:
    location = await repo.get_location(ctx.session, location_id)
    if location is None or location.warehouse_id != warehouse_id:
        raise NotFound(f"location {location_id} of warehouse {warehouse_id} not found")
    return location


async def create_location(ctx: Ctx, warehouse_id: int, data: LocationCreate) -> LocationRead:
    ctx.require(PARTNERS_WRITE.name)
    warehouse = await _load(ctx, warehouse_id)
    if await repo.location_by_code(ctx.session, warehouse.id, data.code):
        raise Conflict(
            f"warehouse {warehouse.code} has a location {data.code}", [FieldError("code", "already used", "taken")]
        )
    location = WarehouseLocation(tenant_id=ctx.tenant_id, warehouse_id=warehouse.id, active=True, **data.model_dump())
    repo.add(ctx.session, location)
    await ctx.session.flush()
    identity.record_audit(
        ctx,
        "warehouse_location.created",
        "warehouse_location",
        location.id,
        {"warehouse": warehouse.code} | data.model_dump(),
    )
    return LocationRead.model_validate(location)


async def update_location(ctx: Ctx, warehouse_id: int, location_id: int, data: LocationUpdate) -> LocationRead:
    ctx.require(PARTNERS_WRITE.name)
    location = await _load_location(ctx, warehouse_id, location_id)
    wanted = data.model_dump(exclude_none=True)
    diff = rules.changes({k: getattr(location, k) for k in wanted}, wanted)
    for key, (_, new) in diff.items():
        setattr(location, key, new)
    await ctx.session.flush()
    if diff:
        identity.record_audit(ctx, "warehouse_location.updated", "warehouse_location", location.id, diff)
    return LocationRead.model_validate(location)


async def list_locations(ctx: Ctx, warehouse_id: int, limit: int, before_id: int | None) -> list[LocationRead]:
    """Up to ``limit + 1`` locations of a warehouse, newest first."""
    ctx.require(PARTNERS_READ.name)
    warehouse = await _load(ctx, warehouse_id)
    rows = await repo.list_locations(ctx.session, warehouse.id, limit + 1, before_id)
    return [LocationRead.model_validate(r) for r in rows]


async def lookup_location(ctx: Ctx, location_id: int) -> LocationRead:
    """A storage location for another context (no permission of its own). NotFound when absent."""
    location = await repo.get_location(ctx.session, location_id)
    if location is None:
        raise NotFound(f"location {location_id} not found")
    return LocationRead.model_validate(location)
