"""Importing dealers, stores and warehouses from spreadsheets: every row is checked first and
every problem reported by row and column; a file with any problem changes nothing. Otherwise
rows are created or updated (by code) in the caller's one transaction.

Region cells (``region``, a dealer's ``territory``) name regions by GB/T 2260 code or by name
("成都市", "四川省成都市", "重庆"); a name several regions share ("朝阳区") must be written with
its province or city, or as a code.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel

from yima.geo import service as geo
from yima.identity import service as identity
from yima.members import service as members
from yima.partners import repository as repo
from yima.partners import rules
from yima.partners.errors import ImportRejected
from yima.partners.models import Dealer, Store, Warehouse
from yima.partners.permissions import PARTNERS_WRITE
from yima.partners.schemas import ImportMode, ImportResult
from yima.partners.service import places
from yima.partners.service.dealers import replace_territory
from yima.partners.service.rows import DealerRow, StoreRow, WarehouseRow
from yima.platform.ctx import Ctx
from yima.platform.errors import Invalid
from yima.platform.sheets import Cells, Parsed, RowProblem, SheetReader

ROW_MODELS: Mapping[rules.SheetKind, type[BaseModel]] = {
    "dealers": DealerRow,
    "stores": StoreRow,
    "warehouses": WarehouseRow,
}
READERS = {
    kind: SheetReader(rules.IMPORT_COLUMNS[kind], row, rules.MAX_IMPORT_ROWS, rules.MAX_IMPORT_BYTES)
    for kind, row in ROW_MODELS.items()
}
EMPTY = {
    "dealers": "the sheet has no dealers",
    "stores": "the sheet has no stores",
    "warehouses": "the sheet has no warehouses",
}
# What each kind's row sets, by model field, when the file has the column.
VALUE_FIELDS: Mapping[rules.SheetKind, tuple[str, ...]] = {
    "dealers": ("name", "contact_name", "phone", "address"),
    "stores": ("name", "owner_name", "owner_phone", "address", "lat", "lon", "category", "grade", "tags"),
    "warehouses": ("name", "kind", "address", "lat", "lon"),
}
Resolved = dict[str, tuple[str | None, str, str]]  # text → (code, problem code, problem message)


async def resolve_regions(ctx: Ctx, texts: set[str]) -> Resolved:
    """Each region text as a code, or why it is none."""
    codes = {t for t in texts if re.fullmatch(r"\d{6}", t)}
    known = await geo.regions_by_codes(ctx, codes)
    resolved: Resolved = {}
    for text in sorted(texts):
        if text in codes:
            resolved[text] = (
                (text, "", "") if text in known else (None, "unknown_region", f"no GB/T 2260 region {text}")
            )
            continue
        parsed = await geo.parse_address(ctx, text)
        if parsed.code and parsed.confidence >= rules.CONFIDENT and not parsed.detail:
            resolved[text] = (parsed.code, "", "")
        elif parsed.code and not parsed.detail:
            resolved[text] = (
                None,
                "ambiguous_region",
                f"several regions are called {text}; add the province or city, or write the code",
            )
        else:
            resolved[text] = (None, "unknown_region", f"no region called {text}")
    return resolved


def _region_problems(reader: SheetReader, parsed: Parsed, field: str, resolved: Resolved) -> list[RowProblem]:
    problems = []
    for number, cells in parsed:
        texts = rules.split_cell(cells.get(field) or "") if field == "territory" else [cells.get(field) or ""]
        for text in filter(None, texts):
            code, problem, message = resolved[text]
            if code is None:
                problems.append(reader.problem(number, field, message, problem, text))
    return problems


async def _check(
    ctx: Ctx, kind: rules.SheetKind, content: bytes, mode: ImportMode
) -> tuple[Parsed, set[str], dict[str, Any], Resolved]:
    """The file's rows, the fields it has, the existing objects by code and the region texts
    resolved; ImportRejected with every problem found, when there is one."""
    reader = READERS[kind]
    parsed, problems, fields = reader.read(content, EMPTY[kind])
    problems += reader.repeats(parsed, "code")
    texts = {c["region"] for _, c in parsed if c.get("region")}
    texts |= {t for _, c in parsed for t in rules.split_cell(c.get("territory") or "")}
    resolved = await resolve_regions(ctx, texts)
    problems += _region_problems(reader, parsed, "region", resolved)
    if kind == "dealers":
        problems += _region_problems(reader, parsed, "territory", resolved)
        problems += _territory_sizes(reader, parsed)
    finders: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {
        "dealers": repo.dealers_by_codes, "stores": repo.stores_by_codes, "warehouses": repo.warehouses_by_codes,
    }  # fmt: skip
    existing = await finders[kind](ctx.session, [c["code"] for _, c in parsed if c.get("code")])
    for number, cells in parsed:
        if mode == "create" and cells.get("code") in existing:
            problems.append(reader.problem(number, "code", "this code exists", "taken", cells["code"]))
        if "lat" in cells and "lon" in cells and (cells["lat"] is None) != (cells["lon"] is None):
            missing = "lon" if cells.get("lon") is None else "lat"
            problems.append(
                reader.problem(number, missing, "give both latitude and longitude, or neither", "point_incomplete")
            )
    if kind == "stores":
        problems += await _dealer_problems(ctx, reader, parsed)
        problems += await _find_salesmen(ctx, reader, parsed, fields, existing)
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row))
    return parsed, fields, existing, resolved


def _territory_sizes(reader: SheetReader, parsed: Parsed) -> list[RowProblem]:
    return [
        reader.problem(n, "territory", f"at most {rules.MAX_TERRITORY} regions", "too_many_regions")
        for n, c in parsed
        if len(rules.split_cell(c.get("territory") or "")) > rules.MAX_TERRITORY
    ]


async def _dealer_problems(ctx: Ctx, reader: SheetReader, parsed: Parsed) -> list[RowProblem]:
    dealers = await repo.dealers_by_codes(ctx.session, [c["dealer_code"] for _, c in parsed if c.get("dealer_code")])
    problems = []
    for number, cells in parsed:
        code = cells.get("dealer_code")
        if code and code not in dealers:
            problems.append(reader.problem(number, "dealer_code", f"no dealer {code}", "unknown_dealer", code))
        elif code and not dealers[code].active:
            problems.append(
                reader.problem(number, "dealer_code", f"dealer {code} is not active", "dealer_inactive", code)
            )
    return problems


async def _find_salesmen(
    ctx: Ctx, reader: SheetReader, parsed: Parsed, fields: set[str], existing: dict[str, Any]
) -> list[RowProblem]:
    """Put in each row's cells the salesman role its 业务员手机 names: the phone's active salesman
    role of the store's dealer (the row's, else the store's current one), else of the brand."""
    dealers = await repo.dealers_by_codes(ctx.session, [c["dealer_code"] for _, c in parsed if c.get("dealer_code")])
    kept = await repo.roles_by_ids(ctx.session, [s.salesman_id for s in existing.values() if s.salesman_id])
    problems = []
    for number, cells in parsed:
        phone = cells.get("salesman_phone")
        store = existing.get(cells.get("code") or "")
        dealer = dealers.get(cells.get("dealer_code") or "")
        dealer_id = (dealer.id if dealer else None) if "dealer_code" in fields else (store.dealer_id if store else None)
        if not phone:
            salesman = kept.get(store.salesman_id or 0) if store and "salesman_phone" not in fields else None
            if salesman is not None and not rules.may_look_after(salesman.dealer_id, dealer_id):
                why = "the store's salesman works for its old dealer; give the new one's in 业务员手机"
                problems.append(
                    reader.problem(number, "dealer_code", why, "other_dealer", cells.get("dealer_code") or "")
                )
            continue
        try:
            person = await members.person_by_phone(ctx, phone)
        except Invalid:
            problems.append(reader.problem(number, "salesman_phone", "not a mobile number", "invalid_phone", phone))
            continue
        roles = await repo.roles_of(ctx.session, person.id, "active") if person else []
        fits = [r for r in roles if r.kind == "salesman" and rules.may_look_after(r.dealer_id, dealer_id)]
        if not fits:
            why = "no active salesman of the store's dealer or of the brand has this phone"
            problems.append(reader.problem(number, "salesman_phone", why, "unknown_salesman", phone))
            continue
        cells["salesman_id"] = max(fits, key=lambda r: r.dealer_id is not None).id  # the dealer's own first
    return problems


