"""Excel import and export that every context shares (openpyxl; Chinese operations live in Excel).

An import reads the first sheet, matches its header cells to the context's ``SheetColumn``s (in
Chinese, English or both, case and spacing ignored), validates every cell of every row with the
types of the context's row schema, and collects every problem by row and column
(``RowProblem``); a file with any problem is refused whole (``ImportRejected``). The context
then checks the rows against its data and writes them. Exports write cells as data: never as
formulas, without characters a workbook cannot hold.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, cast

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from yima.platform.errors import FieldError, Invalid

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F5FA8")
REQUIRED_FILL = PatternFill("solid", fgColor="C8102E")
TEXT_FORMAT = "@"  # Excel's text format: digits typed there stay digits, not 6.9E+12


@dataclass(frozen=True)
class SheetColumn:
    field: str
    header: str  # Chinese and English, as the template writes it
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 18


class RowProblem(BaseModel):
    row: int = Field(description="Row number in the sheet (the header is row 1)")
    column: str = Field(description="The column's header as the template writes it")
    field: str
    message: str
    code: str
    value: str = ""


class ImportRejected(Invalid):
    """A spreadsheet with problems: nothing was imported. ``problems`` lists every one by row and
    column; ``details`` carries them too (field ``rows.<row>.<field>``) for the API's error shape."""

    code = "import_rejected"

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in the file; nothing was imported",
            [
                FieldError(
                    f"rows.{p.row}.{p.field}" if p.row else p.field,
                    f"row {p.row}, {p.column}: {p.message}" if p.row else p.message,
                    p.code,
                )
                for p in self.problems
            ],
        )


def file_problem(message: str, code: str) -> ImportRejected:
    """The whole file refused (too large, not a workbook)."""
    return ImportRejected([RowProblem(row=0, column="", field="file", message=message, code=code)])


# Pure rules: headers, cells, repeats -----------------------------------------------------------


def header_key(text: str) -> str:
    return re.sub(r"[\s()（）/·_\-:：.]+", "", text).lower()


def match_headers(headers: Sequence[object], columns: Sequence[SheetColumn]) -> dict[str, int]:
    """{field: column index} for the header cells that name one of ``columns`` (in Chinese,
    English or both, case and spacing ignored); other columns are ignored."""
    lookup = {
        header_key(name): column.field for column in columns for name in (column.header, column.field, *column.aliases)
    }
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = lookup.get(header_key(str(header))) if header is not None else None
        if field is not None and field not in found:
            found[field] = index
    return found


def cell_text(value: object) -> str:
    """A cell as the text a person typed: numbers without a trailing ``.0`` (a GTIN typed into a
    number cell), dates as ISO, everything trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def first_occurrences(keys: Iterable[tuple[int, Hashable]]) -> dict[int, int]:
    """For (row, key) pairs: {row: the earlier row with the same key} for every repeat."""
    seen: dict[Hashable, int] = {}
    repeats: dict[int, int] = {}
    for row, key in keys:
        if key in seen:
            repeats[row] = seen[key]
        else:
            seen[key] = row
    return repeats


# Reading an upload -------------------------------------------------------------------------------

Cells = dict[str, Any]
Parsed = list[tuple[int, Cells]]


def read_rows(content: bytes) -> tuple[list[object], Iterator[tuple[int, list[object]]]]:
    """The first sheet's header cells and its further rows as (row number, cells), from an .xlsx
    upload; a file that is not one is rejected."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise file_problem("not an .xlsx workbook", "not_xlsx") from exc
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


