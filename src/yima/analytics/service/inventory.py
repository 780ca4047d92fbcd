"""The cockpit's figures: channel inventory (渠道库存), goods age (货龄), diversion counts (窜货).

Received and shipped bottles come from one grouped statement over the event store
(``trace.channel_stock``); consumed bottles from ``analytics_consumed``, which each request first
brings up to date within a bound (``consumption.catch_up``; a job takes in the rest);
diversions from ``trace.diversion_counts``. Python only merges per holder and product — never a
row per bottle. See docs/analytics.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from yima.analytics import repository as repo
from yima.analytics import rules
from yima.analytics.permissions import ANALYTICS_READ
from yima.analytics.schemas import (
    DiversionSummary,
    DiversionSummaryRow,
    InventoryFilter,
    InventoryReport,
    InventoryRow,
)
from yima.analytics.service.consumption import catch_up
from yima.catalog import service as catalog
from yima.codes import service as codes
from yima.codes.schemas import BatchFilter
from yima.geo import service as geo
from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.errors import NotFound
from yima.trace import service as trace

PAGE = 500
TOTAL: dict[Any, tuple[str | None, str, str | None]] = {None: (None, "合计 Total", None)}


@dataclass
class Cell:
    received: int = 0
    shipped: int = 0
    consumed: int = 0
    on_hand: list[int] = field(default_factory=lambda: [0] * len(rules.AGE_BUCKETS))

    def add(self, other: Cell) -> None:
        self.received += other.received
        self.shipped += other.shipped
        self.consumed += other.consumed
        self.on_hand = [a + b for a, b in zip(self.on_hand, other.on_hand, strict=True)]


# channel inventory ----------------------------------------------------------------------------


async def _ranges(ctx: Ctx) -> list[tuple[int, int, int]]:
    """(first serial, last serial, product) of every activated run of bottle codes."""
    found: list[tuple[int, int, int]] = []
    before: int | None = None
    while True:
        batches = await codes.list_batches(ctx, BatchFilter(level="bottle"), PAGE, before)
        for batch in batches[:PAGE]:
            found += [(a.serial_from, a.serial_to, a.product_id) for a in await codes.list_assignments(ctx, batch.id)]
        if len(batches) <= PAGE:
            return found
        before = batches[PAGE - 1].id


async def _cells(ctx: Ctx, now: dt.datetime) -> dict[tuple[str, int, int | None], Cell]:
    """(holder kind, holder id, product) → its figures."""
    bounds = rules.age_bounds(now)
    cells: dict[tuple[str, int, int | None], Cell] = {}
    for row in await trace.channel_stock(ctx, bounds, await _ranges(ctx)):
        cell = cells.setdefault((row.holder_kind, row.holder_id, row.product_id), Cell())
        cell.received += row.received
        cell.shipped += row.shipped
        cell.on_hand = [a + b for a, b in zip(cell.on_hand, row.on_hand, strict=True)]
    for kind, holder_id, product_id, bucket, count in await repo.consumed_counts(ctx.session, bounds):
        cell = cells.setdefault((kind, holder_id, product_id), Cell())
        cell.consumed += count
        cell.on_hand[bucket] -= count
    return cells


async def _names(ctx: Ctx, kind: str, ids: Iterable[Any]) -> dict[Any, tuple[str | None, str, str | None]]:
    """id → (code, name, region code) of dealers, stores, products or regions."""
    wanted = {i for i in ids if i is not None}
    if kind == "dealer":
        return {i: (d.code, d.name, d.region_code) for i, d in (await partners.lookup_dealers(ctx, wanted)).items()}
    if kind == "store":
        return {i: (s.code, s.name, s.region_code) for i, s in (await partners.lookup_stores(ctx, wanted)).items()}
    if kind == "region":
        return {c: (c, r.full_name, c) for c, r in (await geo.regions_by_codes(ctx, wanted)).items()}
    found: dict[Any, tuple[str | None, str, str | None]] = {}
    for product_id in wanted:
        try:
            product = await catalog.lookup_product(ctx, product_id)
        except NotFound:
            continue
        found[product_id] = (product.sku, product.name, None)
    return found


def _row(kind: str, key: Any, cell: Cell, names: dict[Any, tuple[str | None, str, str | None]]) -> InventoryRow:
    code, name, region = names.get(key, (None, str(key) if key is not None else "—", None))
    return InventoryRow(
        key=f"{kind}:{key if key is not None else '-'}",
        kind=kind,
        id=key if isinstance(key, int) else None,
        code=code,
        name=name,
        region_code=region,
        received=cell.received,
        shipped=cell.shipped,
        consumed=cell.consumed,
        stock=cell.received - cell.shipped - cell.consumed,
        age=dict(zip(rules.AGE_BUCKETS, cell.on_hand, strict=True)),
    )


async def channel_inventory(ctx: Ctx, f: InventoryFilter) -> InventoryReport:
    """渠道库存 per dealer, store, product or region (the dealer's or store's province/city), in
    bottles: received − shipped − consumed, with the stock split by 货龄. A regional manager
    sees the dealers and stores seated in their regions."""
    ctx.require(ANALYTICS_READ.name)
    current = await catch_up(ctx)
    cells = await _cells(ctx, ctx.now())
    dealers = await _names(ctx, "dealer", [i for k, i, _ in cells if k == "dealer"])
    stores_found = await partners.lookup_stores(ctx, {i for k, i, _ in cells if k == "store"})
    stores: dict[Any, tuple[str | None, str, str | None]] = {
        i: (s.code, s.name, s.region_code) for i, s in stores_found.items()
    }
    regions = ctx.actor.region_codes
    groups: dict[Any, Cell] = {}
    for (kind, holder_id, product_id), cell in cells.items():
        seat = (dealers if kind == "dealer" else stores).get(holder_id, (None, "", None))[2]
        dealer_of = holder_id if kind == "dealer" else getattr(stores_found.get(holder_id), "dealer_id", None)
        if not rules.within(seat, regions):
            continue
        if (f.dealer_id is not None and dealer_of != f.dealer_id) or (
            f.product_id is not None and product_id != f.product_id
        ):
            continue
        if f.group in ("dealer", "store") and kind != f.group:
            continue
        key: Any = {"product": product_id, "region": rules.group_region(seat, f.region_level)}.get(f.group, holder_id)
        groups.setdefault(key, Cell()).add(cell)
    if f.group in ("dealer", "store"):
        names = dealers if f.group == "dealer" else stores
    else:
        names = await _names(ctx, f.group, groups)
    rows = [_row(f.group, key, cell, names) for key, cell in groups.items()]
    rows.sort(key=lambda r: (-r.stock, r.key))
    total = Cell()
    for cell in groups.values():
        total.add(cell)
    return InventoryReport(
        group=f.group,
        buckets=list(rules.AGE_BUCKETS),
        rows=rows,
        total=_row("total", None, total, TOTAL),
        consumption_current=current,
    )


# diversions -----------------------------------------------------------------------------------


async def diversion_summary(ctx: Ctx, f: InventoryFilter) -> DiversionSummary:
    """窜货 findings counted by status, per dealer (shipped to), store, product or region found
    in. A regional manager sees what the diversion report shows them: the findings made in their
    regions and those of the dealers whose territory lies in them."""
    ctx.require(ANALYTICS_READ.name)
    counts = await trace.diversion_counts(ctx, f.dealer_id)
    groups: dict[Any, dict[str, int]] = {}
    for c in counts:
        if f.product_id is not None and c.product_id != f.product_id:
            continue
        key: Any = {
            "dealer": c.dealer_id,
            "store": c.store_id,
            "product": c.product_id,
            "region": rules.group_region(c.region_code, f.region_level),
        }[f.group]
        slot = groups.setdefault(key, {})
        slot[c.status] = slot.get(c.status, 0) + c.count
    names = await _names(ctx, f.group, groups)
    rows = [_summary_row(f.group, key, found, names) for key, found in groups.items()]
    rows.sort(key=lambda r: (-r.total, r.key))
    total: dict[str, int] = {}
    for found in groups.values():
        for status, count in found.items():
            total[status] = total.get(status, 0) + count
    return DiversionSummary(group=f.group, rows=rows, total=_summary_row("total", None, total, TOTAL))


def _summary_row(kind: str, key: Any, found: dict[str, int], names: dict[Any, Any]) -> DiversionSummaryRow:
    name = names.get(key, (None, str(key) if key is not None else "—", None))[1]
    return DiversionSummaryRow(
        key=f"{kind}:{key if key is not None else '-'}",
        name=name,
        open=found.get("open", 0),
        confirmed=found.get("confirmed", 0),
        dismissed=found.get("dismissed", 0),
        total=sum(found.values()),
    )
