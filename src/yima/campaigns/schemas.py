"""The campaigns' request and response shapes. Money is integer fen (分) throughout."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from yima.campaigns.rules import PrizeKind, Role, State
from yima.geo.schemas import RegionCode
from yima.platform.types import MAX_ID, RefId

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]*$")
]
Fen = Annotated[int, Field(ge=0, le=10**13, description="Integer fen (分)")]
Serial = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_ITEMS = 500


class SerialRange(BaseModel):
    first: Serial
    last: Serial

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.last < self.first:
            raise ValueError("last must not be before first")
        return self


class Scope(BaseModel):
    """Which codes take part (活动范围): any of the products, batches or serial ranges; all empty
    means every code of the brand."""

    product_ids: list[RefId] = Field(default_factory=list, max_length=MAX_ITEMS)
    batch_ids: list[RefId] = Field(default_factory=list, max_length=MAX_ITEMS)
    serial_ranges: list[SerialRange] = Field(default_factory=list, max_length=MAX_ITEMS)


class Targeting(BaseModel):
    """Who may win, when, where (定向: 天时 地利 人和); an empty list means no restriction. The
    date range is the campaign's ``starts_at``/``ends_at``."""

    hours: list[Annotated[int, Field(ge=0, le=23)]] = Field(default_factory=list, max_length=24)
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = Field(default_factory=list, max_length=7)
    holidays: list[dt.date] = Field(default_factory=list, max_length=366)
    holiday_mode: Literal["any", "only", "exclude"] = "any"
    regions: list[RegionCode] = Field(default_factory=list, max_length=MAX_ITEMS)
    dealer_ids: list[RefId] = Field(default_factory=list, max_length=MAX_ITEMS)
    store_ids: list[RefId] = Field(default_factory=list, max_length=MAX_ITEMS)
    member_levels: list[Annotated[str, StringConstraints(min_length=1, max_length=20)]] = Field(
        default_factory=list, max_length=50
    )
    member_tags: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=MAX_ITEMS
    )
    scanner: Literal["any", "new", "returning"] = "any"
    nth_scans: list[Annotated[int, Field(ge=1, le=10_000)]] = Field(default_factory=list, max_length=100)


class Limits(BaseModel):
    """Per-person limits (每人每天 / 每人累计) and awards per code and role (1: 一码一奖; more:
    一码多扫, e.g. at a banquet)."""

    per_person_day: Annotated[int, Field(ge=1)] | None = None
    per_person_total: Annotated[int, Field(ge=1)] | None = None
    scans_per_code: Annotated[int, Field(ge=1, le=10_000)] = 1


class PrizeIn(BaseModel):
    """One prize: cash is ``amount_fen`` (fixed) or ``min_fen``..``max_fen`` (random); other
    kinds cost the budget ``cost_fen`` each. ``stock`` None: unlimited; ``budget_fen`` None: only
    the campaign's budget limits it. Exactly one prize is the ``fallback`` (保底奖), unlimited."""

    name: Name
    kind: PrizeKind
    weight: Annotated[int, Field(ge=0, le=10**9)] = 1
    amount_fen: Annotated[int, Field(ge=1, le=10**9)] | None = None
    min_fen: Annotated[int, Field(ge=1, le=10**9)] | None = None
    max_fen: Annotated[int, Field(ge=1, le=10**9)] | None = None
    points: Annotated[int, Field(ge=1, le=10**9)] | None = None
    coupon_ref: Annotated[str, StringConstraints(max_length=64)] = ""
    cost_fen: Fen = 0
    stock: Annotated[int, Field(ge=0, le=10**9)] | None = None
    budget_fen: Fen | None = None
    fallback: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind == "cash":
            fixed, ranged = self.amount_fen is not None, self.min_fen is not None and self.max_fen is not None
            if fixed == ranged:
                raise ValueError("cash is either amount_fen or min_fen..max_fen")
            if ranged and self.max_fen < self.min_fen:  # type: ignore[operator]
                raise ValueError("max_fen must not be below min_fen")
        elif self.amount_fen is not None or self.min_fen is not None or self.max_fen is not None:
            raise ValueError("only cash prizes have amounts; give cost_fen")
        if self.kind == "points" and self.points is None:
            raise ValueError("points prizes say how many points")
        if self.fallback and self.stock is not None:
            raise ValueError("the fallback prize has unlimited stock")
        return self


EXAMPLE: dict[str, Any] = {
    "name": "春节扫码赢红包",
    "audience": "consumer",
    "budget_fen": 1_000_000,
    "daily_cap_fen": 100_000,
    "limits": {"per_person_day": 3, "per_person_total": 20, "scans_per_code": 1},
    "prizes": [
        {"name": "88元红包", "kind": "cash", "amount_fen": 8800, "weight": 1, "stock": 10},
        {"name": "随机红包", "kind": "cash", "min_fen": 30, "max_fen": 500, "weight": 20},
        {"name": "10积分", "kind": "points", "points": 10, "fallback": True},
    ],
}


class CampaignCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    name: Name
    description: Annotated[str, StringConstraints(max_length=500)] = ""
    audience: Role = "consumer"
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    budget_fen: Fen
    daily_cap_fen: Fen | None = None
    scope: Scope = Field(default_factory=Scope)
    targeting: Targeting = Field(default_factory=Targeting)
    limits: Limits = Field(default_factory=Limits)
    prizes: list[PrizeIn] = Field(default_factory=list, max_length=50)


class CampaignUpdate(BaseModel):
    """Only what is sent changes; once published only rules.EDITABLE_LIVE may."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "春节扫码赢红包（加码）"}]})

    name: Name | None = None
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    audience: Role | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    budget_fen: Fen | None = None
    daily_cap_fen: Fen | None = None
    scope: Scope | None = None
    targeting: Targeting | None = None
    limits: Limits | None = None
    prizes: list[PrizeIn] | None = Field(default=None, max_length=50)


class PrizeRead(PrizeIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    stock_left: int | None
    spent_fen: int
    awarded: int


class CampaignRead(BaseModel):
    id: int
    name: str
    description: str
    audience: Role
    state: State  # effective now
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    budget_fen: int
    daily_cap_fen: int | None
    spent_fen: int
    scope: Scope
    targeting: Targeting
    limits: Limits
    prizes: list[PrizeRead]
    budget_account_id: int | None
    published_at: dt.datetime | None
    ended_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CampaignFilter(BaseModel):
    state: State | None = None
    q: Annotated[str, StringConstraints(max_length=60)] | None = None


class SimulationRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"expected_scans": 100_000}]})

    expected_scans: Annotated[int, Field(ge=1, le=10**9)]


class PrizeForecast(BaseModel):
    prize_id: int | None
    name: str
    kind: PrizeKind
    expected_count: float
    expected_cost_fen: float
    runs_out_at_scan: float | None  # stock or its own budget gone after this many scans


class Simulation(BaseModel):
    """Expected outcome of ``expected_scans`` valid scans (an exact expectation of the draw's
    fluid model: see docs/campaigns.md)."""

    expected_scans: int
    expected_cost_fen: float
    budget_fen: int
    budget_exhausted_at_scan: float | None
    unawarded_scans: float  # scans after even the fallback no longer fits the budget
    prizes: list[PrizeForecast]


class AwardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    campaign_id: int
    prize_id: int
    scan_ref: str
    person_id: int
    code_serial: int
    role: Role
    seq: int
    kind: PrizeKind
    prize_name: str
    amount_fen: int
    points: int | None
    cost_fen: int
    fallback: bool
    reason: str
    journal_id: int | None
    created_at: dt.datetime
    replayed: bool = False
