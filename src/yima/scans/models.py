"""Scan records: every time a printed code is scanned, who (as far as known), when and where."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, TenantScoped, tenant_table_args, utcnow

Serial = BigInteger
RefId = BigInteger().with_variant(Integer(), "sqlite")


class ScanRecord(IdMixin, TenantScoped, Base):
    """One scan of one printed code. Append-only except for its location, which the scanner's
    phone may add once, shortly after (the page asks for it), and for the draw's outcome and its
    review (风控审核), which the scan page's draw and the review queue fill in."""

    __tablename__ = "scan_records"
    __table_args__ = tenant_table_args(
        Index("ix_scan_records_tenant_serial", "tenant_id", "serial", "id"),
        Index("ix_scan_records_tenant_person", "tenant_id", "person_id", "id"),
        Index("ix_scan_records_tenant_review", "tenant_id", "review_state", "id"),
        Index("ix_scan_records_tenant_campaign", "tenant_id", "campaign_id", "local_day"),
        # A client's retry of one scan (Idempotency-Key) finds the first answer.
        UniqueConstraint("tenant_id", "person_id", "client_key"),
    )

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
    local_day: Mapped[str | None] = mapped_column(String(10))  # tenant-local ISO date
    local_hour: Mapped[int | None] = mapped_column(SmallInteger)
    # Who scanned (a members person, a visitor's until a phone is verified) and from what.
    person_id: Mapped[int | None] = mapped_column(RefId)
    device_hash: Mapped[str | None] = mapped_column(String(32))
    net_hash: Mapped[str | None] = mapped_column(String(32))  # the source's /24 (IPv4) or /48 (IPv6)
    client_key: Mapped[str | None] = mapped_column(String(64))
    # The draw: which campaign, what risk control decided and why, what came of it.
    campaign_id: Mapped[int | None] = mapped_column(RefId)
    risk_decision: Mapped[str | None] = mapped_column(String(10))  # pay, fallback, review, reject
    risk_reasons: Mapped[list[str] | None]
    outcome: Mapped[str] = mapped_column(String(20), default="verified")
    award_id: Mapped[int | None] = mapped_column(RefId)
    review_state: Mapped[str | None] = mapped_column(String(10))  # pending, approved, rejected
    reviewed_by: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[dt.datetime | None]
