"""The EPCIS 2.0 simple event query as URL parameters (REST binding ``GET /events``).

Parameters take one value or several separated by ``|`` (the binding's pipeDelimited style), or
repeated. ``parse(items)`` gives the EventFilter fields, or raises QueryError listing every bad
parameter; parameters yima does not answer are refused rather than ignored, so a client never
mistakes an unfiltered answer for a filtered one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from yima.trace.epcis.records import parse_time

# EPCIS parameter → (EventFilter field, kind)
PARAMETERS: dict[str, tuple[str, str]] = {
    "eventType": ("event_types", "list"),
    "GE_eventTime": ("ge_event_time", "time"),
    "LT_eventTime": ("lt_event_time", "time"),
    "GE_recordTime": ("ge_record_time", "time"),
    "LT_recordTime": ("lt_record_time", "time"),
    "EQ_action": ("actions", "list"),
    "EQ_bizStep": ("biz_steps", "list"),
    "EQ_disposition": ("dispositions", "list"),
    "EQ_readPoint": ("read_points", "list"),
    "EQ_bizLocation": ("biz_locations", "list"),
    "EQ_eventID": ("event_ids", "list"),
    "MATCH_epc": ("match_epc", "list"),
    "MATCH_anyEPC": ("match_any_epc", "list"),
    "MATCH_parentID": ("match_parent_id", "list"),
    "MATCH_inputEPC": ("match_input_epc", "list"),
    "MATCH_outputEPC": ("match_output_epc", "list"),
    "MATCH_epcClass": ("match_epc_class", "list"),
    "MATCH_anyEPCClass": ("match_any_epc_class", "list"),
}
PAGING = ("perPage", "nextPageToken")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
ACTIONS = ("ADD", "OBSERVE", "DELETE")
# An offset's "+" sent unencoded arrives as a space (form encoding): 08:00:00 08:00 → 08:00:00+08:00.
_UNENCODED_PLUS = re.compile(r"(\d) (\d{2}:\d{2})$")


class QueryError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{name}: {why}" for name, why in problems))
        self.problems = problems


def parse(items: Iterable[tuple[str, str]]) -> tuple[dict[str, Any], int, str | None]:
    """(EventFilter fields, perPage, nextPageToken) from the query string's (name, value) pairs."""
    fields: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    per_page, token = DEFAULT_PER_PAGE, None
    for name, raw in items:
        if name == "perPage":
            if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PER_PAGE:
                problems.append((name, f"a whole number from 1 to {MAX_PER_PAGE}"))
            else:
                per_page = int(raw)
            continue
        if name == "nextPageToken":
            token = raw
            continue
        if name not in PARAMETERS:
            problems.append((name, "not a query parameter this repository answers"))
            continue
        field, kind = PARAMETERS[name]
        values = [v.strip() for v in raw.split("|") if v.strip()]
        if not values:
            problems.append((name, "give at least one value"))
        elif kind == "time":
            if len(values) != 1:
                problems.append((name, "one timestamp"))
                continue
            try:
                fields[field] = parse_time(_UNENCODED_PLUS.sub(r"\1+\2", values[0]))
            except ValueError:
                problems.append((name, "an RFC 3339 timestamp with its offset, e.g. 2024-05-01T08:00:00+08:00"))
        else:
            if name == "EQ_action" and any(v not in ACTIONS for v in values):
                problems.append((name, "ADD, OBSERVE or DELETE"))
            fields.setdefault(field, []).extend(values)
    if problems:
        raise QueryError(problems)
    return fields, per_page, token


def fingerprint(fields: dict[str, Any]) -> str:
    """Which query a page token belongs to: a token is refused with other filters."""
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_token(last_id: int, query: str) -> str:
    raw = json.dumps({"after": last_id, "query": query}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, query: str) -> int:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after = raw["after"]
        if not isinstance(after, int) or isinstance(after, bool) or not 0 < after < 2**63 or raw["query"] != query:
            raise ValueError(raw)
        return after
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise QueryError([("nextPageToken", "not a token this query gave out")]) from exc
