"""Pure rules of traceability: the URIs of yima's partners in events, who holds goods after a
logistics event, a unit's custody from its own and inherited events, and diversion distance."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

PartyKind = Literal["warehouse", "location", "dealer", "store"]
PARTY_KINDS: tuple[PartyKind, ...] = ("warehouse", "location", "dealer", "store")
# A private URI (EPCIS 2.0 accepts any absolute URI for places and parties; identifiers.parse
# keeps it as written). The row id, not the partner's code: codes can be edited, ids cannot.
_PARTY = re.compile(r"^urn:yima:(warehouse|location|dealer|store):([1-9][0-9]{0,18})$")

# bizSteps of the logistics events that move custody (CBV 2.0 bare words).
STORING, SHIPPING, RECEIVING = "storing", "shipping", "receiving"
CUSTODY_STEPS = frozenset({STORING, SHIPPING, RECEIVING})
RETURNED = "returned"


def party_uri(kind: PartyKind, party_id: int) -> str:
    return f"urn:yima:{kind}:{party_id}"


def parse_party(uri: object) -> tuple[str, int] | None:
    match = _PARTY.match(uri) if isinstance(uri, str) else None
    return (match.group(1), int(match.group(2))) if match else None


@dataclass(frozen=True)
class Custody:
    """Who holds goods after an event, and where they are (None: on the road)."""

    dealer_id: int | None = None
    store_id: int | None = None
    warehouse_id: int | None = None
    place: str | None = None  # the bizLocation URI


def _parties(items: Any, key: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for item in items if isinstance(items, list) else []:
        party = parse_party(item.get(key)) if isinstance(item, dict) else None
        if party is not None:
            found.append(party)
    return found


def _first(parties: Iterable[tuple[str, int]], kind: str) -> int | None:
    return next((pid for k, pid in parties if k == kind), None)


def custody_after(document: dict[str, Any]) -> Custody:
    """What a logistics event says of custody. The dealer answerable for goods is the one they
    were shipped to or received by; goods shipped on by a dealer (to a store) stay answerable to
    that dealer (the source). Goods returned answer to no dealer any more."""
    place_id = document.get("bizLocation", {}).get("id") if isinstance(document.get("bizLocation"), dict) else None
    place = parse_party(place_id)
    destinations = _parties(document.get("destinationList"), "destination")
    sources = _parties(document.get("sourceList"), "source")
    here = [*destinations, *([place] if place else [])]
    returned = document.get("disposition") == RETURNED
    dealers = here if returned else [*here, *sources]
    return Custody(
        dealer_id=_first(dealers, "dealer"),
        store_id=_first(here, "store"),
        warehouse_id=_first(here, "warehouse"),
        place=place_id if isinstance(place_id, str) else None,
    )


class UnitEvent(NamedTuple):
    """What a unit's custody and lifecycle read of one of its events: read as columns, not as an
    ORM object (a consumer scan reads them on its hot path)."""

    id: int
    event_id: str
    event_type: str
    action: str | None
    biz_step: str | None
    disposition: str | None
    event_time: dt.datetime
    read_point: str | None
    biz_location: str | None
    parent_id: str | None
    source: str
    document: dict[str, Any]
    error_declared_at: dt.datetime | None


@dataclass(frozen=True)
class Window:
    """When a unit sat in a parent: events of the parent in [start, end) are the unit's too."""

    start: dt.datetime | None
    end: dt.datetime | None = None

    def holds(self, moment: dt.datetime) -> bool:
        return (self.start is None or moment >= self.start) and (self.end is None or moment < self.end)


def former_windows(aggregations: Sequence[tuple[dt.datetime, str, int]]) -> dict[int, list[Window]]:
    """From a unit's own AggregationEvents as a child — (time, action, parent serial), oldest
    first — the periods it sat in each parent (ADD opens, DELETE closes)."""
    open_at: dict[int, dt.datetime] = {}
    windows: dict[int, list[Window]] = {}
    for at, action, parent in aggregations:
        if action == "ADD":
            open_at.setdefault(parent, at)
        elif action == "DELETE" and parent in open_at:
            windows.setdefault(parent, []).append(Window(open_at.pop(parent), at))
    for parent, at in open_at.items():
        windows.setdefault(parent, []).append(Window(at))
    return windows


Inside = Callable[[str, Collection[str]], bool]  # geo's in_territory: is a region inside a set of regions


def covers_either(a: Collection[str], b: Collection[str], inside: Inside) -> bool:
    """Does a region of ``a`` lie inside ``b``, or one of ``b`` inside ``a``? (A regional manager's
    regions and a place or territory: either may be the wider.)"""
    return any(inside(x, b) for x in a) or any(inside(y, a) for y in b)


def alert_recipients(
    staff: Sequence[tuple[int, Sequence[str]]], found_in: str, territory: Collection[str], inside: Inside
) -> list[int]:
    """Who is alerted of a diversion, from (user id, regions covered) of the staff who handle
    diversion: the regional managers whose regions take in the place the goods were found or
    the dealer's territory (both sides of the offence); when no one covers either, the staff who
    cover the whole brand, so no alert goes unread."""
    regional = [user for user, regions in staff if regions and covers_either(regions, [found_in, *territory], inside)]
    return sorted(set(regional or [user for user, regions in staff if not regions]))


# Where a diversion (窜货) was found: (Chinese, English) for alerts, the console and exports.
DIVERSION_SOURCES: dict[str, tuple[str, str]] = {
    "consumer_scan": ("消费者扫码", "a consumer scan"),
    "store_signin": ("门店签收", "a store sign-for"),
    "dealer_signin": ("经销商收货", "a dealer's receipt"),
}
