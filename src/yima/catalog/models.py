"""Packaging specs and products of a brand."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, TenantScoped, TimestampMixin, tenant_fk, tenant_table_args

BigIntFK = BigInteger().with_variant(Integer(), "sqlite")


class PackagingSpec(IdMixin, TenantScoped, TimestampMixin, Base):
    """How a product is packed (bottle → case → pallet) and which code faces each level carries."""

    __tablename__ = "packaging_specs"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint("bottles_per_case >= 1", name="bottles_per_case"),
        CheckConstraint("cases_per_pallet >= 1", name="cases_per_pallet"),
    )

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    bottles_per_case: Mapped[int]
    cases_per_pallet: Mapped[int]
    # Faces printed on each level: a subset of ["outer", "inner"] (rules.LEVEL_FACES).
    bottle_faces: Mapped[list[str]] = mapped_column(default=lambda: ["outer", "inner"])
    case_faces: Mapped[list[str]] = mapped_column(default=lambda: ["outer", "inner"])
    pallet_faces: Mapped[list[str]] = mapped_column(default=lambda: ["outer"])
    active: Mapped[bool] = mapped_column(default=True)


class Product(IdMixin, TenantScoped, TimestampMixin, Base):
    """A sellable item (one SKU). ``gtin`` is the normalised 14-digit GTIN, unique when present."""

    __tablename__ = "products"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "sku"),
        UniqueConstraint("tenant_id", "gtin"),
        Index("ix_products_tenant_status", "tenant_id", "status"),
        Index("ix_products_tenant_spec", "tenant_id", "packaging_spec_id"),
        tenant_fk(["packaging_spec_id"], "packaging_specs"),
    )

    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    gtin: Mapped[str | None] = mapped_column(String(14))
    specification: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(60), default="")
    # An external image URL, or a file uploaded into data_dir/catalog/<tenant_id>/ (its name).
    image_url: Mapped[str | None] = mapped_column(String(500))
    image_file: Mapped[str | None] = mapped_column(String(80))
    packaging_spec_id: Mapped[int | None] = mapped_column(BigIntFK)
    status: Mapped[str] = mapped_column(String(20), default="active")
