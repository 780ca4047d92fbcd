"""Query: stored events back out, as EPCIS 2.0 JSON-LD or as rows for other contexts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError
from yima.trace import repository as repo
from yima.trace.epcis import identifiers, queries, records
from yima.trace.epcis import vocabulary as vocab
from yima.trace.errors import QueryInvalid, UnknownEvent
from yima.trace.models import EpcisEvent
from yima.trace.permissions import TRACE_READ
from yima.trace.schemas import EventFilter, EventPage, EventRead, Role

# Identifier parameters → the roles they look in (EPCIS 2.0 §8.2.7.1).
_MATCH_ROLES: dict[str, tuple[str, ...]] = {
    "match_epc": ("epc", "child"),
    "match_any_epc": ("epc", "child", "input", "output", "parent"),
    "match_parent_id": ("parent",),
    "match_input_epc": ("input",),
    "match_output_epc": ("output",),
    "match_epc_class": ("quantity", "child_quantity"),
    "match_any_epc_class": ("quantity", "child_quantity", "input_quantity", "output_quantity"),
}


def parse_query(items: Iterable[tuple[str, str]]) -> tuple[EventFilter, int, str | None]:
    """The REST binding's query string → (filter, perPage, nextPageToken); QueryInvalid lists
    every bad parameter."""
    try:
        fields, per_page, token = queries.parse(items)
    except queries.QueryError as exc:
        raise QueryInvalid("the query has bad parameters", [_problem(name, why) for name, why in exc.problems]) from exc
    return EventFilter(**fields), per_page, token


def _problem(name: str, why: str) -> FieldError:
    return FieldError(name, why, "query_parameter")


def _keys(values: Sequence[str]) -> tuple[list[str], list[str]]:
    """Canonical keys of identifiers, and the key prefixes a class-level one stands for (every
    instance or lot of a GTIN, an ITIP…, every key of a company prefix)."""
    keys, prefixes = [], []
    for value in values:
        try:
            found = identifiers.parse_cached(value)
        except identifiers.IdentifierError:
            keys.append(value)  # matches nothing stored, as a malformed identifier should
            continue
        keys.append(found.key)
        if found.level == "class" and found.key.startswith(identifiers.CANONICAL_HOST):
            prefixes.append(found.key + "/")
        elif found.level == "class":  # a company's or a whole scheme's pattern
            prefixes += identifiers.pattern_prefixes(value)
    return keys, prefixes


def _normalized(f: EventFilter) -> tuple[EventFilter, dict[str, Any]]:
    prefixes = dict(vocab.WELL_KNOWN_PREFIXES)
    f = f.model_copy(
        update={
            "biz_steps": [vocab.normalize(vocab.BIZ_STEP, v, prefixes) for v in f.biz_steps],
            "dispositions": [vocab.normalize(vocab.DISPOSITION, v, prefixes) for v in f.dispositions],
            "read_points": [identifiers.key_of(v) for v in f.read_points],
            "biz_locations": [identifiers.key_of(v) for v in f.biz_locations],
        }
    )
    matches = {}
    for field, roles in _MATCH_ROLES.items():
        values = getattr(f, field)
        if values:
            keys, key_prefixes = _keys(values)
            matches[field] = (keys, key_prefixes, roles)
    return f, matches


def _document(row: EpcisEvent) -> dict[str, Any]:
    return records.event_document(row.document, row.record_time, row.error_declaration)


async def query_events(ctx: Ctx, f: EventFilter, per_page: int, page_token: str | None) -> EventPage:
    """One page of the events matching ``f``, in the order they were stored."""
    ctx.require(TRACE_READ.name)
    query = queries.fingerprint(f.model_dump(mode="json"))
    try:
        after = queries.decode_token(page_token, query) if page_token else None
    except queries.QueryError as exc:
        raise QueryInvalid("nextPageToken", [_problem(n, w) for n, w in exc.problems]) from exc
    normalized, matches = _normalized(f)
    rows = await repo.query_events(ctx.session, normalized, matches, after, per_page + 1)
    shown = rows[:per_page]
    token = queries.encode_token(shown[-1].id, query) if len(rows) > per_page and shown else None
    return EventPage(events=[_document(r) for r in shown], next_page_token=token)


def query_document(ctx: Ctx, page: EventPage) -> dict[str, Any]:
    return records.query_document(page.events, ctx.now())


async def get_event(ctx: Ctx, event_id: str) -> dict[str, Any]:
    """One event as EPCIS JSON-LD, by its eventID."""
    ctx.require(TRACE_READ.name)
    row = await repo.get_event(ctx.session, event_id) if len(event_id) <= identifiers.MAX_LENGTH else None
    if row is None:
        raise UnknownEvent(f"no event {event_id!r}")
    return _document(row)


def _read(row: EpcisEvent) -> EventRead:
    return EventRead(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        action=row.action,
        biz_step=row.biz_step,
        disposition=row.disposition,
        event_time=row.event_time,
        event_time_zone_offset=row.event_time_zone_offset,
        record_time=row.record_time,
        read_point=row.read_point,
        biz_location=row.biz_location,
        parent_id=row.parent_id,
        source=row.source,
        error_declared_at=row.error_declared_at,
        document=_document(row),
    )


async def events_for_epcs(
    ctx: Ctx,
    epcs: Sequence[str],
    *,
    roles: Sequence[Role] = (),
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 10_000,
) -> list[EventRead]:
    """Every event naming any of ``epcs`` (in any form: EPC URN, Digital Link, yima unit URL) in
    any of ``roles`` (all roles when empty), oldest first by event time — a code's own events,
    or with its parents' identifiers, what it inherits."""
    ctx.require(TRACE_READ.name)
    keys = sorted({identifiers.key_of(e) for e in epcs})
    if not keys:
        return []
    rows = await repo.events_naming(ctx.session, keys, list(roles), since, until, limit)
    return [_read(r) for r in rows]


def canonical_epc(epc: str) -> str:
    """The key the event store indexes ``epc`` under (pure; for callers that compare EPCs)."""
    return identifiers.key_of(epc)
