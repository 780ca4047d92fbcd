"""Every SQL statement of the trace context, in three modules: ``events`` (captures, capture's bulk
writes, queries, a unit's events), ``diversions`` (the findings and the report) and ``stock``
(channel stock for analytics, read-only). Callers write ``repo.events_of_units(…)``."""

from yima.trace.repository.diversions import (
    Scope,
    diversion_counts,
    diversion_dealers,
    diversion_for,
    diverted_serials,
    get_diversion,
    list_diversions,
)
from yima.trace.repository.events import (
    EVENTS_PER_INSERT,
    SQLITE_VARIABLES,
    add,
    events_naming,
    events_of_units,
    events_of_units_later,
    get_capture,
    get_event,
    insert_epcs,
    insert_events,
    query_events,
    record_declarations,
    unit_events,
)
from yima.trace.repository.stock import channel_stock, units_received

__all__ = [
    "EVENTS_PER_INSERT",
    "SQLITE_VARIABLES",
    "Scope",
    "add",
    "channel_stock",
    "diversion_counts",
    "diversion_dealers",
    "diversion_for",
    "diverted_serials",
    "events_naming",
    "events_of_units",
    "events_of_units_later",
    "get_capture",
    "get_diversion",
    "get_event",
    "insert_epcs",
    "insert_events",
    "list_diversions",
    "query_events",
    "record_declarations",
    "unit_events",
    "units_received",
]
