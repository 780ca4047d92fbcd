"""Trace's use cases; import as ``from yima.trace import service as trace``.

Other contexts record what they do as ordinary EPCIS events (``capture_events``,
``record_event``) and read a code's events back (``events_for_epcs``); the scan page checks a
located scan for diversion (``check_diversion``); rebates ask ``is_diverted``."""

from yima.trace.service.capture import (
    CAPTURE_LIMIT,
    FILE_SIZE_LIMIT,
    SYNC_LIMIT,
    capture_document,
    capture_events,
    get_capture,
    record_event,
)
from yima.trace.service.custody import holder_of
from yima.trace.service.diversion import (
    DiversionCount,
    check_diversion,
    check_diversion_later,
    diversion_counts,
    diverted_serials,
    export_diversions,
    get_diversion,
    is_diverted,
    list_diversions,
    update_diversion,
)
from yima.trace.service.lifecycle import unit_lifecycle
from yima.trace.service.logistics import receive, return_goods, ship, warehouse_in
from yima.trace.service.query import (
    canonical_epc,
    events_for_epcs,
    get_event,
    parse_query,
    query_document,
    query_events,
)
from yima.trace.service.stock import (
    StockRow,
    channel_stock,
    holder_at,
    parse_holder,
    units_received,
)

__all__ = [
    "CAPTURE_LIMIT",
    "FILE_SIZE_LIMIT",
    "SYNC_LIMIT",
    "DiversionCount",
    "StockRow",
    "canonical_epc",
    "capture_document",
    "capture_events",
    "channel_stock",
    "check_diversion",
    "check_diversion_later",
    "diversion_counts",
    "diverted_serials",
    "events_for_epcs",
    "export_diversions",
    "get_capture",
    "get_diversion",
    "get_event",
    "holder_at",
    "holder_of",
    "is_diverted",
    "list_diversions",
    "parse_holder",
    "parse_query",
    "query_document",
    "query_events",
    "receive",
    "record_event",
    "return_goods",
    "ship",
    "unit_lifecycle",
    "units_received",
    "update_diversion",
    "warehouse_in",
]
