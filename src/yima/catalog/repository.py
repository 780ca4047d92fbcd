"""Every SQL statement of the catalog context."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from yima.catalog.models import PackagingSpec, Product
from yima.catalog.schemas import ProductFilter, SpecFilter
from yima.platform.db.base import newest_first

T = TypeVar("T")
# Keeps IN (...) lists well under SQLite's and asyncpg's bound-parameter limits.
CHUNK = 1000


def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)


def _chunks(values: Sequence[T]) -> Iterable[Sequence[T]]:
    return (values[i : i + CHUNK] for i in range(0, len(values), CHUNK))


# packaging specs ---------------------------------------------------------------------------


async def get_spec(session: AsyncSession, spec_id: int) -> PackagingSpec | None:
    return await session.get(PackagingSpec, spec_id)


async def specs_by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, PackagingSpec]:
    found: dict[str, PackagingSpec] = {}
    for chunk in _chunks(sorted(set(codes))):
        rows = await session.scalars(select(PackagingSpec).where(PackagingSpec.code.in_(chunk)))
        found.update((s.code, s) for s in rows)
    return found


async def spec_codes(session: AsyncSession, spec_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(spec_ids))
    if not ids:
        return {}
    query = select(PackagingSpec.id, PackagingSpec.code).where(PackagingSpec.id.in_(ids))
    return {spec_id: code for spec_id, code in (await session.execute(query)).all()}


async def list_specs(
    session: AsyncSession, filters: SpecFilter, limit: int, before_id: int | None
) -> list[PackagingSpec]:
    query = newest_first(select(PackagingSpec), PackagingSpec, limit, before_id)
    if filters.q:
        query = query.where(
            or_(
                PackagingSpec.code.icontains(filters.q, autoescape=True),
                PackagingSpec.name.icontains(filters.q, autoescape=True),
            )
        )
    if filters.active is not None:
        query = query.where(PackagingSpec.active.is_(filters.active))
    return list((await session.scalars(query)).all())


async def product_counts(session: AsyncSession, spec_ids: Sequence[int]) -> dict[int, int]:
    if not spec_ids:
        return {}
    query = (
        select(Product.packaging_spec_id, func.count())
        .where(Product.packaging_spec_id.in_(spec_ids))
        .group_by(Product.packaging_spec_id)
    )
    return {spec_id: int(count) for spec_id, count in (await session.execute(query)).all() if spec_id}


# products ----------------------------------------------------------------------------------


async def get_product(session: AsyncSession, product_id: int) -> Product | None:
    return await session.get(Product, product_id)


async def product_by_sku(session: AsyncSession, sku: str) -> Product | None:
    return (await session.scalars(select(Product).where(Product.sku == sku))).first()


async def product_by_gtin(session: AsyncSession, gtin: str) -> Product | None:
    return (await session.scalars(select(Product).where(Product.gtin == gtin))).first()


async def products_by_skus(session: AsyncSession, skus: Sequence[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    for chunk in _chunks(sorted(set(skus))):
        found.update((p.sku, p) for p in await session.scalars(select(Product).where(Product.sku.in_(chunk))))
    return found


async def products_by_gtins(session: AsyncSession, gtins: Sequence[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    for chunk in _chunks(sorted(set(gtins))):
        rows = await session.scalars(select(Product).where(Product.gtin.in_(chunk)))
        found.update((p.gtin, p) for p in rows if p.gtin)
    return found


def _filtered(query: Select[Any], filters: ProductFilter) -> Select[Any]:
    if filters.q:
        q = filters.q.strip()
        query = query.where(
            or_(
                Product.sku.icontains(q, autoescape=True),
                Product.name.icontains(q, autoescape=True),
                Product.gtin.contains(q, autoescape=True),
            )
        )
    if filters.status:
        query = query.where(Product.status == filters.status)
    if filters.spec_id:
        query = query.where(Product.packaging_spec_id == filters.spec_id)
    if filters.category:
        query = query.where(Product.category == filters.category)
    return query


async def list_products(
    session: AsyncSession, filters: ProductFilter, limit: int, before_id: int | None
) -> list[Product]:
    query = newest_first(_filtered(select(Product), filters), Product, limit, before_id)
    return list((await session.scalars(query)).all())


async def iter_products(session: AsyncSession, filters: ProductFilter) -> AsyncIterator[list[Product]]:
    """Every matching product, oldest first, in batches (for the export)."""
    after = 0
    while True:
        query = _filtered(select(Product), filters).where(Product.id > after).order_by(Product.id).limit(CHUNK)
        batch = list((await session.scalars(query)).all())
        if not batch:
            return
        yield batch
        after = batch[-1].id


async def categories(session: AsyncSession) -> list[str]:
    query = select(Product.category).where(Product.category != "").distinct().order_by(Product.category)
    return list((await session.scalars(query)).all())
