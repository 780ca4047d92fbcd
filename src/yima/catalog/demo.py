"""The demo brand's catalog: a 酱香 baijiu maker's packaging specs and products (idempotent)."""

from __future__ import annotations

from yima.catalog import service
from yima.catalog.schemas import ProductCreate, SpecCreate
from yima.platform.ctx import Ctx

SPECS = [
    SpecCreate(code="JX-6x500", name="酱香 500ml 六瓶箱 · 40 箱/托", bottles_per_case=6, cases_per_pallet=40),
    # 光瓶酒: no outer cap code (cost), the consumer's inner code only.
    SpecCreate(
        code="GP-12x500",
        name="光瓶 500ml 十二瓶箱 · 50 箱/托",
        bottles_per_case=12,
        cases_per_pallet=50,
        bottle_faces=["inner"],
    ),
    SpecCreate(code="LH-2x500", name="礼盒 500ml×2 · 60 盒/托", bottles_per_case=2, cases_per_pallet=60),
]

BASE = "500ml · 53%vol · 酱香型"
# (sku, name, GTIN-13 under a fictional company prefix 6975123 in GS1 China's 690–699 range,
# specification, category, packaging spec)
PRODUCTS = [
    ("CSH-1985-500", "赤水河 · 1985 纪念酒 53%vol 500ml", "6975123001019", f"{BASE} · 坤沙", "高端酱酒", "JX-6x500"),
    ("CSH-JZ-500", "赤水河 · 金樽 53%vol 500ml", "6975123001026", BASE, "次高端酱酒", "JX-6x500"),
    ("CSH-YZ-500", "赤水河 · 银樽 53%vol 500ml", "6975123001033", BASE, "次高端酱酒", "JX-6x500"),
    ("CSH-N15-500", "赤水河 · 十五年陈酿 53%vol 500ml", "6975123001040", f"{BASE} · 15 年基酒", "年份酒", "JX-6x500"),
    ("CSH-JZLH-2x500", "赤水河 · 金樽礼盒 53%vol 500ml×2", "6975123002016", f"{BASE} · 两瓶礼盒", "礼盒", "LH-2x500"),
    ("CSH-GP-500", "赤水河 · 光瓶老酒 52%vol 500ml", "6975123003013", "500ml · 52%vol · 酱香型", "光瓶酒", "GP-12x500"),
    ("CSH-LJ-500", "赤水河 · 老酱 53%vol 500ml", "6975123001057", BASE, "次高端酱酒", "JX-6x500"),
]
DISCONTINUED = {"CSH-LJ-500"}


async def seed(ctx: Ctx) -> None:
    spec_ids: dict[str, int] = {}
    for spec in SPECS:
        found = await service.find_spec(ctx, spec.code)
        spec_ids[spec.code] = found.id if found else (await service.create_spec(ctx, spec)).id
    for sku, name, gtin, specification, category, spec_code in PRODUCTS:
        if await service.find_product(ctx, sku):
            continue
        data = ProductCreate(
            sku=sku,
            name=name,
            gtin=gtin,
            specification=specification,
            category=category,
            packaging_spec_id=spec_ids[spec_code],
        )
        product = await service.create_product(ctx, data)
        if sku in DISCONTINUED:
            await service.discontinue_product(ctx, product.id)
