"""Trace's schemas: capture jobs, stored events, event queries."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from yima.platform.types import Moment, RefId, RequestBody

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


# logistics ----------------------------------------------------------------------------------

PartyKind = Literal["warehouse", "dealer", "store"]
MAX_LOGISTICS_CODES = 1000


class PartyRef(RequestBody):
    """A warehouse, dealer or store, by id."""

    kind: PartyKind
    id: RefId


class LogisticsBase(RequestBody):
    """The printed codes scanned (pallet, case or bottle; children inherit), and a note such
    as the delivery note number."""

    codes: list[str] = Field(min_length=1, max_length=MAX_LOGISTICS_CODES)
    reference: str | None = Field(default=None, max_length=100)


class WarehouseIn(LogisticsBase):
    """入库: codes scanned into a warehouse (and optionally one of its storage locations)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"codes": ["https://m.brand.cn/c/PALLETTOKEN0000000001"], "warehouse_id": 1}]}
    )

    warehouse_id: RefId
    location_id: RefId | None = None


class Shipment(LogisticsBase):
    """出库/发货: from a warehouse to a dealer, or from a dealer to a store (or another dealer)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "codes": ["https://m.brand.cn/c/PALLETTOKEN0000000001"],
                    "source": {"kind": "warehouse", "id": 1},
                    "destination": {"kind": "dealer", "id": 1},
                    "reference": "DN-2024-001",
                }
            ]
        }
    )

    source: PartyRef
    destination: PartyRef


class Receipt(LogisticsBase):
    """收货 (a dealer) / 签收 (a store)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"codes": ["https://m.brand.cn/c/PALLETTOKEN0000000001"], "receiver": {"kind": "dealer", "id": 1}}
            ]
        }
    )

    receiver: PartyRef


class GoodsReturn(LogisticsBase):
    """退货: goods sent back by a dealer or store, to a warehouse or a dealer."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "codes": ["https://m.brand.cn/c/CASETOKEN000000000001"],
                    "source": {"kind": "store", "id": 1},
                    "destination": {"kind": "warehouse", "id": 1},
                }
            ]
        }
    )

    source: PartyRef
    destination: PartyRef


class LogisticsResult(BaseModel):
    event_id: str  # the first of event_ids
    event_ids: list[str] = []  # one event; a store's sign-for: one per dealer answerable for the goods
    operation: str
    units: int  # the scanned units named by the event (their children inherit it)
    serials: list[int]
    diversions: int = 0  # store sign-for outside the dealer's territory


# custody and lifecycle ------------------------------------------------------------------------


class Holder(BaseModel):
    """库存归属: who holds a unit now and where, from the latest logistics event of the unit or
    of a unit it sits in (``inherited_from``)."""

    dealer_id: int | None
    store_id: int | None
    warehouse_id: int | None
    place: str | None  # the bizLocation URI; None on the road
    biz_step: str | None
    disposition: str | None
    since: dt.datetime
    event_id: str
    inherited_from: int | None = None


class LifecycleUnit(BaseModel):
    serial: int
    level: str
    epc: str


class LifecycleEvent(BaseModel):
    event_id: str
    event_type: str
    action: str | None
    biz_step: str | None
    disposition: str | None
    event_time: dt.datetime
    read_point: str | None
    biz_location: str | None
    source: str  # who recorded it: trace.logistics, trace.packing, capture…
    own: bool
    inherited_from: LifecycleUnit | None = None
    sources: list[str] = []  # party URIs
    destinations: list[str] = []
    document: dict[str, Any]


class UnitLifecycle(BaseModel):
    code: str
    serial: int
    level: str
    epc: str
    state: str
    product_id: int | None
    product_sku: str | None
    product_name: str | None
    lot: str | None
    production_date: dt.date | None
    batch_id: int
    parents: list[LifecycleUnit]
    children_count: int
    children: list[LifecycleUnit]
    events: list[LifecycleEvent]
    holder: Holder | None
    diverted: bool


# diversion ----------------------------------------------------------------------------------

DiversionStatus = Literal["open", "confirmed", "dismissed"]


class DiversionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    serial: int
    level: str
    product_id: int | None
    dealer_id: int
    store_id: int | None
    region_code: str
    lat: float | None
    lon: float | None
    distance_km: float | None
    source: str
    ref: str
    event_id: str | None
    found_at: dt.datetime
    status: DiversionStatus
    note: str


class DiversionFilter(BaseModel):
    dealer_id: RefId | None = None
    product_id: RefId | None = None
    region: str | None = Field(default=None, pattern=r"^\d{6}$")  # found in this region (any level)
    status: DiversionStatus | None = None
    found_from: Moment | None = None
    found_to: Moment | None = None


class DiversionUpdate(RequestBody):
    status: DiversionStatus | None = None
    note: str | None = Field(default=None, max_length=500)
