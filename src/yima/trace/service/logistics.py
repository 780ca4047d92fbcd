"""Logistics operations (入库, 出库/发货, 收货/签收, 退货), each ONE EPCIS ObjectEvent.

The scanned codes are checked first — every unknown, inactive, voided or blacklisted one is
listed and nothing is written — and the event names only the scanned units (a pallet, a case, a
bottle): what they hold inherits it (custody.py). Partners appear as ``urn:yima:{kind}:{id}``
(rules.party_uri); units as their canonical EPC (codes.unit_epcs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from yima.codes import service as codes
from yima.codes.errors import BadCode, UnknownCode
from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Forbidden, Invalid, NotFound
from yima.platform.outbox import service as outbox
from yima.trace import rules
from yima.trace.epcis.records import format_time
from yima.trace.events import GoodsReceived
from yima.trace.permissions import LOGISTICS_WRITE
from yima.trace.schemas import GoodsReturn, Holder, LogisticsResult, PartyRef, Receipt, Shipment, WarehouseIn
from yima.trace.service.capture import store_events
from yima.trace.service.custody import holder_of
from yima.trace.service.diversion import check_diversion, check_diversion_of

SOURCE = "trace.logistics"
_REFUSED_STATES = {"inactive": "not activated", "voided": "voided", "blacklisted": "blacklisted"}


async def _units(ctx: Ctx, texts: Sequence[str], what: str) -> list[int]:
    """The serials the codes name (each once, in order); Invalid listing every bad code."""
    problems: list[FieldError] = []
    serials: dict[int, None] = {}
    for i, text in enumerate(texts):
        field = f"codes[{i}]"
        try:
            located = await codes.locate(ctx, text, field)
            facts = await codes.unit_facts(ctx, located.serial)
        except (UnknownCode, BadCode) as exc:
            problems.append(FieldError(field, exc.details[0].message if exc.details else str(exc), "unknown_code"))
            continue
        if facts.state in _REFUSED_STATES:
            problems.append(FieldError(field, f"{text.strip()[:80]} is {_REFUSED_STATES[facts.state]}", facts.state))
            continue
        serials[located.serial] = None
    if problems:
        raise Invalid(f"nothing was {what}: {len(problems)} problem(s)", problems)
    return list(serials)


async def _check_party(ctx: Ctx, party: PartyRef, field: str) -> Any:
    try:
        if party.kind == "warehouse":
            return await partners.lookup_warehouse(ctx, party.id)
        if party.kind == "dealer":
            return await partners.lookup_dealer(ctx, party.id)
        return await partners.lookup_store(ctx, party.id)
    except NotFound as exc:
        raise Invalid(
            f"no such {party.kind}", [FieldError(field, f"{party.kind} {party.id} not found", "not_found")]
        ) from exc


def _acting_as(ctx: Ctx, party: PartyRef | None, field: str) -> None:
    """A channel account (a dealer's or store's people) acts only as its own dealer or store;
    staff act as anyone. ``party`` None: an operation channel accounts may not do."""
    parties = ctx.actor.parties
    if parties is None:
        return
    if party is None:
        raise Forbidden("only the brand's staff do this", code="permission_denied")
    if (party.kind, party.id) not in parties:
        detail = [FieldError(field, f"{party.kind} {party.id} is not yours", "not_your_partner")]
        raise Forbidden(f"you act only for your own dealer or store, not {party.kind} {party.id}", detail,
                        code="not_your_partner")  # fmt: skip


def _refused(message: str, field: str, detail: str, code: str) -> Invalid:
    return Invalid(message, [FieldError(field, detail, code)])


def _party(party: PartyRef, key: str) -> dict[str, str]:
    kind = "location" if party.kind == "warehouse" else "owning_party"
    return {"type": kind, key: rules.party_uri(party.kind, party.id)}


def _event(
    ctx: Ctx,
    epcs: list[str],
    step: str,
    disposition: str,
    *,
    read_point: str | None = None,
    place: str | None = None,
    sources: Sequence[dict[str, str]] = (),
    destinations: Sequence[dict[str, str]] = (),
    reference: tuple[str, str] | None = None,
) -> dict[str, Any]:
    now = ctx.now()
    offset = ctx.local(now).strftime("%z")
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": format_time(now),
        "eventTimeZoneOffset": f"{offset[:3]}:{offset[3:]}" if offset else "+00:00",
        "epcList": epcs,
        "action": "OBSERVE",
        "bizStep": step,
        "disposition": disposition,
    }
    if read_point:
        event["readPoint"] = {"id": read_point}
    if place:
        event["bizLocation"] = {"id": place}
    if reference is not None:
        kind, number = reference
        event["bizTransactionList"] = [{"type": kind, "bizTransaction": f"urn:yima:doc:{quote(number, safe='')}"}]
    if sources:
        event["sourceList"] = list(sources)
    if destinations:
        event["destinationList"] = list(destinations)
    return event


async def _record(ctx: Ctx, operation: str, serials: list[int], event: dict[str, Any]) -> LogisticsResult:
    event_id = (await store_events(ctx, [event], source=SOURCE)).event_ids[0]
    return LogisticsResult(
        event_id=event_id, event_ids=[event_id], operation=operation, units=len(serials), serials=serials
    )


def _ref(kind: str, reference: str | None) -> tuple[str, str] | None:
    return (kind, reference) if reference else None


async def warehouse_in(ctx: Ctx, data: WarehouseIn) -> LogisticsResult:
    """入库: the units are stored in the warehouse (storing, in_progress)."""
    ctx.require(LOGISTICS_WRITE.name)
    _acting_as(ctx, None, "warehouse_id")
    await _check_party(ctx, PartyRef(kind="warehouse", id=data.warehouse_id), "warehouse_id")
    if data.location_id is not None:
        try:
            location = await partners.lookup_location(ctx, data.location_id)
        except NotFound as exc:
            raise _refused("no such location", "location_id", "not found", "not_found") from exc
        if location.warehouse_id != data.warehouse_id:
            raise _refused("not a location of this warehouse", "location_id", "elsewhere", "mismatch")
    serials = await _units(ctx, data.codes, "stored")
    warehouse = rules.party_uri("warehouse", data.warehouse_id)
    read_point = rules.party_uri("location", data.location_id) if data.location_id else warehouse
    event = _event(
        ctx,
        list((await codes.unit_epcs(ctx, serials)).values()),
        rules.STORING,
        "in_progress",
        read_point=read_point,
        place=warehouse,
        destinations=[{"type": "location", "destination": warehouse}],
        reference=_ref("recadv", data.reference),
    )
    return await _record(ctx, "warehouse_in", serials, event)


async def ship(ctx: Ctx, data: Shipment) -> LogisticsResult:
    """出库/发货: from a warehouse (or a dealer) to a dealer or a store (shipping, in_transit)."""
    ctx.require(LOGISTICS_WRITE.name)
    if data.source.kind == "store":
        raise _refused("stores return goods, they do not ship them", "source", "a store", "bad_source")
    if data.destination.kind == "warehouse":
        raise _refused("goods go back to a warehouse as a return", "destination", "a warehouse", "bad_destination")
    _acting_as(ctx, data.source, "source")
    await _check_party(ctx, data.source, "source")
    await _check_party(ctx, data.destination, "destination")
    serials = await _units(ctx, data.codes, "shipped")
    event = _event(
        ctx,
        list((await codes.unit_epcs(ctx, serials)).values()),
        rules.SHIPPING,
        "in_transit",
        read_point=rules.party_uri(data.source.kind, data.source.id),
        sources=[_party(data.source, "source")],
        destinations=[_party(data.destination, "destination")],
        reference=_ref("desadv", data.reference),
    )
    return await _record(ctx, "ship", serials, event)


def _answerable(before: dict[int, Holder | None], own_dealer: int | None) -> dict[int | None, list[int]]:
    """The units a store signs for, grouped by the dealer answerable for each: the one it was
    shipped to (its holder ``before`` this receipt), else the store's own dealer. Goods of two
    dealers signed for together stay each dealer's."""
    groups: dict[int | None, list[int]] = {}
    for serial, holder in before.items():
        groups.setdefault(holder.dealer_id if holder and holder.dealer_id else own_dealer, []).append(serial)
    return groups


