"""The ledger (总账) and the payouts (提现).

Every account keeps its balance on its own row, changed only by journals (记账凭证) whose entries
sum to zero, in the same transaction, by a conditional UPDATE (wallet.repository) so an account
that may not go negative never does. Amounts are integer fen (分).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, TenantScoped, tenant_fk, tenant_table_args, utcnow

BigIntFK = BigInteger().with_variant(Integer(), "sqlite")


class Account(IdMixin, TenantScoped, Base):
    """An account of the ledger (账户). ``kind`` is one of ``rules.KINDS``; a budget is owned by
    something of another context (``owner_kind``/``owner_ref``: "campaign"/"42"), a participant
    wallet by a person of members (``owner_kind`` "person", ``owner_ref`` the person id); the
    brand-level accounts have empty owners. ``balance`` is the sum of the account's entries.

    A budget may be split into slices (分片) so that concurrent awards do not queue on one row:
    each slice is an account of its own (same kind, owner and name; ``slice`` 1, 2 …) and the
    budget is slice 0, the account other contexts know; its money is the sum of its slices."""

    __tablename__ = "wallet_accounts"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "kind", "currency", "owner_kind", "owner_ref", "slice"),
        Index("ix_wallet_accounts_tenant_kind", "tenant_id", "kind", "id"),
        # Defence in depth: the conditional update keeps it, the database refuses a bug.
        CheckConstraint("balance >= 0 OR kind = 'funding'", name="balance_not_negative"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(8), default="CNY")
    owner_kind: Mapped[str] = mapped_column(String(40), default="")
    owner_ref: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(120), default="")
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    slice: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    closed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Journal(IdMixin, TenantScoped, Base):
    """One movement of money (记账凭证): its entries sum to zero. ``key`` makes it idempotent:
    a retried request finds the journal of its first attempt instead of moving money again;
    ``fingerprint`` tells a retry from a different request that reused the key."""

    __tablename__ = "wallet_journals"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "key"),
        Index("ix_wallet_journals_tenant_kind", "tenant_id", "kind", "id"),
        tenant_fk(["reverses_id"], "wallet_journals"),
    )

    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(8), default="CNY")
    amount: Mapped[int] = mapped_column(BigInteger)  # the headline amount, positive
    memo: Mapped[str] = mapped_column(String(200), default="")
    ref_type: Mapped[str] = mapped_column(String(40), default="")
    ref_id: Mapped[str] = mapped_column(String(64), default="")
    reverses_id: Mapped[int | None] = mapped_column(BigIntFK)
    actor_kind: Mapped[str] = mapped_column(String(20), default="system")
    actor_id: Mapped[int | None] = mapped_column(BigIntFK)
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Entry(IdMixin, TenantScoped, Base):
    """One line of a journal (分录): signed fen on one account, and the account's balance after it."""

    __tablename__ = "wallet_entries"
    __table_args__ = tenant_table_args(
        Index("ix_wallet_entries_tenant_account", "tenant_id", "account_id", "id"),
        Index("ix_wallet_entries_tenant_journal", "tenant_id", "journal_id"),
        tenant_fk(["journal_id"], "wallet_journals"),
        tenant_fk(["account_id"], "wallet_accounts"),
    )

    journal_id: Mapped[int] = mapped_column(BigIntFK)
    account_id: Mapped[int] = mapped_column(BigIntFK)
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)


class PayoutBatch(IdMixin, TenantScoped, Base):
    """A batch sent to a payout provider (转账批次), at most ``rules.MAX_BATCH`` payouts. Written
    and committed before the provider is called; ``out_batch_no`` comes from the id, so a retry
    after a crash is the same batch to the provider, never a second one."""

    __tablename__ = "wallet_payout_batches"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "out_batch_no"),
        Index("ix_wallet_payout_batches_tenant_due", "tenant_id", "status", "next_attempt_at"),
    )

    provider: Mapped[str] = mapped_column(String(20))
    out_batch_no: Mapped[str] = mapped_column(String(32))
    # What the batch says of itself, fixed when it is made: a resend must be the same batch to
    # the provider even if the brand's name or payout settings changed in between.
    name: Mapped[str] = mapped_column(String(32))
    remark: Mapped[str] = mapped_column(String(32))
    scene_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12))  # rules.BATCH_STATUSES
    total_amount: Mapped[int] = mapped_column(BigInteger)
    total_num: Mapped[int] = mapped_column(Integer)
    provider_batch_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]


