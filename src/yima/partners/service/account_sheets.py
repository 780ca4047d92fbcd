"""Channel accounts (渠道账号) in Excel: roles by phone, kind and what they are tied to (a dealer's
or store's code, an area guide's region). Every row is checked first and every problem reported by
row and column; a file with any problem grants nothing. A row whose role exists updates its name
only (its status stays: a disabled account is not enabled by importing an export back)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from yima.identity import service as identity
from yima.members import service as members
from yima.partners import repository as repo
from yima.partners import rules
from yima.partners.errors import ImportRejected
from yima.partners.models import ChannelRole
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import ChannelRoleFilter, ImportMode, ImportResult
from yima.partners.service import places
from yima.partners.service.accounts import read_roles
from yima.partners.service.imports import resolve_regions
from yima.partners.service.rows import AccountRow
from yima.partners.service.sheets import export_rows
from yima.platform.ctx import Ctx
from yima.platform.errors import Invalid
from yima.platform.sheets import Cells, SheetReader

READER = SheetReader(rules.ACCOUNT_COLUMNS, AccountRow, rules.MAX_IMPORT_ROWS, rules.MAX_IMPORT_BYTES)
Wanted = tuple[int, Cells, int | None, int | None, str | None]  # row, cells, dealer, store, region


async def _check(ctx: Ctx, content: bytes, mode: ImportMode) -> list[Wanted]:
    """Each row with the ids it ties its role to; ImportRejected listing every problem. A
    regional manager's sheet names partners and areas in their regions only (others are unknown)."""
    parsed, problems, _ = READER.read(content, "the sheet has no channel accounts")
    regions = places.scope(ctx)
    named = {column: [c[column] for _, c in parsed if c.get(column)] for column in ("dealer_code", "store_code")}
    dealers = await repo.dealers_by_codes(ctx.session, named["dealer_code"], regions)
    stores = await repo.stores_by_codes(ctx.session, named["store_code"], regions)
    resolved = await resolve_regions(ctx, {c["region"] for _, c in parsed if c.get("region")})
    wanted: list[Wanted] = []
    seen: dict[tuple[object, ...], int] = {}
    for number, cells in parsed:
        found = len(problems)
        kind, phone = cells.get("kind"), cells.get("phone") or ""
        given = [column for column in rules.TIE_COLUMNS.values() if cells.get(column)]
        tie = rules.tie_problem(kind, given, rules.TIE_COLUMNS) if kind else None
        if tie:
            problems.append(READER.problem(number, tie[0], tie[1], "wrong_partner", str(cells.get(tie[0]) or "")))
        dealer, store = dealers.get(cells.get("dealer_code") or ""), stores.get(cells.get("store_code") or "")
        for column, partner, code in (
            ("dealer_code", dealer, "unknown_dealer"),
            ("store_code", store, "unknown_store"),
        ):
            if cells.get(column) and partner is None:
                problems.append(
                    READER.problem(number, column, f"no {column[:-5]} {cells[column]}", code, cells[column])
                )
        region = resolved[cells["region"]] if cells.get("region") else (None, "", "")
        if cells.get("region") and region[0] is None:
            problems.append(READER.problem(number, "region", region[2], region[1], cells["region"]))
        elif region[0] and not await places.is_district(ctx, region[0]):
            why = "an area guide group is a district; give one of its districts"
            problems.append(READER.problem(number, "region", why, "not_a_district", cells["region"]))
        elif region[0] and not places.in_scope(ctx, region[0]):
            why = f"{region[0]} is outside your regions"
            problems.append(READER.problem(number, "region", why, "outside_your_regions", cells["region"]))
        try:
            person = await members.person_by_phone(ctx, phone) if phone else None
        except Invalid:
            problems.append(READER.problem(number, "phone", "not a mobile number", "invalid_phone", phone))
            continue
        ids = (dealer.id if dealer else None, store.id if store else None, region[0])
        key = (re.sub(r"\D", "", phone)[-11:], kind, *ids)
        if key in seen:
            problems.append(READER.problem(number, "phone", f"repeats row {seen[key]}", "duplicate_in_file", phone))
        seen.setdefault(key, number)
        if mode == "create" and person and kind and await repo.find_role(ctx.session, person.id, kind, *ids):
            problems.append(READER.problem(number, "phone", "this phone holds this role already", "taken", phone))
        if len(problems) == found:
            wanted.append((number, cells, *ids))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row))
    return wanted


async def import_accounts(ctx: Ctx, content: bytes, mode: ImportMode = "upsert") -> ImportResult:
    """Grant the sheet's roles (active at once, as staff vouch for the phones, like ``grant_role``)."""
    ctx.require(PARTNERS_WRITE.name)
    wanted = await _check(ctx, content, mode)
    created: list[int] = []
    renamed: dict[int, list[object]] = {}
    for _, cells, dealer_id, store_id, region_code in wanted:
        person = await members.phone_person(ctx, cells["phone"])
        role = await repo.find_role(ctx.session, person.id, cells["kind"], dealer_id, store_id, region_code)
        if role is None:
            role = ChannelRole(
                tenant_id=ctx.tenant_id, person_id=person.id, kind=cells["kind"], name=cells["name"], status="active",
                dealer_id=dealer_id, store_id=store_id, region_code=region_code,
            )  # fmt: skip
            repo.add(ctx.session, role)
            await ctx.session.flush()
            created.append(role.id)
        elif role.name != cells["name"]:
            renamed[role.id] = [role.name, cells["name"]]
            role.name = cells["name"]
    await ctx.session.flush()
    identity.record_audit(
        ctx, "channel_role.imported", "channel_role", "import", {"rows": len(wanted), "created": created,
                                                                 "renamed": renamed},
    )  # fmt: skip
    return ImportResult(rows=len(wanted), created=len(created), updated=len(renamed),
                        unchanged=len(wanted) - len(created) - len(renamed))  # fmt: skip


async def export_accounts(ctx: Ctx, filters: ChannelRoleFilter) -> bytes:
    """Every role the filter picks, in the import's layout (kinds and statuses by 中文 name)."""
    ctx.require(PARTNERS_READ.name)

    async def batches() -> AsyncIterator[list[dict[str, Any]]]:
        async for batch in repo.iter_roles(ctx.session, filters, places.scope(ctx)):
            dealers = await repo.dealers_by_ids(ctx.session, [r.dealer_id for r in batch if r.dealer_id])
            stores = await repo.stores_by_ids(ctx.session, [r.store_id for r in batch if r.store_id])
            yield [
                r.model_dump()
                | {
                    "kind": r.kind_name,
                    "dealer_code": dealers[r.dealer_id].code if r.dealer_id else None,
                    "store_code": stores[r.store_id].code if r.store_id else None,
                    "region": r.region_code,
                    "status": rules.ROLE_STATUS_NAMES[r.status],
                    "updated_at": ctx.local(r.updated_at).strftime("%Y-%m-%d %H:%M"),
                }
                for r in await read_roles(ctx, batch, full_phone=True)
            ]

    return await export_rows(ctx, "accounts", batches())
