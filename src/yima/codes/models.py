"""Codes: a brand's namespace (token prefix, serial counter), suppliers, batches (one row per
batch, never one per code), activation and block ranges, units (rows only once something happens
to them), exports and legacy codes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, TenantScoped, tenant_fk, tenant_table_args, utcnow

Serial = BigInteger().with_variant(Integer(), "sqlite")
RefId = BigInteger().with_variant(Integer(), "sqlite")


class CodeNamespace(IdMixin, TenantScoped, Base):
    """A brand's token prefix (globally unique, so a token names its brand) and serial counter."""

    __tablename__ = "code_namespaces"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id"), UniqueConstraint("prefix"))

    prefix: Mapped[str] = mapped_column(String(3))
    next_serial: Mapped[int] = mapped_column(Serial, default=1)
    # The brand's own scan host, e.g. https://m.brand.cn; printed URLs use it.
    public_base_url: Mapped[str | None] = mapped_column(String(200))


class Supplier(IdMixin, TenantScoped, Base):
    """Who prints or applies codes: a cap factory, a carton printer, a production line."""

    __tablename__ = "code_suppliers"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "name"))

    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    contact: Mapped[str] = mapped_column(String(120), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CodeBatch(IdMixin, TenantScoped, Base):
    """A contiguous range of serials for one level, printed by one supplier."""

    __tablename__ = "code_batches"
    __table_args__ = tenant_table_args(
        Index("ix_code_batches_tenant_first", "tenant_id", "first_serial"),
        tenant_fk(["supplier_id"], "code_suppliers"),
        tenant_fk(["product_id"], "products"),
    )

    level: Mapped[str] = mapped_column(String(10))
    faces: Mapped[list[str]]
    quantity: Mapped[int] = mapped_column(BigInteger)
    first_serial: Mapped[int] = mapped_column(Serial)
    last_serial: Mapped[int] = mapped_column(Serial)
    supplier_id: Mapped[int] = mapped_column(RefId)
    # Known at print time only for some batches; it enables GS1 Digital Link URLs.
    product_id: Mapped[int | None] = mapped_column(RefId)
    # The GTIN those links carry, the product's when the batch was made: what is printed stays
    # valid when the catalog's GTIN changes later (a typo fixed, a new pack).
    gtin: Mapped[str | None] = mapped_column(String(14))
    state: Mapped[str] = mapped_column(String(20), default="generating")
    job_id: Mapped[int | None] = mapped_column(RefId)
    note: Mapped[str] = mapped_column(String(500), default="")
    legacy: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    generated_at: Mapped[dt.datetime | None]
    exported_at: Mapped[dt.datetime | None]
    received_at: Mapped[dt.datetime | None]
    voided_at: Mapped[dt.datetime | None]
    void_reason: Mapped[str | None] = mapped_column(String(200))


class Assignment(IdMixin, TenantScoped, Base):
    """空码赋值: serials ``serial_from..serial_to`` of a batch are product P, lot L — and active."""

    __tablename__ = "code_assignments"
    __table_args__ = tenant_table_args(
        Index("ix_code_assignments_tenant_from", "tenant_id", "serial_from"),
        tenant_fk(["batch_id"], "code_batches"),
        tenant_fk(["product_id"], "products"),
    )

    batch_id: Mapped[int] = mapped_column(RefId)
    serial_from: Mapped[int] = mapped_column(Serial)
    serial_to: Mapped[int] = mapped_column(Serial)
    product_id: Mapped[int] = mapped_column(RefId)
    lot: Mapped[str] = mapped_column(String(60), default="")
    production_date: Mapped[dt.date | None] = mapped_column(Date)
    line: Mapped[str] = mapped_column(String(60), default="")
    source: Mapped[str] = mapped_column(String(20), default="line")
    activated_by: Mapped[str] = mapped_column(String(200), default="")
    activated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CodeBlock(IdMixin, TenantScoped, Base):
    """Serials voided (作废) or blacklisted (拉黑) with a reason: they never pay anything."""

    __tablename__ = "code_blocks"
    __table_args__ = tenant_table_args(Index("ix_code_blocks_tenant_from", "tenant_id", "serial_from"))

    serial_from: Mapped[int] = mapped_column(Serial)
    serial_to: Mapped[int] = mapped_column(Serial)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Unit(IdMixin, TenantScoped, Base):
    """A unit that something has happened to (packed, shipped, scanned): where it sits."""

    __tablename__ = "code_units"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "serial"),
        Index("ix_code_units_tenant_parent", "tenant_id", "parent_serial"),
    )

    serial: Mapped[int] = mapped_column(Serial)
    level: Mapped[str] = mapped_column(String(10))
    parent_serial: Mapped[int | None] = mapped_column(Serial)
    packed_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LegacyCode(IdMixin, TenantScoped, Base):
    """A code printed by a previous vendor: its printed string maps to one of our units."""

    __tablename__ = "code_legacy"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "code"), Index("ix_code_legacy_tenant_serial", "tenant_id", "serial")
    )

    code: Mapped[str] = mapped_column(String(200))
    serial: Mapped[int] = mapped_column(Serial)
    face: Mapped[str] = mapped_column(String(10))


class CodeExport(IdMixin, TenantScoped, Base):
    """An encrypted package of a batch for one supplier. Its key is shown once and kept only
    (wrapped) until the package is built."""

    __tablename__ = "code_exports"
    __table_args__ = tenant_table_args(
        Index("ix_code_exports_tenant_batch", "tenant_id", "batch_id"),
        tenant_fk(["batch_id"], "code_batches"),
        tenant_fk(["supplier_id"], "code_suppliers"),
    )

    batch_id: Mapped[int] = mapped_column(RefId)
    supplier_id: Mapped[int] = mapped_column(RefId)
    format: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    wrapped_key: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    job_id: Mapped[int | None] = mapped_column(RefId)
    downloads: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]


class LegacyImport(IdMixin, TenantScoped, Base):
    """A file of legacy codes being imported (streamed, resumable, all or nothing)."""

    __tablename__ = "code_legacy_imports"
    __table_args__ = tenant_table_args(tenant_fk(["batch_id"], "code_batches"))

    file_name: Mapped[str] = mapped_column(String(200))
    stored_path: Mapped[str] = mapped_column(String(500))
    level: Mapped[str] = mapped_column(String(10))
    supplier_id: Mapped[int] = mapped_column(RefId)
    # The face of rows that do not say (no face column, or an empty cell).
    default_face: Mapped[str] = mapped_column(String(10), default="inner")
    state: Mapped[str] = mapped_column(String(20), default="queued")
    rows_total: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_done: Mapped[int] = mapped_column(BigInteger, default=0)
    # The first problems found (rules.LEGACY_PROBLEMS_KEPT of them), and how many there were.
    problems: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    problem_count: Mapped[int] = mapped_column(BigInteger, default=0)
    batch_id: Mapped[int | None] = mapped_column(RefId)
    job_id: Mapped[int | None] = mapped_column(RefId)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
