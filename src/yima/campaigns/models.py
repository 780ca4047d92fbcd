"""Campaigns (扫码活动), their prizes (奖品), the awards made (中奖记录) and the counters the draw
decrements and increments with conditional writes (per code, per person, per day).

Scope, targeting and limits are validated documents (schemas.Scope, Targeting, Limits) stored as
JSON: read whole by the draw, never queried by their parts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import (
    Base,
    IdMixin,
    TenantScoped,
    TimestampMixin,
    tenant_fk,
    tenant_table_args,
    utcnow,
)

BigIntFK = BigInteger().with_variant(Integer(), "sqlite")


class Campaign(IdMixin, TenantScoped, TimestampMixin, Base):
    """A scan-to-win campaign. ``state`` is the stored one (rules.effective_state adds the clock).
    What it spent is counted in ``slices`` rows of CampaignDay (day "total"), whose quotas sum to
    ``budget_fen`` (service/spend.py)."""

    __tablename__ = "campaigns"
    __table_args__ = tenant_table_args(Index("ix_campaigns_tenant_state", "tenant_id", "state"))

    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    audience: Mapped[str] = mapped_column(String(12))  # rules.ROLES
    state: Mapped[str] = mapped_column(String(12))  # rules.STATES
    starts_at: Mapped[dt.datetime | None]
    ends_at: Mapped[dt.datetime | None]
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    daily_cap_fen: Mapped[int | None] = mapped_column(BigInteger)
    slices: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    scope: Mapped[dict[str, Any]]
    targeting: Mapped[dict[str, Any]]
    limits: Mapped[dict[str, Any]]
    budget_account_id: Mapped[int | None] = mapped_column(BigIntFK)  # wallet's budget (opened on publish)
    published_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]


class CampaignPrize(IdMixin, TenantScoped, Base):
    """One prize of the pool; ``stock_left`` and ``spent_fen`` move by conditional updates only."""

    __tablename__ = "campaign_prizes"
    __table_args__ = tenant_table_args(
        Index("ix_campaign_prizes_tenant_campaign", "tenant_id", "campaign_id"),
        tenant_fk(["campaign_id"], "campaigns", ondelete="CASCADE"),
        CheckConstraint("stock_left IS NULL OR stock_left >= 0", name="stock_left"),
        CheckConstraint("budget_fen IS NULL OR spent_fen <= budget_fen", name="prize_spent_within_budget"),
    )

    campaign_id: Mapped[int] = mapped_column(BigIntFK)
    position: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))  # rules.PRIZE_KINDS
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    min_fen: Mapped[int | None] = mapped_column(BigInteger)
    max_fen: Mapped[int | None] = mapped_column(BigInteger)
    points: Mapped[int | None] = mapped_column(Integer)
    coupon_ref: Mapped[str] = mapped_column(String(64), default="")
    cost_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    weight: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int | None] = mapped_column(Integer)
    stock_left: Mapped[int | None] = mapped_column(Integer)
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)
    spent_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    awarded: Mapped[int] = mapped_column(Integer, default=0)
    fallback: Mapped[bool] = mapped_column(default=False)


class CampaignAward(IdMixin, TenantScoped, Base):
    """One award (中奖记录), snapshotting what was won and why. At most ``scans_per_code`` per
    code and role (the unique key on ``seq``), one per scan (replays return it)."""

    __tablename__ = "campaign_awards"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "campaign_id", "code_serial", "role", "seq"),
        UniqueConstraint("tenant_id", "campaign_id", "scan_ref"),
        Index("ix_campaign_awards_tenant_person", "tenant_id", "person_id"),
        tenant_fk(["campaign_id"], "campaigns"),
        tenant_fk(["prize_id"], "campaign_prizes"),
    )

    campaign_id: Mapped[int] = mapped_column(BigIntFK)
    prize_id: Mapped[int] = mapped_column(BigIntFK)
    scan_ref: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(BigIntFK)
    code_serial: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(12))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    prize_name: Mapped[str] = mapped_column(String(80))
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    points: Mapped[int | None] = mapped_column(Integer)
    cost_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    fallback: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(80))
    journal_id: Mapped[int | None] = mapped_column(BigIntFK)  # the wallet's, for cash
    day: Mapped[str] = mapped_column(String(10))  # tenant-local ISO date
    local_hour: Mapped[int] = mapped_column(SmallInteger, default=0)  # tenant-local, for the dashboard
    region_code: Mapped[str | None] = mapped_column(String(6))  # where the scan was, when known
    created_at: Mapped[dt.datetime]


class CampaignCodeCount(IdMixin, TenantScoped, Base):
    """Awards made for one code and role (一码一奖, or up to N for 一码多扫)."""

    __tablename__ = "campaign_code_counts"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "campaign_id", "code_serial", "role"),
        tenant_fk(["campaign_id"], "campaigns", ondelete="CASCADE"),
    )

    campaign_id: Mapped[int] = mapped_column(BigIntFK)
    code_serial: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(12))
    awards: Mapped[int] = mapped_column(Integer)


class CampaignPersonCount(IdMixin, TenantScoped, Base):
    """Awards made to one person, per tenant-local day (``period`` an ISO date), in total
    (``period`` = "total") and, where a code awards several times (一码多扫), on each code
    (``period`` = "code:<serial>")."""

    __tablename__ = "campaign_person_counts"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "campaign_id", "person_id", "period"),
        tenant_fk(["campaign_id"], "campaigns", ondelete="CASCADE"),
    )

    campaign_id: Mapped[int] = mapped_column(BigIntFK)
    person_id: Mapped[int] = mapped_column(BigIntFK)
    period: Mapped[str] = mapped_column(String(32))
    awards: Mapped[int] = mapped_column(Integer)


class CampaignDay(IdMixin, TenantScoped, Base):
    """Spend and awards of one tenant-local day (``day`` an ISO date: the pacing cap, 每日预算,
    holds against it) or of the whole campaign (``day`` = "total": the budget), in slices so
    that concurrent draws do not queue on one row: each slice has a quota (``cap_fen``; NULL:
    no cap) that its spend never passes, and the quotas of a period sum to its cap (they move
    between slices only with every slice locked: service/spend.py)."""

    __tablename__ = "campaign_days"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "campaign_id", "day", "slice"),
        tenant_fk(["campaign_id"], "campaigns", ondelete="CASCADE"),
        CheckConstraint("cap_fen IS NULL OR spent_fen <= cap_fen", name="spent_within_quota"),
    )

    campaign_id: Mapped[int] = mapped_column(BigIntFK)
    day: Mapped[str] = mapped_column(String(10))
    slice: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    cap_fen: Mapped[int | None] = mapped_column(BigInteger)
    spent_fen: Mapped[int] = mapped_column(BigInteger)
    awards: Mapped[int] = mapped_column(Integer)


# risk control (风控) ----------------------------------------------------------------------------


class CampaignRiskCounter(TenantScoped, Base):
    """Scans of one subject (a person, or a keyed digest of a device, an address or a /24 network)
    in one fixed window (a minute, an hour, the brand's local day), counted by one multi-row
    upsert per scan. No surrogate id: the key is the row, written on every scan (three indexes
    would be two too many), and leads with the window's start so purging old windows is a
    range delete (campaigns.purge_risk_counters, windows older than two days)."""

    __tablename__ = "campaign_risk_counters"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "starts_at", "span", "subject", "subject_key"),)

    starts_at: Mapped[dt.datetime]
    span: Mapped[str] = mapped_column(String(6))  # risk.SPANS
    subject: Mapped[str] = mapped_column(String(6))  # risk.SUBJECTS
    subject_key: Mapped[str] = mapped_column(String(32))
    scans: Mapped[int] = mapped_column(Integer)


class CampaignBlacklistEntry(IdMixin, TenantScoped, Base):
    """A blacklist entry (黑名单): scans matching it get the brand's blacklist response. ``value``
    is normalised by kind (risk.normalise_entry); an IP entry is an address or a CIDR block."""

    __tablename__ = "campaign_blacklist"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "kind", "value"))

    kind: Mapped[str] = mapped_column(String(8))  # risk.BLACKLIST_KINDS
    value: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime | None]
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CampaignRiskSettings(IdMixin, TenantScoped, Base):
    """A brand's risk settings (one row; the defaults until changed): a schemas.RiskSettings
    document, validated whole on every change."""

    __tablename__ = "campaign_risk_settings"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id"))

    document: Mapped[dict[str, Any]]
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CampaignGiftDelivery(IdMixin, TenantScoped, TimestampMixin, Base):
    """Where a physical gift (实物奖品) goes: the address its winner gave and its shipping (发货).
    One per gift award; the winner may correct it until it ships. The recipient, phone and
    address are personal information (PIPL): shown to the winner and to staff who ship, never
    logged, never in the audit log."""

    __tablename__ = "campaign_gift_deliveries"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "award_id"),
        Index("ix_campaign_gift_deliveries_tenant_state", "tenant_id", "state", "id"),
        tenant_fk(["award_id"], "campaign_awards"),
        tenant_fk(["campaign_id"], "campaigns"),
    )

    award_id: Mapped[int] = mapped_column(BigIntFK)
    campaign_id: Mapped[int] = mapped_column(BigIntFK)
    recipient_name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(11))
    region_code: Mapped[str | None] = mapped_column(String(6))  # GB/T 2260, when the winner chose one
    address: Mapped[str] = mapped_column(String(200))  # the detail: street, building, room
    state: Mapped[str] = mapped_column(String(10))  # pending (address in, not shipped), shipped
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_no: Mapped[str | None] = mapped_column(String(40))
    shipped_at: Mapped[dt.datetime | None]
    shipped_by: Mapped[str | None] = mapped_column(String(80))
