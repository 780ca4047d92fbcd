"""The products spreadsheet (openpyxl): the import template, the export, and reading an upload."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from yima.catalog import repository as repo
from yima.catalog import rules
from yima.catalog.errors import ImportRejected
from yima.catalog.permissions import CATALOG_READ
from yima.catalog.schemas import ProductFilter, RowProblem, SpecFilter, SpecRead
from yima.catalog.service.products import read_many
from yima.catalog.service.specs import list_specs
from yima.platform.ctx import Ctx

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRODUCTS_SHEET = "商品 Products"
SPECS_SHEET = "包装规格 Specs"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F5FA8")
_REQUIRED_FILL = PatternFill("solid", fgColor="C8102E")
_TEXT = "@"  # Excel's text format: a GTIN typed there stays digits, not 6.9E+12
_NOTES = (
    ("SKU", "必填，每行唯一；已存在的 SKU 将被更新 · Required, unique; an existing SKU is updated"),
    ("名称 name", "必填 · Required"),
    ("GTIN", "8/12/13/14 位商品条码，校验位必须正确 · GTIN-8/12/13/14 with a valid check digit"),
    ("规格 specification", "如 500ml · 53%vol · 酱香型 · e.g. 500ml · 53%vol · sauce aroma"),
    ("分类 category", "如 高端酱酒 · e.g. premium"),
    ("包装规格 packaging spec", f"“{SPECS_SHEET}”表中的编码 · a code from the “{SPECS_SHEET}” sheet"),
)


def _safe(sheet: Any, value: object) -> object:
    """A value written as data: characters a workbook cannot hold are dropped, and text starting
    with "=" stays text (openpyxl would store it as a formula, which Excel then runs)."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def _row(sheet: Any, values: Sequence[object]) -> None:
    sheet.append([_safe(sheet, v) for v in values])


def _header_row(worksheet: Any, columns: Sequence[rules.SheetColumn]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    worksheet.freeze_panes = "A2"


def _to_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _specs_sheet(workbook: Workbook, specs: Sequence[SpecRead]) -> None:
    sheet = workbook.create_sheet(SPECS_SHEET)
    sheet.append(["编码 code", "名称 name", "每箱瓶数 bottles/case", "每托箱数 cases/pallet"])
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for spec in specs:
        _row(sheet, [spec.code, spec.name, spec.bottles_per_case, spec.cases_per_pallet])
    for letter, width in zip("ABCD", (18, 28, 22, 22), strict=True):
        sheet.column_dimensions[letter].width = width


async def products_template(ctx: Ctx) -> bytes:
    """An empty products sheet with the brand's active packaging specs offered in a drop-down."""
    ctx.require(CATALOG_READ.name)
    specs = (await list_specs(ctx, SpecFilter(active=True), 500, None))[:500]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = PRODUCTS_SHEET
    _header_row(sheet, rules.IMPORT_COLUMNS)
    for index, column in enumerate(rules.IMPORT_COLUMNS, start=1):
        if column.field in ("sku", "gtin"):
            sheet.column_dimensions[get_column_letter(index)].number_format = _TEXT
    if specs:
        spec_column = get_column_letter(len(rules.IMPORT_COLUMNS))
        choices = DataValidation(type="list", formula1=f"'{SPECS_SHEET}'!$A$2:$A${len(specs) + 1}", allow_blank=True)
        sheet.add_data_validation(choices)
        choices.add(f"{spec_column}2:{spec_column}{rules.MAX_IMPORT_ROWS + 1}")
    _specs_sheet(workbook, specs)
    notes = workbook.create_sheet("说明 Notes")
    notes.append(["列 column", "说明 notes"])
    for row in _NOTES:
        notes.append(list(row))
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 24, 90
    return _to_bytes(workbook)


async def export_products(ctx: Ctx, filters: ProductFilter) -> bytes:
    """Every product matching ``filters`` in the template's layout (it can be imported back)."""
    ctx.require(CATALOG_READ.name)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(PRODUCTS_SHEET)
    for index, column in enumerate(rules.EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in rules.EXPORT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill = _HEADER_FONT, _REQUIRED_FILL if column.required else _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    async for batch in repo.iter_products(ctx.session, filters):
        for product in await read_many(ctx, batch):
            values = product.model_dump() | {
                "packaging_spec_code": product.packaging_spec_code,
                "updated_at": ctx.local(product.updated_at).strftime("%Y-%m-%d %H:%M"),
            }
            _row(sheet, ["" if values.get(c.field) is None else values[c.field] for c in rules.EXPORT_COLUMNS])
    return _to_bytes(workbook)


def read_rows(content: bytes) -> tuple[list[object], Iterator[tuple[int, list[object]]]]:
    """The first sheet's header cells and its further rows as (row number, cells), from an .xlsx
    upload; a file that is not one is rejected."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportRejected(
            [RowProblem(row=0, column="", field="file", message="not an .xlsx workbook", code="not_xlsx")]
        ) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows, ()))

    def body() -> Iterator[tuple[int, list[object]]]:
        try:
            for number, cells in enumerate(rows, start=2):
                yield number, list(cells)
        finally:
            workbook.close()

    return header, body()
