"""The brand's channel partners: warehouses and their storage locations, dealers (经销商) with their
territories, stores (门店), and the channel accounts (渠道账号) of the people who work for them.

Region codes are GB/T 2260 codes of geo's global ``regions`` table, checked by the service (not
by a foreign key: the reference data belongs to geo and changes once a year).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, TenantScoped, TimestampMixin, tenant_fk, tenant_table_args, utcnow

BigIntFK = BigInteger().with_variant(Integer(), "sqlite")


class Warehouse(IdMixin, TenantScoped, TimestampMixin, Base):
    """A place that holds goods: the factory's finished-goods store, a central or regional
    warehouse (later also a dealer's own)."""

    __tablename__ = "warehouses"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "code"))

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))  # rules.WAREHOUSE_KINDS
    address: Mapped[str] = mapped_column(String(200), default="")
    region_code: Mapped[str | None] = mapped_column(String(6))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    active: Mapped[bool] = mapped_column(default=True)


class WarehouseLocation(IdMixin, TenantScoped, TimestampMixin, Base):
    """A storage location inside a warehouse (库位): an area, aisle or bin."""

    __tablename__ = "warehouse_locations"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "warehouse_id", "code"),
        tenant_fk(["warehouse_id"], "warehouses"),
    )

    warehouse_id: Mapped[int] = mapped_column(BigIntFK)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)


class Dealer(IdMixin, TenantScoped, TimestampMixin, Base):
    """A dealer (经销商, the B of F2B2b2C). ``level`` 1 buys from the brand; a sub-distributor
    (level 2, 分销商) buys from its ``parent_id`` (multi-level distribution comes later)."""

    __tablename__ = "dealers"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "code"),
        Index("ix_dealers_tenant_parent", "tenant_id", "parent_id"),
        Index("ix_dealers_tenant_region", "tenant_id", "region_code"),
        tenant_fk(["parent_id"], "dealers"),
        CheckConstraint("level >= 1", name="level"),
    )

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    region_code: Mapped[str | None] = mapped_column(String(6))  # where the dealer is seated
    level: Mapped[int] = mapped_column(SmallInteger, default=1)
    parent_id: Mapped[int | None] = mapped_column(BigIntFK)
    active: Mapped[bool] = mapped_column(default=True)


class DealerTerritory(IdMixin, TenantScoped, Base):
    """One region of a dealer's sales territory (经营区域): a province, city or district code.
    A territory is the set of a dealer's rows; a code covers the regions under it."""

    __tablename__ = "dealer_territories"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "dealer_id", "region_code"),
        # Which dealers cover a region (the diversion report's "whose territory was it").
        Index("ix_dealer_territories_tenant_region", "tenant_id", "region_code"),
        tenant_fk(["dealer_id"], "dealers", ondelete="CASCADE"),
    )

    dealer_id: Mapped[int] = mapped_column(BigIntFK)
    region_code: Mapped[str] = mapped_column(String(6))


class Store(IdMixin, TenantScoped, TimestampMixin, Base):
    """A store (门店 / 终端, the b): supplied by its dealer, placed by its region and point."""

    __tablename__ = "stores"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "code"),
        Index("ix_stores_tenant_dealer", "tenant_id", "dealer_id"),
        Index("ix_stores_tenant_region", "tenant_id", "region_code"),
        tenant_fk(["dealer_id"], "dealers"),
    )

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    # None: not assigned yet (a store that registered itself by scanning, later).
    dealer_id: Mapped[int | None] = mapped_column(BigIntFK)
    owner_name: Mapped[str] = mapped_column(String(60), default="")
    owner_phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    region_code: Mapped[str | None] = mapped_column(String(6))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    category: Mapped[str | None] = mapped_column(String(40))  # 烟酒店, 餐饮, 商超 …
    grade: Mapped[str | None] = mapped_column(String(10))  # A, B, C …
    active: Mapped[bool] = mapped_column(default=True)


class ChannelRole(IdMixin, TenantScoped, TimestampMixin, Base):
    """A role a person (members' One ID) holds for a partner: the owner or a staff member of a
    dealer, the owner or a clerk of a store (rules.ROLE_KINDS). Its status decides whether the
    person may act in it; a person may hold several (a store owner who is also a dealer's clerk)."""

    __tablename__ = "channel_roles"
    __table_args__ = tenant_table_args(
        # One role of a kind per person and partner (the partner column its kind leaves empty is
        # NULL, which a unique constraint does not compare, so each constraint binds one family).
        UniqueConstraint("tenant_id", "dealer_id", "person_id", "kind"),
        UniqueConstraint("tenant_id", "store_id", "person_id", "kind"),
        Index("ix_channel_roles_tenant_person", "tenant_id", "person_id"),
        tenant_fk(["person_id"], "persons"),
        tenant_fk(["dealer_id"], "dealers"),
        tenant_fk(["store_id"], "stores"),
        # Exactly the partner its kind names (rules.ROLE_PARTNER): dealer roles a dealer, store roles a store.
        CheckConstraint("(dealer_id IS NULL) <> (store_id IS NULL)", name="one_partner"),
    )

    person_id: Mapped[int] = mapped_column(BigIntFK)
    kind: Mapped[str] = mapped_column(String(20))
    dealer_id: Mapped[int | None] = mapped_column(BigIntFK)
    store_id: Mapped[int | None] = mapped_column(BigIntFK)
    name: Mapped[str] = mapped_column(String(60), default="")  # how the person is called in this role
    status: Mapped[str] = mapped_column(String(10), default="active")  # rules.ROLE_STATUSES


class ChannelSession(IdMixin, TenantScoped, Base):
    """A channel account signed in on a phone (cookie) or a mini-program (Bearer token). Found
    by the token's hash before the brand is known, so the hash is unique across brands."""

    __tablename__ = "channel_sessions"
    __table_args__ = tenant_table_args(
        UniqueConstraint("token_hash"),
        Index("ix_channel_sessions_tenant_person", "tenant_id", "person_id"),
        tenant_fk(["person_id"], "persons"),
    )

    token_hash: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(BigIntFK)
    csrf_token: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
