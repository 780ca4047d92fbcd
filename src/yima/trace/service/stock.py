"""Channel stock (渠道库存) for analytics: read-only aggregates over the event store.

``channel_stock`` counts, per holder (dealer or store) and product, the bottles received, the
bottles shipped on (or returned), and the bottles on hand by the age of their latest receipt —
one grouped statement, no row per bottle in Python. ``holder_at`` is custody as it stood at a
moment (the consumer scan of a bottle is charged to whoever held it then). No permission of
their own: analytics checks its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from yima.platform.ctx import Ctx
from yima.trace import repository as repo
from yima.trace.schemas import Holder
from yima.trace.service.custody import holder_in, unit_history

_HOLDER_KINDS = ("dealer", "store")


@dataclass(frozen=True)
class StockRow:
    """Bottles of one product at one holder: ``on_hand[i]`` for age bucket i (newest first)."""

    holder_kind: str  # dealer | store
    holder_id: int
    product_id: int | None
    received: int
    shipped: int
    on_hand: tuple[int, ...]


def parse_holder(uri: str | None) -> tuple[str, int] | None:
    """``urn:yima:dealer:12`` → ("dealer", 12)."""
    parts = (uri or "").split(":")
    if len(parts) != 4 or parts[:2] != ["urn", "yima"] or parts[2] not in _HOLDER_KINDS or not parts[3].isdigit():
        return None
    return parts[2], int(parts[3])


async def channel_stock(
    ctx: Ctx, bounds: Sequence[dt.datetime], ranges: Sequence[tuple[int, int, int]]
) -> list[StockRow]:
    """Per (dealer or store, product): bottles received (收货/签收 at it), shipped on (发货 or 退货
    from it), and on hand by age bucket: bucket i holds the bottles whose latest receipt there
    is at or after ``bounds[i]`` (bounds newest first), the last bucket the rest. ``ranges``:
    (first serial, last serial, product id) of the activated codes."""
    rows = await repo.channel_stock(ctx.session, list(bounds), list(ranges))
    found = []
    for uri, product_id, received, shipped, on_hand in rows:
        holder = parse_holder(uri)
        if holder is not None:
            found.append(StockRow(holder[0], holder[1], product_id, received, shipped, tuple(on_hand)))
    return found


async def holder_at(ctx: Ctx, serial: int, at: dt.datetime) -> Holder | None:
    """库存归属 as it stood at ``at``: the latest logistics event up to then among the unit and
    the units it sat in."""
    history = await unit_history(ctx, serial)
    history.own = [(e, role) for e, role in history.own if e.event_time <= at]
    history.inherited = [(e, unit) for e, unit in history.inherited if e.event_time <= at]
    return holder_in(history)


async def units_received(ctx: Ctx, since: dt.datetime, until: dt.datetime, ranges: Sequence[tuple[int, int]]) -> int:
    """How many units with a serial in ``ranges`` (e.g. the case batches') dealers and stores
    received in [since, until), a pallet standing for what is packed in it: the base of the
    stores' scan rate (rebates' channel metrics). No permission of its own."""
    return await repo.units_received(ctx.session, since, until, list(ranges))
