"""Importing products from a spreadsheet: every row is checked first and every problem reported
by row and column; a file with any problem changes nothing. Otherwise products are created or
updated (by SKU) in the caller's one transaction."""

from __future__ import annotations

from typing import Literal

from yima.catalog import repository as repo
from yima.catalog import rules
from yima.catalog.errors import ImportRejected
from yima.catalog.models import PackagingSpec, Product
from yima.catalog.permissions import CATALOG_WRITE
from yima.catalog.schemas import ImportResult, ImportRow, RowProblem
from yima.catalog.service.products import forget_looked_up
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.sheets import Cells, Parsed, SheetReader

ImportMode = Literal["upsert", "create"]
READER = SheetReader(rules.IMPORT_COLUMNS, ImportRow, rules.MAX_IMPORT_ROWS, rules.MAX_IMPORT_BYTES)
_problem = READER.problem


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
    parsed, problems, fields = READER.read(content, "the sheet has no products")
    problems += READER.repeats(parsed, "sku", "gtin")
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
    forget_looked_up(ctx, [product.id for product in existing.values()])
    updated = {sku: diff for sku, diff in diffs.items() if diff}
    identity.record_audit(
        ctx, "product.imported", "product", "import", {"rows": len(parsed), "created": created, "updated": updated}
    )
    return ImportResult(
        rows=len(parsed), created=len(created), updated=len(updated), unchanged=len(diffs) - len(updated)
    )
