"""From a valid EPCIS event to what the event store keeps, and back to JSON-LD answers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from yima.trace.epcis import eventhash, gs1data, identifiers
from yima.trace.epcis import vocabulary as vocab

# The role of each identifier list in epcis_event_epcs, and the query parameters that look there.
EPC_ROLES = {"epcList": "epc", "childEPCs": "child", "inputEPCList": "input", "outputEPCList": "output"}
CLASS_ROLES = {
    "quantityList": "quantity",
    "childQuantityList": "child_quantity",
    "inputQuantityList": "input_quantity",
    "outputQuantityList": "output_quantity",
}
ALL_ROLES = ("epc", "parent", "child", "input", "output", *CLASS_ROLES.values())
_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$")
_STANDARD_CONTEXTS = frozenset(
    {
        gs1data.CONTEXT_URL,
        "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
        "https://gs1.github.io/EPCIS/epcis-context.jsonld",
    }
)


@dataclass
class EventRecord:
    event_id: str
    event_type: str
    action: str | None
    biz_step: str | None
    disposition: str | None
    event_time: dt.datetime
    event_time_zone_offset: str
    read_point: str | None
    biz_location: str | None
    parent_id: str | None
    document: dict[str, Any]
    epcs: list[tuple[str, str]] = field(default_factory=list)  # (canonical key, role)
    error_declaration: dict[str, Any] | None = None
    error_declared_at: dt.datetime | None = None


def parse_time(text: str) -> dt.datetime:
    """An RFC 3339 timestamp (any number of decimals) as an aware UTC datetime."""
    match = _TIME.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not an RFC 3339 timestamp")
    day, clock, fraction, zone = match.groups()
    micros = (fraction or "").ljust(6, "0")[:6]
    zone = "+00:00" if zone in ("Z", "z") else zone
    try:
        return dt.datetime.fromisoformat(f"{day}T{clock}.{micros}{zone}").astimezone(dt.UTC)
    except OverflowError as exc:  # a year 1 or 9999 time that UTC pushes out of range
        raise ValueError(f"{text!r} is out of range") from exc


def extra_context(context: Any) -> list[Any]:
    """The parts of a document's @context beyond the GS1 standard context (prefix definitions,
    custom contexts), which its events need to keep their meaning once stored apart."""
    items = context if isinstance(context, list) else [context] if context else []
    return [item for item in items if not (isinstance(item, str) and item in _STANDARD_CONTEXTS)]


def record_of(event: dict[str, Any], prefixes: dict[str, str], context: list[Any]) -> EventRecord:
    """The row of one *valid* event; ``prefixes`` from eventhash.prefixes_of, ``context`` from
    extra_context of the document it came in."""
    event_id = event.get("eventID") or eventhash.event_hash(event, prefixes)
    document = {k: v for k, v in event.items() if k != "recordTime"}
    document["eventID"] = event_id
    own = event.get("@context")
    merged: list[Any] = []
    for item in [*context, *(own if isinstance(own, list) else [own] if own else [])]:
        if item not in merged:  # a JSON-LD @context list holds each item once
            merged.append(item)
    if merged:
        document["@context"] = merged
    declaration = event.get("errorDeclaration")
    epcs: dict[tuple[str, str], None] = {}
    for name, role in EPC_ROLES.items():
        for value in _list(event.get(name)):
            if isinstance(value, str):
                epcs[(identifiers.key_of(value), role)] = None
    if isinstance(event.get("parentID"), str):
        epcs[(identifiers.key_of(event["parentID"]), "parent")] = None
    for name, role in CLASS_ROLES.items():
        for element in _list(event.get(name)):
            if isinstance(element, dict) and isinstance(element.get("epcClass"), str):
                epcs[(identifiers.key_of(element["epcClass"]), role)] = None
    return EventRecord(
        event_id=event_id,
        event_type=_fit(_expand(str(event["type"]), prefixes), str(event["type"])),
        action=event.get("action") if isinstance(event.get("action"), str) else None,
        biz_step=_vocab(event.get("bizStep"), vocab.BIZ_STEP, prefixes),
        disposition=_vocab(event.get("disposition"), vocab.DISPOSITION, prefixes),
        event_time=parse_time(event["eventTime"]),
        event_time_zone_offset=event["eventTimeZoneOffset"],
        read_point=_place(event.get("readPoint")),
        biz_location=_place(event.get("bizLocation")),
        parent_id=identifiers.key_of(event["parentID"]) if isinstance(event.get("parentID"), str) else None,
        document=document,
        epcs=list(epcs),
        error_declaration=declaration if isinstance(declaration, dict) else None,
        error_declared_at=parse_time(declaration["declarationTime"]) if isinstance(declaration, dict) else None,
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _expand(value: str, prefixes: dict[str, str]) -> str:
    return (
        value
        if value in ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent")
        else vocab.expand_curie(value, prefixes)
    )


def _vocab(value: Any, vocabulary: vocab.Vocabulary, prefixes: dict[str, str]) -> str | None:
    return _fit(vocab.normalize(vocabulary, value, prefixes), value) if isinstance(value, str) else None


def _fit(expanded: str, written: str) -> str:
    """A CURIE expanded, unless that would not fit its column (validation bounds what was written)."""
    return expanded if len(expanded) <= identifiers.MAX_LENGTH else written


def _place(value: Any) -> str | None:
    return identifiers.key_of(value["id"]) if isinstance(value, dict) and isinstance(value.get("id"), str) else None


def event_document(
    stored: dict[str, Any], record_time: dt.datetime, declaration: dict[str, Any] | None
) -> dict[str, Any]:
    """A stored event as EPCIS JSON-LD: as captured, with its recordTime and any error
    declaration made since."""
    event = dict(stored)
    event["recordTime"] = format_time(record_time)
    if declaration is not None:
        event["errorDeclaration"] = declaration
    return event


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def query_document(
    events: list[dict[str, Any]], now: dt.datetime, query_name: str = "SimpleEventQuery"
) -> dict[str, Any]:
    """An EPCISQueryDocument holding ``events`` (each carrying any @context of its own)."""
    return {
        "@context": [gs1data.CONTEXT_URL],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": format_time(now),
        "epcisBody": {"queryResults": {"queryName": query_name, "resultsBody": {"eventList": events}}},
    }


def capture_document(
    events: list[dict[str, Any]], now: dt.datetime, context: list[Any] | None = None
) -> dict[str, Any]:
    """Events built in code (logistics, scans), wrapped as a document to validate like any other."""
    return {
        "@context": [gs1data.CONTEXT_URL, *(context or [])],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": format_time(now),
        "epcisBody": {"eventList": events},
    }
