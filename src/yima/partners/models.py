"""The brand's channel partners: warehouses and their storage locations, dealers (经销商) with their
territories, stores (门店), and the channel accounts (渠道账号) of the people who work for them.

Region codes are GB/T 2260 codes of geo's global ``regions`` table, checked by the service (not
by a foreign key: the reference data belongs to geo and changes once a year).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    column,
)
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
        Index("ix_stores_tenant_salesman", "tenant_id", "salesman_id"),
        tenant_fk(["dealer_id"], "dealers"),
        # Stores and channel roles point at each other (a role's store, a store's salesman): this
        # key is added after both tables exist.
        ForeignKeyConstraint(
            ["tenant_id", "salesman_id"], ["channel_roles.tenant_id", "channel_roles.id"], use_alter=True
        ),
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
    tags: Mapped[list[str]] = mapped_column(default=list, server_default="[]")  # 标签: 宴席店, 核心店 …
    # The salesman (业务员) who looks after the store: an active salesman role of its dealer or of the brand.
    salesman_id: Mapped[int | None] = mapped_column(BigIntFK)
    active: Mapped[bool] = mapped_column(default=True)


_NO_PARTNER = column("dealer_id").is_(None) & column("store_id").is_(None) & column("region_code").is_(None)


class ChannelRole(IdMixin, TenantScoped, TimestampMixin, Base):
    """A role a person (members' One ID) holds: the owner or a staff member of a dealer, the owner
    or a clerk of a store, a salesman of a dealer or of the brand, a guide of a store or of an
    area's guide group (rules.ROLE_KINDS, rules.ROLE_TIES). Its status decides whether the person
    may act in it; a person may hold several (a store owner who is also a dealer's clerk)."""

    __tablename__ = "channel_roles"
    __table_args__ = tenant_table_args(
        # One role of a kind per person and partner (the partner column its kind leaves empty is
        # NULL, which a unique constraint does not compare, so each constraint binds one family;
        # the brand's own salesmen, with no partner, are the partial index's).
        UniqueConstraint("tenant_id", "dealer_id", "person_id", "kind"),
        UniqueConstraint("tenant_id", "store_id", "person_id", "kind"),
        UniqueConstraint("tenant_id", "region_code", "person_id", "kind"),
        Index(
            "uq_channel_roles_tenant_brand_person_kind",
            *("tenant_id", "person_id", "kind"),
            unique=True,
            sqlite_where=_NO_PARTNER,
            postgresql_where=_NO_PARTNER,
        ),
        Index("ix_channel_roles_tenant_person", "tenant_id", "person_id"),
        # Area guides by district (rebates find the guides of where a consumer scanned).
        Index("ix_channel_roles_tenant_region", "tenant_id", "region_code"),
        tenant_fk(["person_id"], "persons"),
        tenant_fk(["dealer_id"], "dealers"),
        tenant_fk(["store_id"], "stores"),
        # At most one of what a role is tied to (rules.ROLE_TIES; none: a salesman of the brand).
        CheckConstraint(
            "(dealer_id IS NULL OR store_id IS NULL)"
            " AND (region_code IS NULL OR (dealer_id IS NULL AND store_id IS NULL))",
            name="one_tie",
        ),
    )

    person_id: Mapped[int] = mapped_column(BigIntFK)
    kind: Mapped[str] = mapped_column(String(20))
    dealer_id: Mapped[int | None] = mapped_column(BigIntFK)
    store_id: Mapped[int | None] = mapped_column(BigIntFK)
    region_code: Mapped[str | None] = mapped_column(String(6))  # an area guide's district
    name: Mapped[str] = mapped_column(String(60), default="")  # how the person is called in this role
    status: Mapped[str] = mapped_column(String(10), default="active")  # rules.ROLE_STATUSES
    # A role asked for by the person (registration by scanning, a dealer's invite) rather than
    # granted by staff: when they accepted the privacy terms (隐私协议), where their phone was,
    # whether the request made its store (approving it opens the store), and why it was refused.
    consented_at: Mapped[dt.datetime | None]
    located_region: Mapped[str | None] = mapped_column(String(6))
    new_store: Mapped[bool] = mapped_column(default=False)
    review_note: Mapped[str] = mapped_column(String(200), default="")


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
