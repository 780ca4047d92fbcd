"""Rebate policies (返利政策), goods registered to a store (货权登记) and rebate credits (返利明细):
one row per payout, hold, release or forfeit, keyed so that a code pays each receiver once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, TenantScoped, TimestampMixin, tenant_fk, tenant_table_args

BigIntFK = BigInteger().with_variant(Integer(), "sqlite")


class RebatePolicy(IdMixin, TenantScoped, TimestampMixin, Base):
    """A policy of one kind (rules.KINDS) over some products, paying fixed amounts per case
    (Bb) or per bottle (bC, BbC) from its wallet budget (opened on activation)."""

    __tablename__ = "rebate_policies"
    __table_args__ = tenant_table_args(
        Index("ix_rebate_policies_tenant_kind_state", "tenant_id", "kind", "state"),
        CheckConstraint("store_fen >= 0 AND dealer_fen >= 0", name="amounts"),
    )

    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(12))  # rules.KINDS
    state: Mapped[str] = mapped_column(String(12))  # rules.STATES
    product_ids: Mapped[list[int]]  # empty: every product
    store_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    dealer_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    salesman_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # BbC: the store's 业务员
    guide_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # guide policies: the 导购
    starts_at: Mapped[dt.datetime | None]
    ends_at: Mapped[dt.datetime | None]
    budget_account_id: Mapped[int | None] = mapped_column(BigIntFK)
    # A purchase rebate's coupon (货补券): so many units of a product, redeemable for coupon_days;
    # store_fen is its value, what the budget pays the dealer who honours it.
    coupon_product_id: Mapped[int | None] = mapped_column(BigIntFK)
    coupon_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    coupon_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class GoodsRegistration(IdMixin, TenantScoped, Base):
    """货权: a case or bottle a store registered by scanning it; the first store keeps it."""

    __tablename__ = "rebate_registrations"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "serial"))

    serial: Mapped[int] = mapped_column(BigInteger)
    store_id: Mapped[int] = mapped_column(BigIntFK)
    dealer_id: Mapped[int | None] = mapped_column(BigIntFK)
    person_id: Mapped[int] = mapped_column(BigIntFK)
    registered_at: Mapped[dt.datetime]


class GuideRegistration(IdMixin, TenantScoped, Base):
    """A bottle a guide (导购) registered by scanning its cap's outer code: consumer scans of it
    pay that guide under guide policies; the first guide keeps it."""

    __tablename__ = "rebate_guide_registrations"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "serial"))

    serial: Mapped[int] = mapped_column(BigInteger)
    role_id: Mapped[int] = mapped_column(BigIntFK)  # the guide's role (partners' channel_roles)
    person_id: Mapped[int] = mapped_column(BigIntFK)
    store_id: Mapped[int | None] = mapped_column(BigIntFK)  # the guide's store; None for an area's guide
    registered_at: Mapped[dt.datetime]


class RebateCredit(IdMixin, TenantScoped, TimestampMixin, Base):
    """One receiver's rebate for one code under one policy: paid, held (Bb), released,
    forfeited, or not paid (no account, budget exhausted), with the reason told to the receiver."""

    __tablename__ = "rebate_credits"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "policy_id", "serial", "receiver_kind"),
        Index("ix_rebate_credits_tenant_receiver", "tenant_id", "receiver_kind", "receiver_id"),
        Index("ix_rebate_credits_tenant_person", "tenant_id", "person_id"),
        Index("ix_rebate_credits_tenant_serial", "tenant_id", "serial"),
        tenant_fk(["policy_id"], "rebate_policies"),
        CheckConstraint("amount_fen > 0", name="amount"),
    )

    policy_id: Mapped[int] = mapped_column(BigIntFK)
    serial: Mapped[int] = mapped_column(BigInteger)
    receiver_kind: Mapped[str] = mapped_column(String(8))  # rules.RECEIVERS
    receiver_id: Mapped[int] = mapped_column(BigIntFK)  # a store or dealer; a salesman's or guide's role
    person_id: Mapped[int | None] = mapped_column(BigIntFK)  # who the money went to
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))  # rules.CREDIT_STATES
    reason: Mapped[str] = mapped_column(String(200))
    trigger: Mapped[str] = mapped_column(String(60))  # what caused it: scan:…, event:…
    journal_id: Mapped[int | None] = mapped_column(BigIntFK)
    region_code: Mapped[str | None] = mapped_column(String(12))


class RebateCoupon(IdMixin, TenantScoped, TimestampMixin, Base):
    """A purchase rebate's product coupon (货补券), issued to a store for a case it opened, once
    per (policy, case); the store's dealer honours it (核销) and is paid its value from the
    policy's budget. Issued coupons not yet expired reserve their value in that budget."""

    __tablename__ = "rebate_coupons"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "policy_id", "serial"),
        Index("ix_rebate_coupons_tenant_store", "tenant_id", "store_id"),
        Index("ix_rebate_coupons_tenant_dealer", "tenant_id", "dealer_id"),
        Index("ix_rebate_coupons_tenant_policy_state", "tenant_id", "policy_id", "state"),
        tenant_fk(["policy_id"], "rebate_policies"),
        CheckConstraint("value_fen > 0 AND quantity > 0", name="amounts"),
    )

    policy_id: Mapped[int] = mapped_column(BigIntFK)
    serial: Mapped[int] = mapped_column(BigInteger)  # the case opened
    store_id: Mapped[int] = mapped_column(BigIntFK)
    dealer_id: Mapped[int | None] = mapped_column(BigIntFK)  # who honours it: the store's dealer
    person_id: Mapped[int] = mapped_column(BigIntFK)  # who opened the case
    product_id: Mapped[int] = mapped_column(BigIntFK)
    quantity: Mapped[int] = mapped_column(Integer)
    value_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(10))  # rules.COUPON_STATES
    reason: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime]
    redeemed_at: Mapped[dt.datetime | None]
    journal_id: Mapped[int | None] = mapped_column(BigIntFK)  # the budget's payment to the dealer
