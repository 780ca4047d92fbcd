"""Trace: EPCIS 2.0 events, stored append-only, and the capture jobs that bring them in.

``epcis_events`` keeps one row per event: the columns queries filter on, and the event itself as
captured (JSON-LD, with its eventID) so it comes back as it was sent. ``epcis_event_epcs`` keeps
one row per identifier an event names — its EPCs, parent, children, inputs, outputs and quantity
classes — under the identifier's canonical key (a GS1 key as its canonical Digital Link, so a URN
and a Digital Link of one bottle meet), indexed by (tenant, epc, event time): the lookup behind
``MATCH_epc``/``MATCH_anyEPC``, a code's lifecycle, logistics and diversion checks.

Rows are written in bulk (one INSERT per table per document, repository.py); the only change
ever made to a stored event is recording an error declaration (EPCIS 2.0 §7.4.1.4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, PrimaryKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, Json, TenantScoped, tenant_fk, tenant_table_args, utcnow

RefId = BigInteger().with_variant(Integer(), "sqlite")
URI = 500  # the longest identifier or vocabulary URI kept (validation refuses longer ones)


class EpcisCapture(IdMixin, TenantScoped, Base):
    """One POST to /epcis/capture (its id is the captureID): small documents are stored at once,
    large ones by a job while the client follows GET /epcis/capture/{captureID}."""

    __tablename__ = "epcis_captures"
    __table_args__ = tenant_table_args(Index("ix_epcis_captures_tenant_created", "tenant_id", "created_at"))

    state: Mapped[str] = mapped_column(String(20), default="running")  # running | done | failed
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    stored_count: Mapped[int] = mapped_column(Integer, default=0)  # new events (the rest were known)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    # The request body, kept only until its job has run.
    document: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[int | None] = mapped_column(RefId)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]


class EpcisEvent(IdMixin, TenantScoped, Base):
    """One EPCIS event. ``event_id`` is the document's eventID or, when it has none, the CBV 2.0
    event hash: capturing an event twice stores it once."""

    __tablename__ = "epcis_events"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "event_id"),
        Index("ix_epcis_events_tenant_time", "tenant_id", "event_time"),
        tenant_fk(["capture_pk"], "epcis_captures"),
    )

    event_id: Mapped[str] = mapped_column(String(URI))
    event_type: Mapped[str] = mapped_column(String(URI))
    action: Mapped[str | None] = mapped_column(String(10))
    # Standard vocabulary as the bare word, custom values as full URIs (vocabulary.normalize).
    biz_step: Mapped[str | None] = mapped_column(String(URI))
    disposition: Mapped[str | None] = mapped_column(String(URI))
    event_time: Mapped[dt.datetime]
    event_time_zone_offset: Mapped[str] = mapped_column(String(6))
    record_time: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Canonical keys (identifiers.parse), as epcis_event_epcs keeps them.
    read_point: Mapped[str | None] = mapped_column(String(URI))
    biz_location: Mapped[str | None] = mapped_column(String(URI))
    parent_id: Mapped[str | None] = mapped_column(String(URI))
    source: Mapped[str] = mapped_column(String(40), default="capture")
    capture_pk: Mapped[int | None] = mapped_column(RefId)
    # The event as captured (JSON-LD), with its eventID; recordTime is added on the way out.
    document: Mapped[dict[str, Any]] = mapped_column(Json)
    error_declared_at: Mapped[dt.datetime | None]
    error_declaration: Mapped[dict[str, Any] | None] = mapped_column(Json)


class EpcisEventEpc(TenantScoped, Base):
    """An identifier an event names, in a role: ``epc`` (epcList), ``parent`` (parentID),
    ``child`` (childEPCs), ``input``/``output`` (TransformationEvent), and ``quantity``,
    ``child_quantity``, ``input_quantity``, ``output_quantity`` (classes of quantity lists).

    ``event_pk`` has no foreign key on purpose: these rows are written only by capture, in the
    transaction that writes their event, and never change; a key would cost PostgreSQL a
    locking lookup of the event for each of the ~24 rows an event brings (measured: six times
    slower bulk inserts), on the table that grows fastest."""

    __tablename__ = "epcis_event_epcs"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "event_pk", "position"),
        Index("ix_epcis_event_epcs_tenant_epc_time", "tenant_id", "epc", "event_time"),
        Index("ix_epcis_event_epcs_tenant_serial_time", "tenant_id", "serial", "event_time"),
    )

    event_pk: Mapped[int] = mapped_column(RefId)
    position: Mapped[int] = mapped_column(Integer)
    epc: Mapped[str] = mapped_column(String(URI))
    role: Mapped[str] = mapped_column(String(16))
    event_time: Mapped[dt.datetime]
    # The yima unit the identifier names, when it is one of the brand's tokens (a /c/ URL on any
    # host, either face, or a Digital Link whose serial is the token): every printed form of a
    # unit meets here. Filled at capture by decoding (no database read).
    serial: Mapped[int | None] = mapped_column(BigInteger)


class DiversionRecord(IdMixin, TenantScoped, Base):
    """窜货: a unit scanned or signed for outside the territory of the dealer it was shipped to.
    One record per (unit, source, reference): a scan located twice is one finding."""

    __tablename__ = "trace_diversions"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "serial", "source", "ref"),
        Index("ix_trace_diversions_tenant_found", "tenant_id", "found_at"),
        Index("ix_trace_diversions_tenant_dealer", "tenant_id", "dealer_id", "found_at"),
        Index("ix_trace_diversions_tenant_serial", "tenant_id", "serial"),
    )

    serial: Mapped[int] = mapped_column(BigInteger)
    level: Mapped[str] = mapped_column(String(10))
    product_id: Mapped[int | None] = mapped_column(RefId)
    dealer_id: Mapped[int] = mapped_column(RefId)  # the dealer the goods were shipped to
    store_id: Mapped[int | None] = mapped_column(RefId)  # the store they were shipped to, if any
    region_code: Mapped[str] = mapped_column(String(12))  # where they were found
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    distance_km: Mapped[float | None]  # from the nearest region of the territory (centroid)
    source: Mapped[str] = mapped_column(String(20))  # rules.DIVERSION_SOURCES
    ref: Mapped[str] = mapped_column(String(100))  # the scan id, or the sign-for event id
    event_id: Mapped[str | None] = mapped_column(String(URI))  # the shipment the holder comes from
    found_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | confirmed | dismissed
    note: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
