"""Trace's use cases; import as ``from yima.trace import service as trace``.

Other contexts record what they do as ordinary EPCIS events (``capture_events``,
``record_event``) and read a code's events back (``events_for_epcs``)."""

from yima.trace.service.capture import (
    CAPTURE_LIMIT,
    FILE_SIZE_LIMIT,
    SYNC_LIMIT,
    capture_document,
    capture_events,
    get_capture,
    record_event,
)
from yima.trace.service.query import (
    canonical_epc,
    events_for_epcs,
    get_event,
    parse_query,
    query_document,
    query_events,
)

__all__ = [
    "CAPTURE_LIMIT",
    "FILE_SIZE_LIMIT",
    "SYNC_LIMIT",
    "canonical_epc",
    "capture_document",
    "capture_events",
    "events_for_epcs",
    "get_capture",
    "get_event",
    "parse_query",
    "query_document",
    "query_events",
    "record_event",
]
