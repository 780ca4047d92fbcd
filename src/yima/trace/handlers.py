"""Trace's reactions: packing recorded as EPCIS AggregationEvents, diversion alerts to the
regional managers' inboxes."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from yima.codes import service as codes
from yima.codes.events import UnitsPacked, UnitsUnpacked
from yima.geo import service as geo
from yima.identity import service as identity
from yima.identity.schemas import LocalText
from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.errors import NotFound
from yima.platform.outbox import registry
from yima.trace import rules
from yima.trace.epcis.records import format_time
from yima.trace.events import DiversionFound
from yima.trace.permissions import DIVERSION_WRITE
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
async def alert_regional_managers(ctx: Ctx, event: DiversionFound) -> None:
    """The alert: a message in the inbox of the regional managers concerned (rules.alert_recipients),
    linking to the report filtered to the dealer; sent once per diversion record."""
    try:
        territory = await partners.territory_of(ctx, event.dealer_id)
        dealer = (await partners.lookup_dealer(ctx, event.dealer_id)).name
    except NotFound:
        territory, dealer = frozenset(), f"#{event.dealer_id}"
    staff = [(s.user_id, s.region_codes) for s in await identity.staff_holding(ctx, DIVERSION_WRITE.name)]
    users = rules.alert_recipients(staff, event.region_code, territory, geo.in_territory)
    region = (await geo.regions_by_codes(ctx, [event.region_code])).get(event.region_code)
    place = region.full_name if region else event.region_code
    far = f"{event.distance_km:g} km" if event.distance_km is not None else "?"
    zh_source, en_source = rules.DIVERSION_SOURCES.get(event.source, (event.source, event.source))
    await identity.notify(
        ctx,
        users,
        kind="diversion",
        ref=str(event.diversion_id),
        title=LocalText(
            zh=f"窜货提醒：{dealer} 的货物出现在 {place}", en=f"Diversion: goods of {dealer} found in {place}"
        ),
        body=LocalText(
            zh=f"单品序号 {event.serial}，距经营区域 {far}，来源：{zh_source}。请核实并确认或驳回。",
            en=f"Unit serial {event.serial}, {far} from the territory, found by {en_source}. "
            "Check it, then confirm or dismiss.",
        ),
        link=f"/trace/diversions?{urlencode({'dealer': event.dealer_id, 'status': 'open'})}",
    )
    log.warning(
        "diversion found",
        extra={"tenant_id": ctx.tenant_id, "diversion_id": event.diversion_id, "alerted": len(users)},
    )
