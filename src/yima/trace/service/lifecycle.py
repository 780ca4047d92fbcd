"""全生命周期: the whole life of any printed code — what it is, where it sits, what it holds,
its own and inherited events in time order, and who holds it now."""

from __future__ import annotations

from typing import Any

from yima.codes import service as codes
from yima.platform.ctx import Ctx
from yima.trace import repository as repo
from yima.trace.permissions import TRACE_READ
from yima.trace.rules import UnitEvent
from yima.trace.schemas import LifecycleEvent, LifecycleUnit, UnitLifecycle
from yima.trace.service.custody import holder_in, unit_history

CHILDREN_SHOWN = 20


def _parties(document: dict[str, Any], name: str, key: str) -> list[str]:
    items = document.get(name)
    return (
        [i[key] for i in items if isinstance(i, dict) and isinstance(i.get(key), str)]
        if isinstance(items, list)
        else []
    )


def _event(ctx: Ctx, event: UnitEvent, inherited_from: LifecycleUnit | None) -> LifecycleEvent:
    read = LifecycleEvent(
        event_id=event.event_id,
        event_type=event.event_type,
        action=event.action,
        biz_step=event.biz_step,
        disposition=event.disposition,
        event_time=event.event_time,
        read_point=event.read_point,
        biz_location=event.biz_location,
        source=event.source,
        own=inherited_from is None,
        inherited_from=inherited_from,
        sources=_parties(event.document, "sourceList", "source"),
        destinations=_parties(event.document, "destinationList", "destination"),
        document=event.document,
    )
    return ctx.shown(read)


async def unit_lifecycle(ctx: Ctx, code: str) -> UnitLifecycle:
    """The lifecycle of the unit any printed form of ``code`` names (UnknownCode / BadCode
    otherwise), its moments in the brand's time. It is flagged as diverted when it, or a case or
    pallet it sits in, was found diverted (as rebates withhold: 窜货不返利)."""
    ctx.require(TRACE_READ.name)
    unit = await codes.describe(ctx, code)
    history = await unit_history(ctx, unit.serial, codes.ancestors_of(unit))
    count, first = await codes.children_sample(ctx, unit.serial, CHILDREN_SHOWN, unit.children_count)
    epcs = await codes.unit_epcs(
        ctx,
        [unit.serial, *(p.serial for p in history.parents), *(s for s, _ in first), *(s for _, s in history.inherited)],
    )
    parents = [LifecycleUnit(serial=p.serial, level=p.level, epc=epcs[p.serial]) for p in history.parents]
    levels = {p.serial: p.level for p in history.parents}
    events = [_event(ctx, e, None) for e, _ in history.own]
    events += [
        _event(ctx, e, LifecycleUnit(serial=s, level=levels.get(s, ""), epc=epcs[s])) for e, s in history.inherited
    ]
    events.sort(key=lambda e: e.event_time)
    return UnitLifecycle(
        code=code,
        serial=unit.serial,
        level=unit.level,
        epc=epcs[unit.serial],
        state=unit.state,
        product_id=unit.product.id if unit.product else None,
        product_sku=unit.product.sku if unit.product else None,
        product_name=unit.product.name if unit.product else None,
        lot=unit.lot,
        production_date=unit.production_date,
        batch_id=unit.batch_id,
        parents=parents,
        children_count=count,
        children=[LifecycleUnit(serial=s, level=level, epc=epcs[s]) for s, level in first],
        events=events,
        holder=ctx.shown(holder) if (holder := holder_in(history)) else None,
        diverted=bool(await repo.diverted_serials(ctx.session, [unit.serial, *(p.serial for p in history.parents)])),
    )