async def _values(
    ctx: Ctx, kind: rules.SheetKind, cells: Cells, fields: set[str], existing: Any, resolved: Resolved
) -> dict[str, Any]:
    """What the row sets: the columns the file has (an empty cell clears an optional value; an
    empty or missing region is worked out from the address or point)."""
    values = {f: cells[f] for f in VALUE_FIELDS[kind] if f in fields}
    if "region" in fields:
        values["region_code"] = resolved[cells["region"]][0] if cells.get("region") else None
    if existing is None:
        values["region_code"] = await places.region_of(
            ctx, values.get("region_code"), values.get("address", ""), values.get("lat"), values.get("lon")
        )
        return values
    current = {f: getattr(existing, f) for f in (*VALUE_FIELDS[kind], "region_code")}
    values["region_code"] = await places.updated_region(ctx, current, values)
    return values


async def _import(ctx: Ctx, kind: rules.SheetKind, content: bytes, mode: ImportMode) -> ImportResult:
    ctx.require(PARTNERS_WRITE.name)
    parsed, fields, existing, resolved = await _check(ctx, kind, content, mode)
    dealers = {}
    if kind == "stores" and "dealer_code" in fields:
        dealers = await repo.dealers_by_codes(
            ctx.session, [c["dealer_code"] for _, c in parsed if c.get("dealer_code")]
        )
    model: type[Any] = {"dealers": Dealer, "stores": Store, "warehouses": Warehouse}[kind]
    created: list[str] = []
    updated: dict[str, dict[str, list[object]]] = {}
    rows: list[tuple[Cells, Any]] = []
    for _, cells in parsed:
        row = existing.get(cells["code"])
        values = await _values(ctx, kind, cells, fields, row, resolved)
        if "dealer_code" in fields:
            values["dealer_id"] = dealers[cells["dealer_code"]].id if cells.get("dealer_code") else None
        if "salesman_phone" in fields:
            values["salesman_id"] = cells.get("salesman_id")
        if row is None:
            row = model(tenant_id=ctx.tenant_id, code=cells["code"], active=True, **values)
            repo.add(ctx.session, row)
            created.append(cells["code"])
        else:
            diff = rules.changes({k: getattr(row, k) for k in values}, values)
            for key, (_, new) in diff.items():
                setattr(row, key, new)
            if diff:
                updated[row.code] = diff
        rows.append((cells, row))
    await ctx.session.flush()
    if kind == "dealers" and "territory" in fields:
        for cells, dealer in rows:
            codes = [resolved[t][0] or "" for t in rules.split_cell(cells.get("territory") or "")]
            change = await replace_territory(ctx, dealer, codes, "territory")
            if change["added"] or change["removed"]:
                updated.setdefault(dealer.code, {})["territory"] = [change["removed"], change["added"]]
    for code in created:
        updated.pop(code, None)
    identity.record_audit(
        ctx, f"{kind[:-1]}.imported", kind[:-1], "import", {"rows": len(parsed), "created": created, "updated": updated}
    )
    existing_count = len(parsed) - len(created)
    return ImportResult(
        rows=len(parsed), created=len(created), updated=len(updated), unchanged=existing_count - len(updated)
    )


async def import_dealers(ctx: Ctx, content: bytes, mode: ImportMode = "upsert") -> ImportResult:
    """Dealers by code, with their territories (the column replaces a dealer's territory)."""
    return await _import(ctx, "dealers", content, mode)


async def import_stores(ctx: Ctx, content: bytes, mode: ImportMode = "upsert") -> ImportResult:
    """Stores by code, put with their dealers by dealer code."""
    return await _import(ctx, "stores", content, mode)


async def import_warehouses(ctx: Ctx, content: bytes, mode: ImportMode = "upsert") -> ImportResult:
    return await _import(ctx, "warehouses", content, mode)
