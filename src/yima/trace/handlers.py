"""Trace's reactions: packing recorded as EPCIS AggregationEvents, diversion alerts."""

from __future__ import annotations

import logging
from typing import Any

from yima.codes import service as codes
from yima.codes.events import UnitsPacked, UnitsUnpacked
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.outbox import registry
from yima.trace.epcis.records import format_time
from yima.trace.events import DiversionFound
from yima.trace.service.capture import store_events

SOURCE = "trace.packing"
log = logging.getLogger("yima.trace")


async def _aggregations(ctx: Ctx, at: Any, links: list[Any], action: str, step: str) -> None:
    """One AggregationEvent per parent, naming its children (a re-delivered message hashes to
    the same eventIDs: nothing new is stored)."""
    by_parent: dict[int, list[int]] = {}
    for child, parent in links:
        by_parent.setdefault(int(parent), []).append(int(child))
    if not by_parent:
        return
    epcs = await codes.unit_epcs(ctx, sorted({s for p, cs in by_parent.items() for s in (p, *cs)}))
    offset = ctx.local(at).strftime("%z")
    events = [
        {
            "type": "AggregationEvent",
            "eventTime": format_time(at),
            "eventTimeZoneOffset": f"{offset[:3]}:{offset[3:]}" if offset else "+00:00",
            "parentID": epcs[parent],
            "childEPCs": [epcs[c] for c in sorted(children)],
            "action": action,
            "bizStep": step,
            "disposition": "in_progress",
        }
        for parent, children in sorted(by_parent.items())
    ]
    await store_events(ctx, events, source=SOURCE)


@registry.handles(UnitsPacked)
async def record_packing(ctx: Ctx, event: UnitsPacked) -> None:
    await _aggregations(ctx, event.at, event.links, "ADD", "packing")


@registry.handles(UnitsUnpacked)
async def record_unpacking(ctx: Ctx, event: UnitsUnpacked) -> None:
    await _aggregations(ctx, event.at, event.links, "DELETE", "unpacking")


@registry.handles(DiversionFound)
async def alert_regional_manager(ctx: Ctx, event: DiversionFound) -> None:
    """The alert to the region's managers: for now an audit entry (the console's audit log shows
    it) and a warning in the log; a message channel replaces this when notifications exist."""
    details = {
        "serial": event.serial,
        "dealer_id": event.dealer_id,
        "region_code": event.region_code,
        "distance_km": event.distance_km,
        "source": event.source,
    }
    identity.record_audit(ctx, "diversion.alert", "diversion", event.diversion_id, details)
    log.warning("diversion found", extra={"tenant_id": ctx.tenant_id, "diversion_id": event.diversion_id, **details})
