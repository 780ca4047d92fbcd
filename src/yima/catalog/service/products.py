"""Products: create, change, list, discontinue."""

from __future__ import annotations

from collections.abc import Sequence

from yima.catalog import repository as repo
from yima.catalog import rules
from yima.catalog.models import Product
from yima.catalog.permissions import CATALOG_READ, CATALOG_WRITE
from yima.catalog.schemas import ProductCreate, ProductFilter, ProductRead, ProductUpdate
from yima.identity import service as identity
from yima.platform.caches import TtlCache
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Invalid, NotFound

# Fields a null in an update clears; for the others a null means "leave as it is".
_CLEARABLE = ("gtin", "image_url", "packaging_spec_id")
LOOKUP_TTL = 10.0  # seconds another worker process may show a product as it was before a change
_PLAIN = ("sku", "name", "specification", "category", "status")
_looked_up: TtlCache[tuple[int, int], ProductRead] = TtlCache(LOOKUP_TTL)


def product_read(product: Product, spec_code: str | None) -> ProductRead:
    return ProductRead(
        id=product.id,
        sku=product.sku,
        name=product.name,
        gtin=product.gtin,
        specification=product.specification,
        category=product.category,
        image_url=product.image_url,
        image_uploaded=product.image_file is not None,
        packaging_spec_id=product.packaging_spec_id,
        packaging_spec_code=spec_code,
        status=product.status,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


async def read_many(ctx: Ctx, products: Sequence[Product]) -> list[ProductRead]:
    codes = await repo.spec_codes(ctx.session, (p.packaging_spec_id for p in products if p.packaging_spec_id))
    return [product_read(p, codes.get(p.packaging_spec_id or 0)) for p in products]


async def load_product(ctx: Ctx, product_id: int) -> Product:
    product = await repo.get_product(ctx.session, product_id)
    if product is None:
        raise NotFound(f"product {product_id} not found")
    return product


async def _check_spec(ctx: Ctx, spec_id: int | None) -> str | None:
    """The code of the spec a product is put on; an unknown or inactive spec is an error."""
    if spec_id is None:
        return None
    spec = await repo.get_spec(ctx.session, spec_id)
    if spec is None:
        raise Invalid(
            "unknown packaging spec", [FieldError("packaging_spec_id", f"no packaging spec {spec_id}", "unknown_spec")]
        )
    if not spec.active:
        raise Invalid(
            "inactive packaging spec",
            [FieldError("packaging_spec_id", f"packaging spec {spec.code} is not active", "spec_inactive")],
        )
    return spec.code


async def _check_unique(ctx: Ctx, product_id: int | None, sku: str | None, gtin: str | None) -> None:
    """A SKU or GTIN another product of the brand already has is a conflict (both are named)."""
    problems = []
    other = await repo.product_by_sku(ctx.session, sku) if sku else None
    if other is not None and other.id != product_id:
        problems.append(FieldError("sku", f"already used by product {other.id}", "taken"))
    other = await repo.product_by_gtin(ctx.session, gtin) if gtin else None
    if other is not None and other.id != product_id:
        problems.append(FieldError("gtin", f"already used by product {other.id} ({other.sku})", "taken"))
    if problems:
        raise Conflict("another product has the same SKU or GTIN", problems)


async def create_product(ctx: Ctx, data: ProductCreate) -> ProductRead:
    ctx.require(CATALOG_WRITE.name)
    spec_code = await _check_spec(ctx, data.packaging_spec_id)
    await _check_unique(ctx, None, data.sku, data.gtin)
    product = Product(tenant_id=ctx.tenant_id, status="active", **data.model_dump())
    repo.add(ctx.session, product)
    await ctx.session.flush()
    identity.record_audit(ctx, "product.created", "product", product.id, data.model_dump(exclude_defaults=True))
    return product_read(product, spec_code)


async def update_product(ctx: Ctx, product_id: int, data: ProductUpdate) -> ProductRead:
    ctx.require(CATALOG_WRITE.name)
    product = await load_product(ctx, product_id)
    sent = data.model_dump(exclude_unset=True)
    wanted = {k: v for k, v in sent.items() if k in _CLEARABLE or (k in _PLAIN and v is not None)}
    if wanted.get("image_url"):
        wanted["image_file"] = None  # one image: the latest given
    diff = rules.changes({k: getattr(product, k) for k in wanted}, wanted)
    if "packaging_spec_id" in diff:
        await _check_spec(ctx, wanted["packaging_spec_id"])
    if "sku" in diff or "gtin" in diff:
        await _check_unique(ctx, product.id, wanted.get("sku"), wanted.get("gtin"))
    for key, (_, new) in diff.items():
        setattr(product, key, new)
    await ctx.session.flush()
    forget_looked_up(ctx, [product.id])
    if diff:
        identity.record_audit(ctx, "product.updated", "product", product.id, diff)
    return (await read_many(ctx, [product]))[0]


async def discontinue_product(ctx: Ctx, product_id: int) -> ProductRead:
    """Mark a product discontinued (停产): it stays, with its history, but no new codes are made
    for it. Discontinuing it again changes nothing."""
    ctx.require(CATALOG_WRITE.name)
    product = await load_product(ctx, product_id)
    if product.status != "discontinued":
        product.status = "discontinued"
        await ctx.session.flush()
        forget_looked_up(ctx, [product.id])
        identity.record_audit(ctx, "product.discontinued", "product", product.id, {"sku": product.sku})
    return (await read_many(ctx, [product]))[0]


async def get_product(ctx: Ctx, product_id: int) -> ProductRead:
    ctx.require(CATALOG_READ.name)
    return (await read_many(ctx, [await load_product(ctx, product_id)]))[0]


def forget_looked_up(ctx: Ctx, product_ids: Sequence[int]) -> None:
    """Drop changed products from this process's lookup cache."""
    for product_id in product_ids:
        _looked_up.drop((ctx.tenant_id, product_id))


async def lookup_product(ctx: Ctx, product_id: int) -> ProductRead:
    """A product for another context's use case (codes, trace, the public scan): no permission of
    its own, since the caller has checked the one its use case needs. NotFound when absent.
    Served from a short-lived per-process cache (hot paths look the same product up a lot)."""
    key = (ctx.tenant_id, product_id)
    found = _looked_up.get(key)
    if found is None:
        found = (await read_many(ctx, [await load_product(ctx, product_id)]))[0]
        _looked_up.put(key, found)
    return found


async def find_product(ctx: Ctx, sku: str) -> ProductRead | None:
    """The product with ``sku``, or None."""
    ctx.require(CATALOG_READ.name)
    product = await repo.product_by_sku(ctx.session, sku)
    return (await read_many(ctx, [product]))[0] if product else None


async def list_products(ctx: Ctx, filters: ProductFilter, limit: int, before_id: int | None) -> list[ProductRead]:
    """Up to ``limit + 1`` products, newest first (the extra one tells the edge a page follows)."""
    ctx.require(CATALOG_READ.name)
    return await read_many(ctx, await repo.list_products(ctx.session, filters, limit + 1, before_id))


async def list_categories(ctx: Ctx) -> list[str]:
    """The categories the brand's products use (for filters)."""
    ctx.require(CATALOG_READ.name)
    return await repo.categories(ctx.session)
