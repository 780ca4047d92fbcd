"""Factories for codes: suppliers, batches (with their print files built), activations."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from typing import Any

from tests.catalog.factories import create_product, create_spec
from tests.identity.factories import system
from yima.codes import repository
from yima.codes import service as codes
from yima.codes.schemas import (
    ActivationCreate,
    BatchCreate,
    BatchCreated,
    BlockCreate,
    LegacyImportCreate,
    LegacyImportRead,
    PackOperation,
    PackRequest,
    SerialRange,
    SupplierCreate,
)
from yima.codes.tokens import Face
from yima.identity import service as identity
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner

_seq = itertools.count(1)


async def create_supplier(db: Database, slug: str, kind: str = "cap_factory", name: str | None = None) -> int:
    async with system(db, slug) as ctx:
        data = SupplierCreate(name=name or f"供应商 {next(_seq)}", kind=kind)  # type: ignore[arg-type]
        supplier = await codes.create_supplier(ctx, data)
    return supplier.id


async def create_batch(
    db: Database, slug: str, level: str = "bottle", quantity: int = 100, **extra: Any
) -> BatchCreated:
    """A batch whose print file has been built (the job drained inline)."""
    supplier_id = extra.pop("supplier_id", None) or await create_supplier(db, slug)
    async with system(db, slug) as ctx:
        batch = await codes.create_batch(
            ctx,
            BatchCreate(level=level, quantity=quantity, supplier_id=supplier_id, **extra),  # type: ignore[arg-type]
        )
    await Runner(db, identity.tenant_info).drain()
    return batch


async def activate(db: Database, slug: str, first: int, last: int, product_id: int, lot: str = "L1") -> None:
    async with system(db, slug) as ctx:
        await codes.activate(
            ctx,
            ActivationCreate(range=SerialRange(serial_from=first, serial_to=last), product_id=product_id, lot=lot),
        )


async def activated_batch(
    db: Database, slug: str, level: str = "bottle", quantity: int = 20
) -> tuple[BatchCreated, int]:
    """A batch wholly activated for a new product; returns (batch, product_id)."""
    product = await create_product(db, slug)
    batch = await create_batch(db, slug, level, quantity)
    await activate(db, slug, batch.first_serial, batch.last_serial, product.id)
    return batch, product.id


@dataclass(frozen=True)
class Goods:
    """Bottles, cases and a pallet of one product, activated (not packed yet)."""

    product_id: int
    bottles: BatchCreated
    cases: BatchCreated
    pallets: BatchCreated


async def activated_goods(db: Database, slug: str, per_case: int = 6, cases: int = 2) -> Goods:
    """``cases`` cases of ``per_case`` bottles and one pallet for them, activated for a product
    whose packaging says so."""
    spec = await create_spec(db, slug, bottles_per_case=per_case, cases_per_pallet=cases)
    product = await create_product(db, slug, packaging_spec_id=spec.id)
    supplier = await create_supplier(db, slug)
    batches = [
        await create_batch(db, slug, level, n, supplier_id=supplier)
        for level, n in [("bottle", per_case * cases), ("case", cases), ("pallet", 1)]
    ]
    for batch in batches:
        await activate(db, slug, batch.first_serial, batch.last_serial, product.id)
    return Goods(product.id, *batches)


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    supplier_id = await create_supplier(db, slug, name=f"{marker} 瓶盖厂")
    product = await create_product(db, slug)
    batch = await create_batch(db, slug, "bottle", 5, supplier_id=supplier_id, note=f"{marker} 批次")
    await activate(db, slug, batch.first_serial, batch.last_serial, product.id, lot=f"{marker}-lot")
    ids = {"batch_id": batch.id, "export_id": batch.export.id, "supplier_id": supplier_id}
    ids |= await _packed_case(db, slug, batch, product.id)
    async with system(db, slug) as ctx:  # its last bottle blacklisted: a block to list and lift
        last = SerialRange(serial_from=batch.last_serial, serial_to=batch.last_serial)
        listed = BlockCreate(range=last, kind="blacklist", reason="stolen", note=f"{marker} 拉黑")
        [blocked] = await codes.block(ctx, listed)
    ids["block_id"] = blocked.id
    imported = await legacy_import(db, slug, f"code\n{marker}-OLD-1\n".encode(), f"{marker}-legacy.csv", supplier_id)
    ids["import_id"] = imported.id
    return ids, [f"{marker} 瓶盖厂", f"{marker} 批次", f"{marker}-lot", f"{marker}-legacy", f"{marker}-OLD",
                 f"{marker} 拉黑"]  # fmt: skip


async def _packed_case(db: Database, slug: str, bottles: BatchCreated, product_id: int) -> dict[str, int]:
    """A case holding two of the bottles. Serials are per brand, so first skip as many serials
    as the brand's id: the case's serial is then one that brands seeded next to it (the
    isolation harness's intruder) have no batch for, and their call answers 404."""
    async with system(db, slug) as ctx:
        await repository.allocate_serials(ctx.session, ctx.tenant_id)
        brand = await codes.codec(ctx)
    case = await create_batch(db, slug, "case", 1, supplier_id=bottles.supplier_id)
    await activate(db, slug, case.first_serial, case.last_serial, product_id)
    children = [brand.encode(s, Face.OUTER) for s in (bottles.first_serial, bottles.first_serial + 1)]
    async with system(db, slug) as ctx:
        parent = brand.encode(case.first_serial, Face.OUTER)
        await codes.pack(ctx, PackRequest(operations=[PackOperation(parent=parent, children=children)]))
    return {"serial": case.first_serial}


async def legacy_import(
    db: Database, slug: str, content: bytes, name: str, supplier_id: int, level: str = "bottle", face: str = "inner"
) -> LegacyImportRead:
    """Upload ``content`` as a legacy import and run its job inline; returns its final state."""
    data = LegacyImportCreate(level=level, supplier_id=supplier_id, face=face)
    async with system(db, slug) as ctx:
        started = await codes.start_legacy_import(ctx, data, name, io.BytesIO(content))
    await Runner(db, identity.tenant_info).drain()
    async with system(db, slug) as ctx:
        return await codes.get_legacy_import(ctx, started.id)
