"""The campaigns' request and response shapes. Money is integer fen (分) throughout."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from yima.campaigns.risk import BlacklistKind, Decision, normalise_entry
from yima.campaigns.rules import PrizeKind, Role, State
from yima.geo.schemas import RegionCode
from yima.platform.types import MAX_ID, Moment, RefId, RequestBody

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]*$")
]
Fen = Annotated[int, Field(ge=0, le=10**13, description="Integer fen (分)")]
Serial = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_ITEMS = 500


def _member_level(value: object) -> object:
    """Levels are integers (会员等级, VIP0 = 0 …): 4, "4" and " 4" are the level "4". Anything
    else is kept as sent, for the service to refuse naming the field (a stored document must
    still load)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return str(int(value))
    return value


MemberLevel = Annotated[str, BeforeValidator(_member_level), StringConstraints(min_length=1, max_length=20)]


class SerialRange(RequestBody):
    first: Serial
    last: Serial

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.last < self.first:
            raise ValueError("last must not be before first")
        return self


class Scope(RequestBody):
    """Which codes take part (活动范围): any of the products, batches or serial ranges; all empty
    means every code of the brand."""

    product_ids: list[RefId] = Field(default_factory=list, max_length=MAX_ITEMS)
    batch_ids: list[RefId] = Field(default_factory=list, max_length=MAX_ITEMS)
    serial_ranges: list[SerialRange] = Field(default_factory=list, max_length=MAX_ITEMS)


class Targeting(RequestBody):
    """Who may win, when, where (定向: 天时 地利 人和); an empty list means no restriction. The
    date range is the campaign's ``starts_at``/``ends_at``."""

    hours: list[Annotated[int, Field(ge=0, le=23)]] = Field(default_factory=list, max_length=24)
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = Field(default_factory=list, max_length=7)
    holidays: list[dt.date] = Field(default_factory=list, max_length=366)
    holiday_mode: Literal["any", "only", "exclude"] = "any"
    regions: list[RegionCode] = Field(default_factory=list, max_length=MAX_ITEMS)
    dealer_ids: list[RefId] = Field(default_factory=list, max_length=MAX_ITEMS)
    store_ids: list[RefId] = Field(default_factory=list, max_length=MAX_ITEMS)
    member_levels: list[MemberLevel] = Field(default_factory=list, max_length=50)
    member_tags: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=MAX_ITEMS
    )
    scanner: Literal["any", "new", "returning"] = "any"
    nth_scans: list[Annotated[int, Field(ge=1, le=10_000)]] = Field(default_factory=list, max_length=100)


class Limits(RequestBody):
    """Per-person limits (每人每天 / 每人累计) and awards per code and role (1: 一码一奖; more:
    一码多扫, e.g. at a banquet)."""

    per_person_day: Annotated[int, Field(ge=1)] | None = None
    per_person_total: Annotated[int, Field(ge=1)] | None = None
    scans_per_code: Annotated[int, Field(ge=1, le=10_000)] = 1


class PrizeIn(RequestBody):
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


