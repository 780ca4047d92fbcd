"""Plain factories for the catalog's records, and the objects the route harnesses point at."""

from __future__ import annotations

import base64
import io
import itertools
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from tests.identity.factories import system
from yima.catalog import rules
from yima.catalog import service as catalog
from yima.catalog.schemas import ProductCreate, ProductRead, SpecCreate, SpecRead
from yima.platform.db.session import Database

# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
HEADER = [c.header for c in rules.IMPORT_COLUMNS]
_seq = itertools.count(1)


def gtin13(body: str) -> str:
    """A GTIN-13 from its first 12 digits, with the right check digit."""
    return body + str(rules.gtin_check_digit(body))


def new_gtin() -> str:
    return gtin13(f"697512{next(_seq) + 500000:06d}")


async def create_spec(db: Database, slug: str, **overrides: Any) -> SpecRead:
    n = next(_seq)
    values: dict[str, Any] = {"code": f"S{n}", "name": f"规格 {n}", "bottles_per_case": 6, "cases_per_pallet": 40}
    async with system(db, slug) as ctx:
        return await catalog.create_spec(ctx, SpecCreate(**values | overrides))


async def create_product(db: Database, slug: str, **overrides: Any) -> ProductRead:
    n = next(_seq)
    values: dict[str, Any] = {"sku": f"SKU-{n}", "name": f"商品 {n}", "gtin": new_gtin()}
    async with system(db, slug) as ctx:
        return await catalog.create_product(ctx, ProductCreate(**values | overrides))


def workbook(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    """An .xlsx whose first sheet has ``header`` and ``rows``."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    spec = await create_spec(db, slug, code=f"{slug}-spec", name=f"{marker} 包装")
    product = await create_product(
        db, slug, sku=f"{slug}-sku", name=f"{marker} 酱酒", category=f"{marker} 分类", packaging_spec_id=spec.id
    )
    async with system(db, slug) as ctx:
        await catalog.set_product_image(ctx, product.id, PNG)
    return {"spec_id": spec.id, "product_id": product.id}, [f"{slug}-sku", f"{slug}-spec"]
