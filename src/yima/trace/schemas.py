"""Trace's schemas: capture jobs, stored events, event queries."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal[
    "epc", "parent", "child", "input", "output", "quantity", "child_quantity", "input_quantity", "output_quantity"
]


class CaptureError(BaseModel):
    """One problem in a captured document, at a JSON pointer."""

    path: str
    message: str
    code: str


class CaptureRead(BaseModel):
    """A capture job as the EPCIS REST binding describes it (``CaptureJob``), with counts."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    capture_id: str = Field(alias="captureID")
    created_at: dt.datetime = Field(alias="createdAt")
    finished_at: dt.datetime | None = Field(default=None, alias="finishedAt")
    running: bool
    success: bool
    capture_error_behaviour: Literal["rollback"] = Field(default="rollback", alias="captureErrorBehaviour")
    errors: list[CaptureError] = []
    error_count: int = Field(default=0, alias="errorCount")
    event_count: int = Field(default=0, alias="eventCount")
    stored_count: int = Field(default=0, alias="storedCount", description="new events; the rest were already stored")


class CaptureResult(BaseModel):
    """What capturing events gave: their eventIDs in the order given, and how many were new."""

    event_ids: list[str]
    stored: int
    known: int


class EventRead(BaseModel):
    """A stored event: the columns queries use, and the event as EPCIS JSON-LD."""

    id: int
    event_id: str
    event_type: str
    action: str | None
    biz_step: str | None
    disposition: str | None
    event_time: dt.datetime
    event_time_zone_offset: str
    record_time: dt.datetime
    read_point: str | None
    biz_location: str | None
    parent_id: str | None
    source: str
    error_declared_at: dt.datetime | None
    document: dict[str, Any]


class EventFilter(BaseModel):
    """The EPCIS 2.0 simple event query parameters yima answers (EPCIS 2.0 §8.2.7.1). Lists
    mean "any of"; identifiers match whatever their form (URN or Digital Link), and a class-level
    pattern (``urn:epc:idpat:sgtin:0614141.107346.*``) matches every instance of the class."""

    event_types: list[str] = []
    ge_event_time: dt.datetime | None = None
    lt_event_time: dt.datetime | None = None
    ge_record_time: dt.datetime | None = None
    lt_record_time: dt.datetime | None = None
    actions: list[str] = []
    biz_steps: list[str] = []
    dispositions: list[str] = []
    read_points: list[str] = []
    biz_locations: list[str] = []
    event_ids: list[str] = []
    match_epc: list[str] = []
    match_any_epc: list[str] = []
    match_parent_id: list[str] = []
    match_input_epc: list[str] = []
    match_output_epc: list[str] = []
    match_epc_class: list[str] = []
    match_any_epc_class: list[str] = []


class EventPage(BaseModel):
    events: list[dict[str, Any]]
    next_page_token: str | None = None
