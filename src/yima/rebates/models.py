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
    starts_at: Mapped[dt.datetime | None]
    ends_at: Mapped[dt.datetime | None]
    budget_account_id: Mapped[int | None] = mapped_column(BigIntFK)


class GoodsRegistration(IdMixin, TenantScoped, Base):
    """货权: a case or bottle a store registered by scanning it; the first store keeps it."""

    __tablename__ = "rebate_registrations"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "serial"))

    serial: Mapped[int] = mapped_column(BigInteger)
    store_id: Mapped[int] = mapped_column(BigIntFK)
    dealer_id: Mapped[int | None] = mapped_column(BigIntFK)
    person_id: Mapped[int] = mapped_column(BigIntFK)
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
    receiver_kind: Mapped[str] = mapped_column(String(8))  # store, dealer
    receiver_id: Mapped[int] = mapped_column(BigIntFK)
    person_id: Mapped[int | None] = mapped_column(BigIntFK)  # who the money went to
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16))  # rules.CREDIT_STATES
    reason: Mapped[str] = mapped_column(String(200))
    trigger: Mapped[str] = mapped_column(String(60))  # what caused it: scan:…, event:…
    journal_id: Mapped[int | None] = mapped_column(BigIntFK)
    region_code: Mapped[str | None] = mapped_column(String(12))
