"""The products spreadsheet: the import template and the export (workbooks: platform.sheets)."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from yima.catalog import repository as repo
from yima.catalog import rules
from yima.catalog.permissions import CATALOG_READ
from yima.catalog.schemas import ProductFilter, SpecFilter, SpecRead
from yima.catalog.service.products import read_many
from yima.catalog.service.specs import list_specs
from yima.platform.ctx import Ctx
from yima.platform.sheets import (
    HEADER_FILL,
    HEADER_FONT,
    XLSX_MEDIA_TYPE,
    append_row,
    export_sheet,
    header_row,
    notes_sheet,
    to_bytes,
)

__all__ = ["XLSX_MEDIA_TYPE", "export_products", "products_template"]
PRODUCTS_SHEET = "商品 Products"
SPECS_SHEET = "包装规格 Specs"
_NOTES = (
    ("SKU", "必填，每行唯一；已存在的 SKU 将被更新 · Required, unique; an existing SKU is updated"),
    ("名称 name", "必填 · Required"),
    ("GTIN", "8/12/13/14 位商品条码，校验位必须正确 · GTIN-8/12/13/14 with a valid check digit"),
    ("规格 specification", "如 500ml · 53%vol · 酱香型 · e.g. 500ml · 53%vol · sauce aroma"),
    ("分类 category", "如 高端酱酒 · e.g. premium"),
    ("包装规格 packaging spec", f"“{SPECS_SHEET}”表中的编码 · a code from the “{SPECS_SHEET}” sheet"),
)


def _specs_sheet(workbook: Workbook, specs: Sequence[SpecRead]) -> None:
    sheet = workbook.create_sheet(SPECS_SHEET)
    sheet.append(["编码 code", "名称 name", "每箱瓶数 bottles/case", "每托箱数 cases/pallet"])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for spec in specs:
        append_row(sheet, [spec.code, spec.name, spec.bottles_per_case, spec.cases_per_pallet])
    for letter, width in zip("ABCD", (18, 28, 22, 22), strict=True):
        sheet.column_dimensions[letter].width = width


async def products_template(ctx: Ctx) -> bytes:
    """An empty products sheet with the brand's active packaging specs offered in a drop-down."""
    ctx.require(CATALOG_READ.name)
    specs = (await list_specs(ctx, SpecFilter(active=True), 500, None))[:500]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = PRODUCTS_SHEET
    header_row(sheet, rules.IMPORT_COLUMNS, text_fields=("sku", "gtin"))
    if specs:
        spec_column = get_column_letter(len(rules.IMPORT_COLUMNS))
        choices = DataValidation(type="list", formula1=f"'{SPECS_SHEET}'!$A$2:$A${len(specs) + 1}", allow_blank=True)
        sheet.add_data_validation(choices)
        choices.add(f"{spec_column}2:{spec_column}{rules.MAX_IMPORT_ROWS + 1}")
    _specs_sheet(workbook, specs)
    notes_sheet(workbook, _NOTES)
    return to_bytes(workbook)


async def export_products(ctx: Ctx, filters: ProductFilter) -> bytes:
    """Every product matching ``filters`` in the template's layout (it can be imported back)."""
    ctx.require(CATALOG_READ.name)
    workbook = Workbook(write_only=True)
    sheet = export_sheet(workbook, PRODUCTS_SHEET, rules.EXPORT_COLUMNS)
    async for batch in repo.iter_products(ctx.session, filters):
        for product in await read_many(ctx, batch):
            values = product.model_dump() | {
                "packaging_spec_code": product.packaging_spec_code,
                "updated_at": ctx.local(product.updated_at).strftime("%Y-%m-%d %H:%M"),
            }
            append_row(sheet, ["" if values.get(c.field) is None else values[c.field] for c in rules.EXPORT_COLUMNS])
    return to_bytes(workbook)
