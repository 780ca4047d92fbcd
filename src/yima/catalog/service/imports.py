"""Importing products from a spreadsheet: every row is checked first and every problem reported
by row and column; a file with any problem changes nothing. Otherwise products are created or
updated (by SKU) in the caller's one transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Literal, cast

from pydantic import TypeAdapter, ValidationError

from yima.catalog import repository as repo
from yima.catalog import rules
from yima.catalog.errors import ImportRejected
from yima.catalog.models import PackagingSpec, Product
from yima.catalog.permissions import CATALOG_WRITE
from yima.catalog.schemas import ImportResult, ImportRow, RowProblem
from yima.catalog.service import sheets
from yima.identity import service as identity
from yima.platform.ctx import Ctx

ImportMode = Literal["upsert", "create"]
HEADERS = {c.field: c.header for c in rules.IMPORT_COLUMNS}
# One validator per column (ImportRow's field types), so a row's good cells are known even when
# another cell of it is bad: every check runs on every row, and every problem is reported.
CELLS = {
    name: (
        TypeAdapter[Any](cast(Any, Annotated[(info.annotation, *info.metadata)])),
        info.is_required(),
        info.get_default(),
    )
    for name, info in ImportRow.model_fields.items()
}
Cells = dict[str, Any]
Parsed = list[tuple[int, Cells]]


def _problem(row: int, field: str, message: str, code: str, value: str = "") -> RowProblem:
    return RowProblem(row=row, column=HEADERS.get(field, field), field=field, message=message, code=code, value=value)


def _cells(number: int, values: dict[str, str], problems: list[RowProblem]) -> Cells:
    """The row's cells that are valid, by field; a problem for each that is not."""
    cells: Cells = {}
    for field, (adapter, required, default) in CELLS.items():
        text = values.get(field, "")
        if not text:
            if required:
                problems.append(_problem(number, field, "required", "missing"))
            else:
                cells[field] = default
            continue
        try:
            cells[field] = adapter.validate_python(text)
        except ValidationError as exc:
            problems += [_problem(number, field, e["msg"], e["type"], text) for e in exc.errors()]
    return cells


def _parse(
    header: Sequence[object], rows: Iterator[tuple[int, list[object]]]
) -> tuple[Parsed, list[RowProblem], set[str]]:
    """Every non-blank row's valid cells, the problems of the rest, and the fields the file has."""
    columns = rules.match_headers(header)
    problems = [
        _problem(1, c.field, "the column is missing", "missing_column")
        for c in rules.IMPORT_COLUMNS
        if c.required and c.field not in columns
    ]
    if problems:
        return [], problems, set(columns)
    parsed: Parsed = []
    for number, row in rows:
        values = {f: rules.cell_text(row[i]) if i < len(row) else "" for f, i in columns.items()}
        if not any(values.values()):
            continue  # blank line
        if len(parsed) == rules.MAX_IMPORT_ROWS:
            problems.append(_problem(number, "sku", f"at most {rules.MAX_IMPORT_ROWS} rows a file", "too_many_rows"))
            break
        parsed.append((number, _cells(number, values, problems)))
    if not parsed and not problems:
        problems.append(_problem(2, "sku", "the sheet has no products", "empty"))
    return parsed, problems, set(columns)


def _repeats(parsed: Parsed) -> list[RowProblem]:
    problems = []
    for field in ("sku", "gtin"):
        keys = [(n, cells[field]) for n, cells in parsed if cells.get(field)]
        values = dict(keys)
        for row, first in rules.first_occurrences(keys).items():
            problems.append(_problem(row, field, f"repeats row {first}", "duplicate_in_file", values[row]))
    return problems


def _against_brand(
    parsed: Parsed, mode: ImportMode, specs: dict[str, PackagingSpec], existing: dict[str, Product],
    holders: dict[str, Product],
) -> list[RowProblem]:  # fmt: skip
    """Unknown or inactive specs, SKUs that exist (``create`` mode), GTINs of other products."""
    problems = []
    in_file = {cells["sku"] for _, cells in parsed if cells.get("sku")}
    for number, cells in parsed:
        code, sku, gtin = cells.get("packaging_spec_code"), cells.get("sku"), cells.get("gtin")
        if code and code not in specs:
            problems.append(_problem(number, "packaging_spec_code", f"no packaging spec {code}", "unknown_spec", code))
        elif code and not specs[code].active:
            problems.append(_problem(number, "packaging_spec_code", f"{code} is not active", "spec_inactive", code))
        if mode == "create" and sku in existing:
            problems.append(_problem(number, "sku", "a product with this SKU exists", "taken", sku or ""))
        holder = holders.get(gtin) if gtin else None
        if holder is not None and holder.sku != sku and holder.sku not in in_file:
            problems.append(_problem(number, "gtin", f"already used by {holder.sku}", "taken", gtin or ""))
    return problems


def _values(cells: Cells, fields: set[str], specs: dict[str, PackagingSpec]) -> dict[str, object]:
    """What the row sets: the columns the file has (an empty cell clears an optional value)."""
    values: dict[str, object] = {f: cells[f] for f in ("name", "gtin", "specification", "category") if f in fields}
    if "packaging_spec_code" in fields:
        code = cells["packaging_spec_code"]
        values["packaging_spec_id"] = specs[code].id if code else None
    return values


async def import_products(ctx: Ctx, content: bytes, mode: ImportMode = "upsert") -> ImportResult:
    ctx.require(CATALOG_WRITE.name)
    if len(content) > rules.MAX_IMPORT_BYTES:
        limit = f"at most {rules.MAX_IMPORT_BYTES // (1024 * 1024)} MB"
        raise ImportRejected([RowProblem(row=0, column="", field="file", message=limit, code="too_large")])
    parsed, problems, fields = _parse(*sheets.read_rows(content))
    problems += _repeats(parsed)
    codes = [c["packaging_spec_code"] for _, c in parsed if c.get("packaging_spec_code")]
    specs = await repo.specs_by_codes(ctx.session, codes)
    existing = await repo.products_by_skus(ctx.session, [c["sku"] for _, c in parsed if c.get("sku")])
    holders = await repo.products_by_gtins(ctx.session, [c["gtin"] for _, c in parsed if c.get("gtin")])
    problems += _against_brand(parsed, mode, specs, existing, holders)
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row))

    # Every row is complete now. Work out the changes from the state before any write.
    planned = [(cells["sku"], _values(cells, fields, specs)) for _, cells in parsed]
    diffs = {
        sku: rules.changes({k: getattr(existing[sku], k) for k in values}, values)
        for sku, values in planned
        if sku in existing
    }
    # A GTIN may move from one product to another within the file: free the old ones first.
    moving = [existing[sku] for sku, diff in diffs.items() if "gtin" in diff and existing[sku].gtin]
    for product in moving:
        product.gtin = None
    if moving:
        await ctx.session.flush()
    created: list[str] = []
    for sku, values in planned:
        if sku in existing:
            for key, value in values.items():
                setattr(existing[sku], key, value)
        else:
            repo.add(ctx.session, Product(tenant_id=ctx.tenant_id, sku=sku, status="active", **values))
            created.append(sku)
    await ctx.session.flush()
    updated = {sku: diff for sku, diff in diffs.items() if diff}
    identity.record_audit(
        ctx, "product.imported", "product", "import", {"rows": len(parsed), "created": created, "updated": updated}
    )
    return ImportResult(
        rows=len(parsed), created=len(created), updated=len(updated), unchanged=len(diffs) - len(updated)
    )
