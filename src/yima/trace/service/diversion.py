"""窜货 (diversion): goods found — scanned by a consumer, signed for by a store — outside the
territory of the dealer they were shipped to.

The dealer is the unit's current holder's (custody.holder_of: the latest logistics event of the
unit or of the case/pallet it sits in). A finding is recorded once per (unit, source, reference),
flags the goods (``is_diverted``: rebates withhold theirs) and publishes ``DiversionFound``, on
which the regional managers are alerted (handlers.py: an audit entry and a log line for now).
The distance is from the found point (or its region's centroid) to the nearest centroid of the
regions making up the territory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from yima.catalog import service as catalog
from yima.codes import service as codes
from yima.geo import service as geo
from yima.identity import service as identity
from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.platform.errors import FieldError, Invalid, NotFound
from yima.platform.outbox import service as outbox
from yima.platform.sheets import SheetColumn, append_row, export_sheet, to_bytes
from yima.trace import repository as repo
from yima.trace import rules
from yima.trace.events import DiversionFound
from yima.trace.models import DiversionRecord
from yima.trace.permissions import DIVERSION_WRITE, TRACE_READ
from yima.trace.schemas import DiversionFilter, DiversionRead, DiversionUpdate, Holder
from yima.trace.service.custody import holder_later, holder_of

EXPORT_LIMIT = 100_000
PAGE = 1000


async def _distance(
    ctx: Ctx, lat: float | None, lon: float | None, region_code: str, territory: frozenset[str]
) -> float | None:
    regions = await geo.regions_by_codes(ctx, [region_code, *territory])
    if lat is None or lon is None:
        found = regions.get(region_code)
        if found is None or found.lat is None or found.lon is None:
            return None
        lat, lon = found.lat, found.lon
    centroids = [
        (r.lat, r.lon) for code, r in regions.items() if code in territory and r.lat is not None and r.lon is not None
    ]
    if not centroids:
        return None
    return round(min(geo.distance_km(lat, lon, clat, clon) for clat, clon in centroids if clon is not None), 1)


async def check_diversion(
    ctx: Ctx, serial: int, lat: float | None, lon: float | None, region_code: str | None, source: str, ref: str,
    parents: list[codes.Ancestor] | None = None,
) -> DiversionRead | None:  # fmt: skip
    """Is the unit, found at this place, outside its dealer's territory? Then a diversion record
    (made once per source reference) — None when it is not diverted or nothing can tell (no
    region, no holder dealer, a dealer without a territory). No permission of its own: called by
    the public scan page and by store sign-for. ``parents``: the unit's ancestors when the
    caller has them (the scan does: ``codes.ancestors_of``)."""
    if not region_code:
        return None
    holder = await holder_of(ctx, serial, parents)
    return await _finding(ctx, holder, serial, lat, lon, region_code, source, ref)


async def check_diversion_of(
    ctx: Ctx, holder: Holder, serial: int, lat: float | None, lon: float | None, region_code: str | None,
    source: str, ref: str,
) -> DiversionRead | None:  # fmt: skip
    """``check_diversion`` against a holder the caller read before its own event moved the goods
    (a dealer's receipt makes the receiver the holder; the goods were shipped to ``holder``)."""
    if not region_code:
        return None
    return await _finding(ctx, holder, serial, lat, lon, region_code, source, ref)


def check_diversion_later(
    ctx: Ctx, serial: int, lat: float | None, lon: float | None, region_code: str, source: str, ref: str,
    parents: list[codes.Ancestor],
) -> direct.Deferred[DiversionRead | None]:  # fmt: skip
    """``check_diversion`` of a located unit with its first statement not yet run: the scan
    sends it together with other contexts' (``direct.run_together``)."""
    held = holder_later(ctx, serial, parents)

    async def then(rows: direct.Rows) -> DiversionRead | None:
        return await _finding(ctx, await held.then(rows), serial, lat, lon, region_code, source, ref)

    return direct.Deferred(held.statement, held.params, then)


async def _finding(
    ctx: Ctx, holder: Holder | None, serial: int, lat: float | None, lon: float | None, region_code: str, source: str,
    ref: str,
) -> DiversionRead | None:  # fmt: skip
    """The diversion record of a unit ``holder`` holds, found in ``region_code``, if that lies
    outside the holder dealer's territory."""
    if holder is None or holder.dealer_id is None:
        return None
    try:
        territory = await partners.territory_of(ctx, holder.dealer_id)
    except NotFound:
        return None
    if not territory or geo.in_territory(region_code, territory):
        return None
    existing = await repo.diversion_for(ctx.session, serial, source, ref)
    if existing is not None:
        return DiversionRead.model_validate(existing)
    facts = await codes.unit_facts(ctx, serial)
    record = DiversionRecord(
        tenant_id=ctx.tenant_id,
        serial=serial,
        level=facts.batch.level,
        product_id=facts.assignment.product_id if facts.assignment else facts.batch.product_id,
        dealer_id=holder.dealer_id,
        store_id=holder.store_id,
        region_code=region_code,
        lat=lat,
        lon=lon,
        distance_km=await _distance(ctx, lat, lon, region_code, territory),
        source=source[:20],
        ref=ref[:100],
        event_id=holder.event_id,
        found_at=ctx.now(),
        status="open",
        note="",
    )
    repo.add(ctx.session, record)
    await ctx.session.flush()
    outbox.publish(
        ctx,
        DiversionFound(
            diversion_id=record.id,
            serial=serial,
            dealer_id=record.dealer_id,
            region_code=region_code,
            distance_km=record.distance_km,
            source=record.source,
            found_at=record.found_at,
        ),
    )
    return DiversionRead.model_validate(record)


async def is_diverted(ctx: Ctx, serial: int) -> bool:
    """Has the unit been found diverted (a record not dismissed)? For rebates (窜货不返利)."""
    return serial in await repo.diverted_serials(ctx.session, [serial])


async def diverted_serials(ctx: Ctx, serials: Sequence[int]) -> set[int]:
    return await repo.diverted_serials(ctx.session, list(serials))


async def _scope(ctx: Ctx) -> repo.Scope:
    """What a regional manager sees: the findings made in their regions, and those of the dealers
    whose territory lies in them — both sides of the offence, as the alert goes (rules.alert_recipients).
    None: the whole brand."""
    regions = ctx.actor.region_codes
    if regions is None:
        return None
    territories = await partners.territories_of(ctx, await repo.diversion_dealers(ctx.session))
    dealers = [d for d, t in territories.items() if t and rules.covers_either(regions, t, geo.in_territory)]
    return list(regions), sorted(dealers)


def _shown(ctx: Ctx, record: DiversionRecord) -> DiversionRead:
    return ctx.shown(DiversionRead.model_validate(record))


@dataclass(frozen=True)
class DiversionCount:
    dealer_id: int
    store_id: int | None
    product_id: int | None
    region_code: str  # where the goods were found
    status: str
    count: int


async def diversion_counts(ctx: Ctx, dealer_id: int | None = None) -> list[DiversionCount]:
    """Diversion findings grouped by dealer, store, product, region found in and status, over
    what the actor sees (``_scope``: a regional manager, as in the report). No permission of its
    own: analytics checks its own."""
    rows = await repo.diversion_counts(ctx.session, await _scope(ctx), dealer_id)
    return [DiversionCount(*row) for row in rows]


async def list_diversions(ctx: Ctx, filters: DiversionFilter, limit: int, before_id: int | None) -> list[DiversionRead]:
    """Up to ``limit + 1``, newest first, in the brand's time; a regional manager sees those
    found in their regions and those of the dealers whose territory lies in them."""
    ctx.require(TRACE_READ.name)
    rows = await repo.list_diversions(ctx.session, filters, await _scope(ctx), limit + 1, before_id)
    return [_shown(ctx, r) for r in rows]


async def _load(ctx: Ctx, diversion_id: int) -> DiversionRecord:
    record = await repo.get_diversion(ctx.session, diversion_id)
    regions = ctx.actor.region_codes
    if record is None:
        raise NotFound(f"diversion {diversion_id} not found")
    if regions is not None and not geo.in_territory(record.region_code, regions):
        try:
            territory = await partners.territory_of(ctx, record.dealer_id)
        except NotFound:
            territory = frozenset()
        if not (territory and rules.covers_either(regions, territory, geo.in_territory)):
            raise NotFound(f"diversion {diversion_id} not found")
    return record


async def get_diversion(ctx: Ctx, diversion_id: int) -> DiversionRead:
    ctx.require(TRACE_READ.name)
    return _shown(ctx, await _load(ctx, diversion_id))


async def update_diversion(ctx: Ctx, diversion_id: int, data: DiversionUpdate) -> DiversionRead:
    """Confirm or dismiss a finding (a dismissed one no longer flags the goods)."""
    ctx.require(DIVERSION_WRITE.name)
    record = await _load(ctx, diversion_id)
    status = data.status or record.status
    if record.status == status and data.note in (None, record.note):
        return _shown(ctx, record)
    if record.status != "open" and status == "open":
        raise Invalid("a handled finding stays handled", [FieldError("status", "cannot reopen", "reopen")])
    change: dict[str, object] = {"status": [record.status, status]}
    record.status = status
    if data.note is not None:
        change["note"] = data.note
        record.note = data.note
    await ctx.session.flush()
    identity.record_audit(ctx, "diversion.status_set", "diversion", record.id, change)
    return _shown(ctx, record)


EXPORT_COLUMNS = (
    SheetColumn("id", "编号 ID", width=10),
    SheetColumn("found_at", "发现时间 Found at", width=18),
    SheetColumn("status", "状态 Status", width=10),
    SheetColumn("dealer", "经销商 Dealer", width=24),
    SheetColumn("product", "产品 Product", width=24),
    SheetColumn("serial", "单元 Unit serial", width=14),
    SheetColumn("level", "层级 Level", width=8),
    SheetColumn("region", "发现地区 Found in", width=28),
    SheetColumn("distance_km", "距经营区域 km Distance", width=14),
    SheetColumn("lat", "纬度 Lat", width=10),
    SheetColumn("lon", "经度 Lon", width=10),
    SheetColumn("source", "来源 Source", width=14),
    SheetColumn("note", "备注 Note", width=30),
)


async def export_diversions(ctx: Ctx, filters: DiversionFilter) -> bytes:
    """The report as an Excel workbook (the list's filters and scope)."""
    ctx.require(TRACE_READ.name)
    workbook = Workbook(write_only=True)
    sheet = export_sheet(workbook, "窜货 Diversions", EXPORT_COLUMNS)
    before: int | None = None
    written = 0
    scope = await _scope(ctx)
    while written < EXPORT_LIMIT:
        rows = await repo.list_diversions(ctx.session, filters, scope, PAGE, before)
        if not rows:
            break
        dealers = await partners.lookup_dealers(ctx, {r.dealer_id for r in rows})
        regions = await geo.regions_by_codes(ctx, {r.region_code for r in rows})
        products = {pid: await catalog.lookup_product(ctx, pid) for pid in {r.product_id for r in rows if r.product_id}}
        for r in rows:
            dealer, region, product = (
                dealers.get(r.dealer_id),
                regions.get(r.region_code),
                products.get(r.product_id or 0),
            )
            append_row(
                sheet,
                [
                    r.id,
                    ctx.local(r.found_at).strftime("%Y-%m-%d %H:%M"),
                    r.status,
                    f"{dealer.code} {dealer.name}" if dealer else str(r.dealer_id),
                    f"{product.sku} {product.name}" if product else "",
                    r.serial,
                    r.level,
                    region.full_name if region else r.region_code,
                    "" if r.distance_km is None else r.distance_km,
                    "" if r.lat is None else r.lat,
                    "" if r.lon is None else r.lon,
                    r.source,
                    r.note,
                ],
            )
        written += len(rows)
        before = rows[-1].id
    return to_bytes(workbook)