class SheetReader:
    """Reads an upload into validated cells, given the columns and the row schema (one pydantic
    model whose fields are the columns' fields). Each cell is validated on its own with its
    field's type, so a row's good cells are known even when another cell of it is bad: every
    check runs on every row, and every problem is reported."""

    def __init__(self, columns: Sequence[SheetColumn], row_model: type[BaseModel], max_rows: int, max_bytes: int):
        self.columns = columns
        self.headers = {c.field: c.header for c in columns}
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.key = next(c.field for c in columns if c.required)
        self.cells = {
            name: (
                TypeAdapter[Any](
                    cast(Any, Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation)
                ),
                info.is_required(),
                info.get_default(),
            )
            for name, info in row_model.model_fields.items()
        }

    def problem(self, row: int, field: str, message: str, code: str, value: str = "") -> RowProblem:
        return RowProblem(
            row=row, column=self.headers.get(field, field), field=field, message=message, code=code, value=value
        )

    def _cells(self, number: int, values: dict[str, str], problems: list[RowProblem]) -> Cells:
        """The row's cells that are valid, by field; a problem for each that is not."""
        cells: Cells = {}
        for field, (adapter, required, default) in self.cells.items():
            text = values.get(field, "")
            if not text:
                if required:
                    problems.append(self.problem(number, field, "required", "missing"))
                else:
                    cells[field] = default
                continue
            try:
                cells[field] = adapter.validate_python(text)
            except ValidationError as exc:
                problems += [self.problem(number, field, e["msg"], e["type"], text) for e in exc.errors()]
        return cells

    def read(self, content: bytes, empty: str) -> tuple[Parsed, list[RowProblem], set[str]]:
        """Every non-blank row's valid cells, the problems of the rest, and the fields the file
        has. ``empty`` says what a sheet without rows lacks ("the sheet has no products")."""
        if len(content) > self.max_bytes:
            raise file_problem(f"at most {self.max_bytes // (1024 * 1024)} MB", "too_large")
        header, rows = read_rows(content)
        columns = match_headers(header, self.columns)
        problems = [
            self.problem(1, c.field, "the column is missing", "missing_column")
            for c in self.columns
            if c.required and c.field not in columns
        ]
        if problems:
            return [], problems, set(columns)
        parsed: Parsed = []
        for number, row in rows:
            values = {f: cell_text(row[i]) if i < len(row) else "" for f, i in columns.items()}
            if not any(values.values()):
                continue  # blank line
            if len(parsed) == self.max_rows:
                problems.append(self.problem(number, self.key, f"at most {self.max_rows} rows a file", "too_many_rows"))
                break
            parsed.append((number, self._cells(number, values, problems)))
        if not parsed and not problems:
            problems.append(self.problem(2, self.key, empty, "empty"))
        return parsed, problems, set(columns)

    def repeats(self, parsed: Parsed, *fields: str) -> list[RowProblem]:
        """A problem for every row repeating an earlier row's value of one of ``fields``."""
        problems = []
        for field in fields:
            keys = [(n, cells[field]) for n, cells in parsed if cells.get(field)]
            values = dict(keys)
            for row, first in first_occurrences(keys).items():
                problems.append(self.problem(row, field, f"repeats row {first}", "duplicate_in_file", str(values[row])))
        return problems


# Writing workbooks -------------------------------------------------------------------------------


def safe_value(sheet: Any, value: object) -> object:
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


def append_row(sheet: Any, values: Sequence[object]) -> None:
    sheet.append([safe_value(sheet, v) for v in values])


def header_row(worksheet: Any, columns: Sequence[SheetColumn], *, text_fields: Iterable[str] = ()) -> None:
    """The styled header of a template sheet (required columns in red); ``text_fields`` get
    Excel's text format so codes typed there keep their digits."""
    texts = set(text_fields)
    for index, column in enumerate(columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = column.width
        if column.field in texts:
            worksheet.column_dimensions[letter].number_format = TEXT_FORMAT
    worksheet.freeze_panes = "A2"


def export_sheet(workbook: Workbook, title: str, columns: Sequence[SheetColumn]) -> Any:
    """A write-only sheet of ``workbook`` (``Workbook(write_only=True)``) with a styled header."""
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill = HEADER_FONT, REQUIRED_FILL if column.required else HEADER_FILL
        header.append(cell)
    sheet.append(header)
    return sheet


def notes_sheet(workbook: Workbook, notes: Sequence[tuple[str, str]]) -> None:
    """A sheet explaining each column."""
    sheet = workbook.create_sheet("说明 Notes")
    sheet.append(["列 column", "说明 notes"])
    for row in notes:
        sheet.append(list(row))
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 24, 90


def to_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