class CampaignCreate(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    name: Name
    description: Annotated[str, StringConstraints(max_length=500)] = ""
    audience: Role = "consumer"
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    budget_fen: Fen
    daily_cap_fen: Fen | None = None
    scope: Scope = Field(default_factory=Scope)
    targeting: Targeting = Field(default_factory=Targeting)
    limits: Limits = Field(default_factory=Limits)
    prizes: list[PrizeIn] = Field(default_factory=list, max_length=50)


class CampaignUpdate(RequestBody):
    """Only what is sent changes, within scope, targeting and limits too (``{"limits":
    {"per_person_total": 3}}`` keeps the other limits); once published only rules.EDITABLE_LIVE
    may. Null clears ``starts_at``, ``ends_at`` and ``daily_cap_fen`` and nothing else."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "春节扫码赢红包（加码）"}]})

    name: Name | None = None
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    audience: Role | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    budget_fen: Fen | None = None
    daily_cap_fen: Fen | None = None
    scope: Scope | None = None
    targeting: Targeting | None = None
    limits: Limits | None = None
    prizes: list[PrizeIn] | None = Field(default=None, max_length=50)

    @field_validator("name", "description", "audience", "budget_fen", "scope", "targeting", "limits", "prizes")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:  # sent as null (a field left out is not validated)
            raise ValueError("may not be null: leave it out to keep it")
        return value


class PrizeRead(PrizeIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")  # an answer, not a request

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


class SimulationRequest(RequestBody):
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


# The live dashboard's figures (service/stats.py: award_stats) ----------------------------------


class AwardTally(BaseModel):
    """Awards made, distinct winners (persons), what they charged the budget (``cost_fen``),
    the cash among it and how many were the fallback prize (保底奖)."""

    awards: int = 0
    winners: int = 0
    cost_fen: int = 0
    cash_fen: int = 0
    fallback_awards: int = 0


class DayAwards(AwardTally):
    day: str  # tenant-local ISO date


class HourAwards(BaseModel):
    day: str
    hour: int  # tenant-local, 0–23
    awards: int = 0
    cost_fen: int = 0


class RegionAwards(BaseModel):
    region_code: str | None  # where the scan was (GB/T 2260, usually a district); None: unknown
    awards: int = 0
    cost_fen: int = 0


class PrizeStats(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: PrizeKind
    fallback: bool
    stock: int | None  # None: unlimited
    stock_left: int | None
    awarded: int
    spent_fen: int
    budget_fen: int | None


class AwardStats(BaseModel):
    """One campaign's awards for the live dashboard: its budget and pacing, totals since it
    began, by tenant-local day and hour since ``since_day``, by region since it began, by prize."""

    campaign_id: int
    name: str
    state: State
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    published_at: dt.datetime | None
    ended_at: dt.datetime | None
    budget_fen: int
    spent_fen: int
    daily_cap_fen: int | None
    today: str  # tenant-local ISO date
    paced_today_fen: int  # today's spend the pacing cap (每日预算) holds against
    total: AwardTally
    days: list[DayAwards]  # oldest first; days without awards are left out
    hours: list[HourAwards]
    regions: list[RegionAwards]
    prizes: list[PrizeStats]


# risk control (风控) --------------------------------------------------------------------------

Limit = Annotated[int, Field(ge=1, le=10**7)]
RESPONSE = "pay (reason still stored) | fallback: the fallback prize only | review: held | reject: no prize"


class RiskRule(BaseModel):
    """More than ``limit`` → ``response``."""

    limit: Limit | None = Field(description="More than this many triggers the response; null: the rule is off")
    response: Decision = Field(description=RESPONSE)


class CounterRules(BaseModel):
    """Scans of one subject in a minute, an hour and the brand's local day (fixed windows)."""

    minute: RiskRule
    hour: RiskRule
    day: RiskRule


class DistanceRule(BaseModel):
    km: Annotated[float, Field(gt=0, le=5000)] | None = Field(
        description="Scanned more than this many km outside the goods' territory; null: off"
    )
    response: Decision = Field(description=RESPONSE)


def _counter_rules(minute: tuple[int, Decision], hour: tuple[int, Decision], day: tuple[int, Decision]) -> Any:
    return lambda: CounterRules(
        minute=RiskRule(limit=minute[0], response=minute[1]),
        hour=RiskRule(limit=hour[0], response=hour[1]),
        day=RiskRule(limit=day[0], response=day[1]),
    )


RISK_EXAMPLE: dict[str, Any] = {
    "enabled": True, "serial_burst": {"limit": 8, "response": "review"}, "blacklist_response": "reject",
    "person": {"minute": {"limit": 10, "response": "review"}, "hour": {"limit": 60, "response": "fallback"},
               "day": {"limit": 200, "response": "reject"}},
}  # fmt: skip


class RiskSettings(BaseModel):
    """A brand's risk control (风控规则): counters per person, device, IP address and network
    (/24, IPv6 /48) over a minute, an hour and a day; bursts of consecutive serials; scans far
    from the goods' territory; blacklists. The defaults suit real consumer traffic (docs/campaigns.md)."""

    model_config = ConfigDict(json_schema_extra={"examples": [RISK_EXAMPLE]})

    enabled: bool = Field(default=True, description="false: every scan is paid, no counter is kept")
    person: CounterRules = Field(
        default_factory=_counter_rules((10, "review"), (60, "fallback"), (200, "reject")),
        description="Scans by one person (会员 or visitor)",
    )
    device: CounterRules = Field(
        default_factory=_counter_rules((10, "review"), (60, "fallback"), (200, "reject")),
        description="Scans from one device id",
    )
    ip: CounterRules = Field(
        default_factory=_counter_rules((60, "fallback"), (300, "review"), (1000, "reject")),
        description="Scans from one IP address (often shared: carrier NAT, a banquet hall's Wi-Fi)",
    )
    net: CounterRules = Field(
        default_factory=_counter_rules((120, "fallback"), (600, "review"), (3000, "reject")),
        description="Scans from one network: IPv4 /24, IPv6 /48",
    )
    serial_burst: RiskRule = Field(
        default_factory=lambda: RiskRule(limit=8, response="review"),
        description="Neighbouring serials (within 5 either side) scanned in the last 10 minutes by this "
        "person or network: a roll of leaked codes worked through",
    )
    far_from_territory: DistanceRule = Field(
        default_factory=lambda: DistanceRule(km=200, response="fallback"),
        description="Distance outside the dealer territory the goods were shipped to (窜货)",
    )
    blacklist_response: Decision = Field(default="reject", description="What a blacklisted scan gets")


class RiskRuleUpdate(RequestBody):
    limit: Limit | None = None
    response: Decision | None = None


class CounterRulesUpdate(RequestBody):
    minute: RiskRuleUpdate | None = None
    hour: RiskRuleUpdate | None = None
    day: RiskRuleUpdate | None = None


class DistanceRuleUpdate(RequestBody):
    km: Annotated[float, Field(gt=0, le=5000)] | None = None
    response: Decision | None = None


class RiskSettingsUpdate(RequestBody):
    """Only what is sent changes, to any depth (``{"person": {"minute": {"limit": 15}}}``); a
    ``limit`` or ``km`` sent as null switches that rule off."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"person": {"minute": {"limit": 15}}, "ip": {"day": {"response": "review"}}}]}
    )

    enabled: bool | None = None
    person: CounterRulesUpdate | None = None
    device: CounterRulesUpdate | None = None
    ip: CounterRulesUpdate | None = None
    net: CounterRulesUpdate | None = None
    serial_burst: RiskRuleUpdate | None = None
    far_from_territory: DistanceRuleUpdate | None = None
    blacklist_response: Decision | None = None


class BlacklistEntryCreate(RequestBody):
    """One blacklist entry (黑名单). ``value`` by ``kind``: person — a person id; phone — a
    mainland mobile number; device — the device id the client sends; ip — an address or a
    CIDR block (``203.0.113.0/24``); serial — a code's serial number."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "ip", "value": "203.0.113.0/24", "reason": "机房IP段，批量刷奖", "expires_at": None}]
        }
    )

    kind: BlacklistKind
    value: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    expires_at: Moment | None = Field(default=None, description="null: until removed")

    @field_validator("value")
    @classmethod
    def _normalised(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        return normalise_entry(kind, value) if kind else value


class BlacklistEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: BlacklistKind
    value: str
    reason: str
    expires_at: dt.datetime | None
    active: bool = Field(description="false once expires_at has passed")
    created_by: str
    created_at: dt.datetime


class BlacklistEntryFilter(BaseModel):
    kind: BlacklistKind | None = None
    q: Annotated[str, StringConstraints(max_length=60)] | None = Field(default=None, description="part of the value")
    active: bool | None = Field(default=None, description="true: unexpired only; false: expired only")
