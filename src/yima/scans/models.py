"""Scan records: every time a printed code is scanned, who (as far as known), when and where."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, TenantScoped, tenant_table_args, utcnow

Serial = BigInteger


class ScanRecord(IdMixin, TenantScoped, Base):
    """One scan of one printed code. Append-only except for its location, which the scanner's
    phone may add once, shortly after (the page asks for it)."""

    __tablename__ = "scan_records"
    __table_args__ = tenant_table_args(Index("ix_scan_records_tenant_serial", "tenant_id", "serial", "id"))

    serial: Mapped[int] = mapped_column(Serial)
    face: Mapped[str | None] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(10))
    input_kind: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20), default="consumer")
    state: Mapped[str] = mapped_column(String(20))  # the unit's state when scanned
    scanned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Keyed hash of the address (per brand), never the address itself: enough to spot one
    # source scanning many codes, nothing to identify a person by.
    source_hash: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    region_code: Mapped[str | None] = mapped_column(String(6))
    located_at: Mapped[dt.datetime | None]
