"""Analytics' own tables: the consumed bottles (开瓶/消费者扫码), one row per bottle, charged to
whoever held it when a consumer first scanned it, and the scan records read so far."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, TenantScoped, tenant_table_args

RefId = BigInteger().with_variant(Integer(), "sqlite")


class ConsumedBottle(IdMixin, TenantScoped, Base):
    """A bottle's first consumer scan, with the holder (dealer or store) that held it then —
    from the latest logistics event up to the scan — and when that holder received it.
    A bottle no holder held (in a warehouse, on the road) has no holder and counts nowhere."""

    __tablename__ = "analytics_consumed"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "serial"),
        Index("ix_analytics_consumed_tenant_holder", "tenant_id", "holder_kind", "holder_id"),
    )

    serial: Mapped[int] = mapped_column(BigInteger)
    scan_id: Mapped[int] = mapped_column(RefId)
    scanned_at: Mapped[dt.datetime]
    product_id: Mapped[int | None] = mapped_column(RefId)
    holder_kind: Mapped[str | None] = mapped_column(String(10))  # dealer | store
    holder_id: Mapped[int | None] = mapped_column(RefId)
    received_at: Mapped[dt.datetime | None]  # when the holder received it (its 货龄 started)


class ScanCursor(IdMixin, TenantScoped, Base):
    """The last scan record taken into ``analytics_consumed`` (scan ids only grow)."""

    __tablename__ = "analytics_scan_cursor"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id"))

    last_scan_id: Mapped[int] = mapped_column(RefId, default=0)
