"""Custody (库存归属) and a unit's history: derived from events, never a row per bottle.

A unit's events are its own (any printed form, matched by serial) and those of the units it sat
in while it sat there: the parents it is in now (codes knows them, and since when) and former
ones (its own AggregationEvents as a child: ADD opens a period, DELETE closes it). Its current
holder and place come from the latest logistics event among them — a unit's own later event
overrides what it inherits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from yima.codes import service as codes
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.trace import repository as repo
from yima.trace import rules
from yima.trace.schemas import Holder
from yima.trace.service.units import serial_of_key

EVENT_LIMIT = 2000  # the latest events of a unit and its parents that a lifecycle shows


@dataclass
class History:
    serial: int
    parents: list[codes.Ancestor]
    own: list[tuple[rules.UnitEvent, str]] = field(default_factory=list)  # (event, role)
    inherited: list[tuple[rules.UnitEvent, int]] = field(default_factory=list)  # (event, from serial)
    levels: dict[int, str] = field(default_factory=dict)  # serial → level of the parents seen


def _millis(moment: dt.datetime | None) -> dt.datetime | None:
    """Event times are kept to the millisecond (records.format_time)."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000) if moment is not None else None


Windows = dict[int, list[rules.Window]]  # parent serial → when the unit sat in it


def _started(serial: int, parents: list[codes.Ancestor]) -> tuple[History, Windows]:
    history = History(serial, parents, levels={p.serial: p.level for p in parents})
    windows: Windows = {}
    start: dt.datetime | None = None
    for parent in parents:  # in a pallet since the later of (bottle into case, case onto pallet)
        since = _millis(parent.since)
        start = since if start is None or (since is not None and since > start) else start
        windows.setdefault(parent.serial, []).append(rules.Window(start))
    return history, windows


async def unit_history(ctx: Ctx, serial: int, parents: list[codes.Ancestor] | None = None) -> History:
    """``parents``: the unit's current ancestors when the caller has them (else looked up)."""
    parents = await codes.ancestors(ctx, serial) if parents is None else parents
    history, windows = _started(serial, parents)
    rows = await repo.events_of_units(ctx.session, [serial, *windows], EVENT_LIMIT)
    return await _completed(ctx, history, windows, rows)


def holder_later(ctx: Ctx, serial: int, parents: list[codes.Ancestor]) -> direct.Deferred[Holder | None]:
    """``holder_of`` as its first statement not yet run (the scan sends it with others')."""
    history, windows = _started(serial, parents)
    statement, params = repo.events_of_units_later(ctx.session, [serial, *windows], EVENT_LIMIT)

    async def then(rows: direct.Rows) -> Holder | None:
        return holder_in(await _completed(ctx, history, windows, repo.unit_events(rows)))

    return direct.Deferred(statement, params, then)


async def _completed(
    ctx: Ctx, history: History, windows: Windows, rows: list[tuple[rules.UnitEvent, int, str]]
) -> History:
    """The history from the latest events of the unit and its current parents (``rows``): its own,
    then those inherited from the parents it sat in, former ones read as its aggregations tell."""
    serial = history.serial
    seen: set[int] = set()
    for event, unit, role in rows:
        if unit == serial and event.id not in seen:
            seen.add(event.id)
            history.own.append((event, role))
    aggregations = []
    for event, role in history.own:
        if event.event_type == "AggregationEvent" and role == "child" and event.parent_id and event.action:
            parent_serial = await serial_of_key(ctx, event.parent_id)
            if parent_serial is not None:
                aggregations.append((event.event_time, event.action, parent_serial))
    former = {p: w for p, w in rules.former_windows(aggregations).items() if p not in windows}
    if former:
        windows.update(former)
        rows += await repo.events_of_units(ctx.session, list(former), EVENT_LIMIT)
    for event, unit, _ in rows:
        if unit != serial and event.id not in seen and any(w.holds(event.event_time) for w in windows.get(unit, ())):
            seen.add(event.id)
            history.inherited.append((event, unit))
    history.inherited.sort(key=lambda pair: (pair[0].event_time, pair[0].id))
    return history


def holder_in(history: History) -> Holder | None:
    """The holder after the latest logistics event of the unit or of a parent it sat in."""
    best: tuple[rules.UnitEvent, int | None] | None = None
    candidates: list[tuple[rules.UnitEvent, int | None]] = [(e, None) for e, role in history.own if role == "epc"]
    candidates += [(e, unit) for e, unit in history.inherited]
    for event, inherited_from in candidates:
        if event.event_type != "ObjectEvent" or event.biz_step not in rules.CUSTODY_STEPS:
            continue
        if event.error_declared_at is not None:
            continue  # declared in error: it did not happen
        if best is None or (event.event_time, inherited_from is None) >= (best[0].event_time, best[1] is None):
            best = (event, inherited_from)
    if best is None:
        return None
    event, inherited_from = best
    custody = rules.custody_after(event.document)
    return Holder(
        dealer_id=custody.dealer_id,
        store_id=custody.store_id,
        warehouse_id=custody.warehouse_id,
        place=custody.place,
        biz_step=event.biz_step,
        disposition=event.disposition,
        since=event.event_time,
        event_id=event.event_id,
        inherited_from=inherited_from,
    )


async def holder_of(ctx: Ctx, serial: int, parents: list[codes.Ancestor] | None = None) -> Holder | None:
    """库存归属: who holds the unit now (dealer, store, warehouse), where, since when and by which
    event; None when no logistics event reached it. No permission of its own (for diversion
    checks, rebates and the lifecycle). ``parents``: as ``unit_history`` takes them."""
    return holder_in(await unit_history(ctx, serial, parents))