class Payout(IdMixin, TenantScoped, Base):
    """A withdrawal of a participant's money to their WeChat balance (提现), through its state
    machine (rules.PAYOUT_TRANSITIONS): requested → submitted → succeeded | failed."""

    __tablename__ = "wallet_payouts"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "person_id", "key"),
        Index("ix_wallet_payouts_tenant_status", "tenant_id", "status", "id"),
        Index("ix_wallet_payouts_tenant_person_day", "tenant_id", "person_id", "local_day"),
        Index("ix_wallet_payouts_tenant_batch", "tenant_id", "batch_id"),
        tenant_fk(["account_id"], "wallet_accounts"),
        tenant_fk(["batch_id"], "wallet_payout_batches"),
        tenant_fk(["request_journal_id"], "wallet_journals"),
        tenant_fk(["settle_journal_id"], "wallet_journals"),
        CheckConstraint("amount > 0 AND fee >= 0", name="amounts"),
    )

    person_id: Mapped[int] = mapped_column(BigIntFK)
    account_id: Mapped[int] = mapped_column(BigIntFK)
    key: Mapped[str] = mapped_column(String(120))
    amount: Mapped[int] = mapped_column(BigInteger)  # what the person receives
    fee: Mapped[int] = mapped_column(BigInteger)  # the platform's service fee, borne by the brand
    fee_bps: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(20))
    destination: Mapped[str] = mapped_column(String(128), default="")  # WeChat openid
    remark: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(12), default="requested")
    local_day: Mapped[str] = mapped_column(String(10))  # the brand's local day, for the daily cap
    batch_id: Mapped[int | None] = mapped_column(BigIntFK)
    out_detail_no: Mapped[str | None] = mapped_column(String(32))
    provider_detail_id: Mapped[str | None] = mapped_column(String(64))
    request_journal_id: Mapped[int] = mapped_column(BigIntFK)
    settle_journal_id: Mapped[int | None] = mapped_column(BigIntFK)
    fail_code: Mapped[str | None] = mapped_column(String(64))
    fail_message: Mapped[str | None] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    settled_at: Mapped[dt.datetime | None]


class WalletSettings(IdMixin, TenantScoped, Base):
    """A brand's payout settings (one row; defaults until someone changes them)."""

    __tablename__ = "wallet_settings"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id"))

    fee_bps: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(20))
    min_withdrawal_fen: Mapped[int] = mapped_column(BigInteger)
    max_transfer_fen: Mapped[int] = mapped_column(BigInteger)
    daily_cap_fen: Mapped[int] = mapped_column(BigInteger)
    transfer_scene_id: Mapped[str] = mapped_column(String(32))
    transfer_remark: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Reconciliation(IdMixin, TenantScoped, Base):
    """A reconciliation report (对账): the payouts of a period compared with what the provider
    says of them. ``lines`` lists every payout that did not match, with why."""

    __tablename__ = "wallet_reconciliations"
    __table_args__ = tenant_table_args(Index("ix_wallet_reconciliations_tenant_created", "tenant_id", "id"))

    since: Mapped[dt.datetime]
    until: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(12), default="running")
    checked: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]


class SandboxTransfer(IdMixin, TenantScoped, Base):
    """What the sandbox provider "paid" (沙箱): its own record, so its answers to queries (and so
    reconciliation) are the same in every process, like a real provider's."""

    __tablename__ = "wallet_sandbox_transfers"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "out_detail_no"),
        Index("ix_wallet_sandbox_transfers_tenant_batch", "tenant_id", "out_batch_no"),
    )

    out_batch_no: Mapped[str] = mapped_column(String(32))
    out_detail_no: Mapped[str] = mapped_column(String(32))
    openid: Mapped[str] = mapped_column(String(128), default="")
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))
    fail_reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
