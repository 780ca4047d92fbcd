"""Suppliers: who prints or applies a batch's codes."""

from __future__ import annotations

from yima.codes import repository as repo
from yima.codes.models import Supplier
from yima.codes.permissions import CODES_READ, CODES_WRITE
from yima.codes.schemas import SupplierCreate, SupplierRead, SupplierUpdate
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, NotFound


async def create_supplier(ctx: Ctx, data: SupplierCreate) -> SupplierRead:
    ctx.require(CODES_WRITE.name)
    if await repo.supplier_named(ctx.session, data.name):
        raise Conflict("a supplier with that name exists", [FieldError("name", "already taken", "taken")])
    supplier = Supplier(tenant_id=ctx.tenant_id, name=data.name, kind=data.kind, contact=data.contact)
    repo.add(ctx.session, supplier)
    await ctx.session.flush()
    identity.record_audit(ctx, "supplier.created", "code_supplier", supplier.id, data.model_dump())
    return SupplierRead.model_validate(supplier)


async def load_supplier(ctx: Ctx, supplier_id: int) -> Supplier:
    supplier = await repo.get_supplier(ctx.session, supplier_id)
    if supplier is None:
        raise NotFound(f"supplier {supplier_id} not found", [FieldError("supplier_id", "not found", "not_found")])
    return supplier


async def update_supplier(ctx: Ctx, supplier_id: int, data: SupplierUpdate) -> SupplierRead:
    ctx.require(CODES_WRITE.name)
    supplier = await load_supplier(ctx, supplier_id)
    changes = {
        k: [getattr(supplier, k), v] for k, v in data.model_dump(exclude_none=True).items() if getattr(supplier, k) != v
    }
    for key, (_, value) in changes.items():
        setattr(supplier, key, value)
    await ctx.session.flush()
    if changes:
        identity.record_audit(ctx, "supplier.updated", "code_supplier", supplier.id, changes)
    return SupplierRead.model_validate(supplier)


async def list_suppliers(ctx: Ctx) -> list[SupplierRead]:
    ctx.require(CODES_READ.name)
    return [SupplierRead.model_validate(s) for s in await repo.list_suppliers(ctx.session)]
