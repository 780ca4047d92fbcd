"""The demo brand's codes: suppliers, and bottle, case and pallet batches for 金樽 partly activated,
so the console has something to show and ``yima codes sample`` has codes to hand out."""

from __future__ import annotations

import datetime as dt

from yima.catalog import service as catalog
from yima.codes import service
from yima.codes.schemas import ActivationCreate, BatchCreate, BatchFilter, SerialRange, SupplierCreate
from yima.platform.ctx import Ctx

SUPPLIERS = [
    ("遵义瓶盖厂", "cap_factory", "张厂长 0851-2888 0000"),
    ("仁怀纸箱印刷厂", "carton_printer", "李经理 0851-2266 0000"),
    ("茅台镇灌装一线", "production_line", "王班长"),
]
# (level, quantity, supplier, how many to activate, lot)
BATCHES = [
    ("bottle", 12_000, "遵义瓶盖厂", 6_000, "L20261101"),
    ("case", 2_000, "仁怀纸箱印刷厂", 1_000, "L20261101"),
    ("pallet", 50, "茅台镇灌装一线", 25, "L20261101"),
]
PRODUCT_SKU = "CSH-JZ-500"


async def seed(ctx: Ctx) -> None:
    if await service.list_batches(ctx, BatchFilter(), 1, None):
        return  # seeded before: batches are not idempotent to create, so never twice
    suppliers = {s.name: s.id for s in await service.list_suppliers(ctx)}
    for name, kind, contact in SUPPLIERS:
        if name not in suppliers:
            created = await service.create_supplier(ctx, SupplierCreate(name=name, kind=kind, contact=contact))
            suppliers[name] = created.id
    product = await catalog.find_product(ctx, PRODUCT_SKU)
    if product is None:
        return
    for level, quantity, supplier, activate, lot in BATCHES:
        batch = await service.create_batch(
            ctx,
            BatchCreate(level=level, quantity=quantity, supplier_id=suppliers[supplier], note="演示批次"),
        )
        await service.activate(
            ctx,
            ActivationCreate(
                range=SerialRange(serial_from=batch.first_serial, serial_to=batch.first_serial + activate - 1),
                product_id=product.id,
                lot=lot,
                production_date=dt.date(2026, 11, 1),
                line="茅台镇灌装一线",
                source="line",
            ),
        )