def _held_by_other_dealers(before: dict[int, Holder | None], receiver_id: int) -> dict[int, Holder]:
    """The units a dealer receives that were shipped to another dealer, with that holder."""
    return {
        serial: holder
        for serial, holder in before.items()
        if holder is not None and holder.dealer_id is not None and holder.dealer_id != receiver_id
    }


async def receive(ctx: Ctx, data: Receipt) -> LogisticsResult:
    """收货 (a dealer) / 签收 (a store): the goods are at the receiver (receiving,
    sellable_accessible). A store's receipt names the dealer answerable for the goods as their
    source — one event per such dealer when the goods came from several — and a store outside
    the territory of that dealer makes a diversion record per unit. So does a dealer receiving
    goods shipped to another dealer, outside that dealer's territory (off the books: a shipment
    to it would have made it their holder)."""
    ctx.require(LOGISTICS_WRITE.name)
    if data.receiver.kind == "warehouse":
        raise _refused("a warehouse takes goods in with warehouse-in", "receiver", "a warehouse", "bad_receiver")
    _acting_as(ctx, data.receiver, "receiver")
    receiver = await _check_party(ctx, data.receiver, "receiver")
    serials = await _units(ctx, data.codes, "received")
    store = data.receiver.kind == "store"
    # Who held each unit before this receipt (it makes the receiver their holder).
    before = {serial: await holder_of(ctx, serial) for serial in serials}
    groups = _answerable(before, receiver.dealer_id) if store else {data.receiver.id: serials}
    elsewhere = {} if store else _held_by_other_dealers(before, data.receiver.id)
    epcs = await codes.unit_epcs(ctx, serials)
    place = rules.party_uri(data.receiver.kind, data.receiver.id)
    result = LogisticsResult(event_id="", operation="receive", units=len(serials), serials=serials)
    for dealer_id, group in groups.items():
        sources = (
            [{"type": "owning_party", "source": rules.party_uri("dealer", dealer_id)}] if store and dealer_id else []
        )
        event = _event(
            ctx,
            [epcs[s] for s in group],
            rules.RECEIVING,
            "sellable_accessible",
            read_point=place,
            place=place,
            sources=sources,
            destinations=[_party(data.receiver, "destination")],
            reference=_ref("recadv", data.reference),
        )
        event_id = (await store_events(ctx, [event], source=SOURCE)).event_ids[0]
        result.event_ids.append(event_id)
        outbox.publish(ctx, GoodsReceived(event_id, data.receiver.kind, data.receiver.id, dealer_id, group, ctx.now()))
        if store and receiver.region_code:
            for serial in group:
                found = await check_diversion(
                    ctx, serial, receiver.lat, receiver.lon, receiver.region_code, "store_signin", event_id
                )
                result.diversions += found is not None
        for serial, holder in elsewhere.items():  # a dealer is placed by its seat's region (no position)
            found = await check_diversion_of(
                ctx, holder, serial, None, None, receiver.region_code, "dealer_signin", event_id
            )
            result.diversions += found is not None
    result.event_id = result.event_ids[0]
    return result


async def return_goods(ctx: Ctx, data: GoodsReturn) -> LogisticsResult:
    """退货: sent back by a dealer or store to a warehouse or dealer (shipping, returned); the
    goods answer to no dealer any more until shipped again."""
    ctx.require(LOGISTICS_WRITE.name)
    if data.source.kind == "warehouse":
        raise _refused("returns come from a dealer or a store", "source", "a warehouse", "bad_source")
    if data.destination.kind == "store":
        raise _refused("returns go to a warehouse or a dealer", "destination", "a store", "bad_destination")
    _acting_as(ctx, data.source, "source")
    await _check_party(ctx, data.source, "source")
    await _check_party(ctx, data.destination, "destination")
    serials = await _units(ctx, data.codes, "returned")
    event = _event(
        ctx,
        list((await codes.unit_epcs(ctx, serials)).values()),
        rules.SHIPPING,
        rules.RETURNED,
        read_point=rules.party_uri(data.source.kind, data.source.id),
        sources=[_party(data.source, "source")],
        destinations=[_party(data.destination, "destination")],
        reference=_ref("rma", data.reference),
    )
    return await _record(ctx, "return", serials, event)
