"""Analytics' answers: channel inventory (渠道库存), goods age (货龄), diversion counts (窜货), the
live campaign dashboard (活动实时看板)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from yima.campaigns.schemas import PrizeStats
from yima.rebates.schemas import StateTotal

Group = Literal["dealer", "store", "product", "region"]
RegionLevel = Literal["province", "city"]


class InventoryFilter(BaseModel):
    group: Group = "dealer"
    dealer_id: int | None = Field(default=None, ge=1, le=2**63 - 1, description="Only this dealer and its stores")
    product_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    region_level: RegionLevel = Field(default="city", description="For group=region")


class InventoryRow(BaseModel):
    """Bottles: ``stock = received − shipped − consumed``; ``age`` splits the stock by 货龄."""

    key: str = Field(description="dealer:{id}, store:{id}, product:{id} or region:{code}")
    kind: str
    id: int | None = None
    code: str | None = None
    name: str
    region_code: str | None = None
    received: int = 0
    shipped: int = 0
    consumed: int = 0
    stock: int = 0
    age: dict[str, int] = Field(default_factory=dict, description="bucket (0-30, 31-90, 91-180, 180+ days) → bottles")


class InventoryReport(BaseModel):
    group: Group
    buckets: list[str]
    rows: list[InventoryRow]
    total: InventoryRow
    consumption_current: bool = Field(
        default=True,
        description="False while consumer scans are still being taken in (a background job "
        "catches up): the consumed figures lag",
    )


class DiversionSummaryRow(BaseModel):
    key: str
    name: str
    open: int = 0
    confirmed: int = 0
    dismissed: int = 0
    total: int = 0


class DiversionSummary(BaseModel):
    group: Group
    rows: list[DiversionSummaryRow]
    total: DiversionSummaryRow


# The live campaign dashboard (活动实时看板) -------------------------------------------------------


class DashboardKpis(BaseModel):
    """The campaign's figures since it began, and today's (tenant-local). Money in fen."""

    scans: int = Field(description="scans that took part in the campaign")
    scanners: int = Field(description="distinct persons among them")
    awards: int
    winners: int = Field(description="distinct persons awarded")
    fallback_awards: int = Field(description="awards of the fallback prize (保底奖)")
    win_rate: float | None = Field(description="awards / scans (None before the first scan)")
    spent_fen: int = Field(description="charged to the budget (cash paid and prizes' cost)")
    cash_fen: int = Field(description="cash awarded (红包)")
    budget_fen: int
    budget_used: float | None = Field(description="spent / budget, 0–1 (None: no budget)")
    today_scans: int
    today_awards: int
    today_winners: int
    today_spent_fen: int = Field(description="today's spend the pacing cap holds against")
    daily_cap_fen: int | None = Field(description="the pacing cap (每日预算); None: none")
    held_for_review: int = Field(description="scans held by risk control, awaiting review")
    review_rejected: int = Field(description="held scans a reviewer rejected")
    risk_rejected: int = Field(description="scans risk control rejected outright")


class HourPoint(BaseModel):
    """One tenant-local hour of today, and the same hour of the day before."""

    hour: int
    scans: int = 0
    awards: int = 0
    spent_fen: int = 0
    prev_scans: int = 0
    prev_awards: int = 0


class DayPoint(BaseModel):
    day: str = Field(description="tenant-local ISO date")
    scans: int = 0
    scanners: int = 0
    awards: int = 0
    winners: int = 0
    spent_fen: int = 0
    held: int = Field(default=0, description="scans whose outcome is still 'held' (risk review)")
    rejected: int = Field(default=0, description="scans whose outcome is 'rejected'")


class RegionPoint(BaseModel):
    code: str | None = Field(description="a province (510000) or, in a province, a city (510100); None: not located")
    name: str | None
    scans: int = 0
    awards: int = 0
    spent_fen: int = 0


class CampaignDashboard(BaseModel):
    """活动实时看板: what one campaign has done so far, for staff watching it run."""

    campaign_id: int
    name: str
    state: str = Field(description="the campaign's state now: draft, scheduled, running, paused or ended")
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    as_of: dt.datetime = Field(description="when the figures were read (UTC)")
    today: str = Field(description="the brand's local date")
    kpis: DashboardKpis
    outcomes: dict[str, int] = Field(description="scans per draw outcome, since the campaign began")
    hours: list[HourPoint] = Field(description="24 entries: today's hours 0–23 beside the day before's")
    days: list[DayPoint] = Field(description="the campaign's last 14 days (up to today), oldest first")
    region: str | None = Field(description="the province the regions are cities of; None: regions are provinces")
    region_name: str | None
    regions: list[RegionPoint] = Field(description="most scans first; the not-located last")
    prizes: list[PrizeStats] = Field(description="the prize pool with stock left, awards and spend")


# Channel metrics (渠道指标 / 返利看板) ------------------------------------------------------------


class MetricsPeriod(BaseModel):
    """Tenant-local days, both included; without them, the last ``DEFAULT_DAYS`` days to today."""

    since: dt.date | None = Field(default=None, description="First local day (YYYY-MM-DD)")
    until: dt.date | None = Field(default=None, description="Last local day, included (YYYY-MM-DD)")


class ScanRate(BaseModel):
    """Who scanned how much of what reached them, beside the norm the seeds give."""

    role: Literal["consumer", "store"]
    role_name: str
    scanned: int | None = Field(description="Bottles consumers scanned / cases stores registered; null: not known")
    base: int = Field(description="Bottles activated / cases dealers and stores received in the period")
    rate: float | None = Field(description="scanned / base; null without a base")
    norm_low: float
    norm_high: float
    why: str = Field(description="How the figure is counted")


class CostRow(BaseModel):
    """Rebate money paid (paid and released credits) under one key."""

    key: str
    name: str
    count: int
    amount_fen: int


class ChannelMetrics(BaseModel):
    since: dt.date
    until: dt.date
    scan_rates: list[ScanRate]
    cost_fen: int = Field(description="All rebate money paid in the period")
    by_policy: list[CostRow]
    by_region: list[CostRow]
    by_dealer: list[CostRow] = Field(description="A store's credits count for its dealer")
    bb: list[StateTotal] = Field(description="Bb credits last changed in the period, by state")
