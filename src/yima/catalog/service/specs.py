"""Packaging specs: how a product is packed and which code faces each level carries."""

from __future__ import annotations

from yima.catalog import repository as repo
from yima.catalog import rules
from yima.catalog.models import PackagingSpec
from yima.catalog.permissions import CATALOG_READ, CATALOG_WRITE
from yima.catalog.schemas import SpecCreate, SpecFilter, SpecRead, SpecUpdate
from yima.identity import service as identity
from yima.platform.caches import TtlCache
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, NotFound

_looked_up: TtlCache[tuple[int, int], SpecRead] = TtlCache(10.0)  # as products.LOOKUP_TTL
_FIELDS = ("name", "bottles_per_case", "cases_per_pallet", "bottle_faces", "case_faces", "pallet_faces", "active")


def _read(spec: PackagingSpec, product_count: int = 0) -> SpecRead:
    return SpecRead.model_validate(spec).model_copy(update={"product_count": product_count})


async def _load(ctx: Ctx, spec_id: int) -> PackagingSpec:
    spec = await repo.get_spec(ctx.session, spec_id)
    if spec is None:
        raise NotFound(f"packaging spec {spec_id} not found")
    return spec


async def create_spec(ctx: Ctx, data: SpecCreate) -> SpecRead:
    ctx.require(CATALOG_WRITE.name)
    if await repo.specs_by_codes(ctx.session, [data.code]):
        raise Conflict("a packaging spec with that code exists", [FieldError("code", "already used", "taken")])
    spec = PackagingSpec(tenant_id=ctx.tenant_id, **data.model_dump())
    repo.add(ctx.session, spec)
    await ctx.session.flush()
    identity.record_audit(ctx, "packaging_spec.created", "packaging_spec", spec.id, data.model_dump())
    return _read(spec)


async def update_spec(ctx: Ctx, spec_id: int, data: SpecUpdate) -> SpecRead:
    ctx.require(CATALOG_WRITE.name)
    spec = await _load(ctx, spec_id)
    wanted = {k: v for k, v in data.model_dump(exclude_none=True).items() if k in _FIELDS}
    diff = rules.changes({k: getattr(spec, k) for k in wanted}, wanted)
    for key, (_, new) in diff.items():
        setattr(spec, key, new)
    await ctx.session.flush()
    _looked_up.drop((ctx.tenant_id, spec.id))
    if diff:
        identity.record_audit(ctx, "packaging_spec.updated", "packaging_spec", spec.id, diff)
    counts = await repo.product_counts(ctx.session, [spec.id])
    return _read(spec, counts.get(spec.id, 0))


async def get_spec(ctx: Ctx, spec_id: int) -> SpecRead:
    ctx.require(CATALOG_READ.name)
    spec = await _load(ctx, spec_id)
    counts = await repo.product_counts(ctx.session, [spec.id])
    return _read(spec, counts.get(spec.id, 0))


async def lookup_spec(ctx: Ctx, spec_id: int) -> SpecRead:
    """A packaging spec for another context's use case (codes packing bottles into cases): no
    permission of its own, since the caller has checked the one its use case needs. Served from
    a short-lived per-process cache, as ``lookup_product``."""
    key = (ctx.tenant_id, spec_id)
    found = _looked_up.get(key)
    if found is None:
        found = _read(await _load(ctx, spec_id))
        _looked_up.put(key, found)
    return found


async def list_specs(ctx: Ctx, filters: SpecFilter, limit: int, before_id: int | None) -> list[SpecRead]:
    """Up to ``limit + 1`` specs, newest first (the extra one tells the edge a page follows)."""
    ctx.require(CATALOG_READ.name)
    specs = await repo.list_specs(ctx.session, filters, limit + 1, before_id)
    counts = await repo.product_counts(ctx.session, [s.id for s in specs])
    return [_read(s, counts.get(s.id, 0)) for s in specs]


async def find_spec(ctx: Ctx, code: str) -> SpecRead | None:
    """The spec with ``code``, or None."""
    ctx.require(CATALOG_READ.name)
    spec = (await repo.specs_by_codes(ctx.session, [code])).get(code)
    return _read(spec) if spec else None
