"""Product images: an uploaded file kept under ``data_dir/catalog/<tenant_id>/``, or an external
URL. Files are named by their SHA-256, so uploading the same picture twice stores it once and a
rolled-back upload leaves at most an unreferenced file behind."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from yima.catalog import rules
from yima.catalog.permissions import CATALOG_READ, CATALOG_WRITE
from yima.catalog.schemas import ProductRead
from yima.catalog.service.products import load_product, read_many
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Invalid, NotFound
from yima.settings import get_settings


@dataclass(frozen=True)
class ProductImage:
    """Where a product's image is: a stored file (``path``, ``media_type``) or an external ``url``."""

    path: Path | None = None
    media_type: str = ""
    url: str | None = None


def _folder(tenant_id: int) -> Path:
    return get_settings().data_dir / "catalog" / str(tenant_id)


def _store(folder: Path, name: str, content: bytes) -> None:
    target = folder / name
    if target.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, target)  # atomic: a reader never sees half a file


async def set_product_image(ctx: Ctx, product_id: int, content: bytes | None) -> ProductRead:
    """Store an uploaded image (PNG, JPEG, GIF or WebP, at most 5 MB) as the product's image."""
    ctx.require(CATALOG_WRITE.name)
    product = await load_product(ctx, product_id)
    if not content:
        raise Invalid("no image was sent", [FieldError("file", "an image file is required", "missing")])
    kind = rules.image_kind(content[:16])
    problems = []
    if len(content) > rules.MAX_IMAGE_BYTES:
        problems.append(FieldError("file", f"at most {rules.MAX_IMAGE_BYTES // (1024 * 1024)} MB", "too_large"))
    if kind is None:
        problems.append(FieldError("file", "not a PNG, JPEG, GIF or WebP image", "not_an_image"))
    if problems or kind is None:
        raise Invalid("the image cannot be used", problems)
    name = f"{hashlib.sha256(content).hexdigest()}.{kind.extension}"
    await asyncio.to_thread(_store, _folder(ctx.tenant_id), name, content)
    before = {"image_file": product.image_file, "image_url": product.image_url}
    product.image_file, product.image_url = name, None
    await ctx.session.flush()
    diff = rules.changes(before, {"image_file": name, "image_url": None})
    identity.record_audit(ctx, "product.image_set", "product", product.id, diff)
    return (await read_many(ctx, [product]))[0]


async def remove_product_image(ctx: Ctx, product_id: int) -> ProductRead:
    ctx.require(CATALOG_WRITE.name)
    product = await load_product(ctx, product_id)
    if product.image_file or product.image_url:
        before = {"image_file": product.image_file, "image_url": product.image_url}
        product.image_file = product.image_url = None
        await ctx.session.flush()
        identity.record_audit(ctx, "product.image_removed", "product", product.id, before)
    return (await read_many(ctx, [product]))[0]


async def product_image(ctx: Ctx, product_id: int) -> ProductImage:
    """The product's image, to serve; NotFound when it has none."""
    ctx.require(CATALOG_READ.name)
    product = await load_product(ctx, product_id)
    if product.image_file and rules.STORED_IMAGE.match(product.image_file):
        path = _folder(ctx.tenant_id) / product.image_file
        if path.is_file():
            kind = rules.IMAGE_KINDS[product.image_file.rpartition(".")[2]]
            return ProductImage(path=path, media_type=kind.media_type)
    if product.image_url:
        return ProductImage(url=product.image_url)
    raise NotFound(f"product {product_id} has no image")
