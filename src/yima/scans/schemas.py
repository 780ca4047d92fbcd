"""Scans' request and response shapes."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yima.campaigns.schemas import AwardRead
from yima.campaigns.service.gifts import GiftStatus
from yima.members.schemas import MemberProfile
from yima.platform.types import RequestBody
from yima.scans.rules import Outcome
from yima.wallet.schemas import PayoutRead, WalletRead, WithdrawalQuote


class ScanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    serial: int
    face: str | None
    level: str
    input_kind: str
    role: str
    state: str
    scanned_at: dt.datetime
    user_agent: str | None
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    region_code: str | None
    located_at: dt.datetime | None
    person_id: int | None
    campaign_id: int | None
    outcome: str
    risk_decision: str | None
    risk_reasons: list[str] | None
    award_id: int | None
    review_state: str | None


class ScanFilter(BaseModel):
    code: str | None = Field(None, max_length=500, description="Any printed form of one code")


class ScanLocation(RequestBody):
    """Where the phone was, sent by the code page right after the scan (with the scanner's consent)."""

    code: str = Field(min_length=1, max_length=500, description="the code as scanned (its URL)")
    scan: int = Field(ge=1, le=2**62)
    proof: str = Field(min_length=16, max_length=64, pattern=r"^[0-9a-f]+$")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0, le=100_000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "https://example.cn/c/A7K0000000000000000",
                    "scan": 1,
                    "proof": "0" * 32,
                    "lat": 31.23,
                    "lon": 121.47,
                    "accuracy_m": 30,
                }
            ]
        }
    )


class Notice(BaseModel):
    code: str
    text: str


class CodePage(BaseModel):
    """What the public code page shows (防伪查询): the verdict and why to be careful."""

    verdict: str
    product_name: str | None
    product_sku: str | None
    level: str
    lot: str | None
    production_date: dt.date | None
    scan_count: int
    first_scanned_at: dt.datetime | None  # in the brand's time zone
    first_region: str | None
    warnings: list[Notice]
    scan_id: int
    proof: str
    brand_name: str
    code: str  # as scanned, for the location report
    draw_offered: bool = False  # a running campaign awaits this scan's draw (the page's button)


class TypedCode(RequestBody):
    """A code a consumer typed on a brand's query page (防伪查询): the 防伪码 beside the QR code, or
    a previous vendor's code. Typed digits name no brand, so the page (or app) says whose it is."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"brand": "demo", "code": "8666 0554 5404"}]})

    brand: str = Field(min_length=1, max_length=40, description="the brand's slug")
    code: str = Field(min_length=1, max_length=100, description="as typed: spaces, hyphens, full-width digits")


class ScanCreate(RequestBody):
    """A scan sent by a mini-program or an app (the phone page posts the same through its form).
    The visitor is the ``X-Yima-Visitor`` header (or cookie); without one a new visitor is made
    and its token returned. A retry with the same ``Idempotency-Key`` header gets the first answer."""

    code: str = Field(min_length=1, max_length=500, description="the scanned code: its URL, or the token alone")
    lat: float | None = Field(None, ge=-90, le=90, description="where the phone was (with the scanner's consent)")
    lon: float | None = Field(None, ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0, le=100_000)
    device_id: str | None = Field(
        None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$", description="the app's device id"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"code": "https://example.cn/c/A7K0000000000000000", "lat": 30.66, "lon": 104.06}]
        }
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("send lat and lon together")
        return self


class DrawResult(BaseModel):
    """What came of the scan's draw (抽奖结果): ``outcome`` and, when one was made, the award."""

    outcome: Outcome
    message: str
    campaign_id: int | None = None
    award: AwardRead | None = None
    address_required: bool = Field(
        False, description="a physical gift (实物奖品): send the address to /api/v1/scans/me/awards/{award.id}/address"
    )


class ScanResult(CodePage):
    """The whole answer to a scan: the code page's verdict and the draw."""

    draw: DrawResult
    visitor_token: str | None = Field(None, description="set when a new visitor was made: keep it for next time")
    replayed: bool = False


class ConsumerWallet(BaseModel):
    """我的奖励: the visitor's wallet, who they are to the brand, what they won, their withdrawals."""

    profile: MemberProfile
    wallet: WalletRead
    quote: WithdrawalQuote = Field(description="the platform fee on a 1-yuan withdrawal (the brand bears it)")
    awards: list[AwardRead]
    payouts: list[PayoutRead]
    points: int = Field(0, description="积分 earned: the points prizes won, all campaigns together")
    gifts: list[GiftStatus] = Field(default_factory=list, description="physical gifts won, with their delivery")


class WithdrawalCreate(RequestBody):
    """提现 to WeChat balance. ``key`` makes a retry withdraw once (a new key per withdrawal)."""

    amount_fen: int = Field(ge=1, le=10**9, description="fen (分); WeChat's minimum is 10")
    key: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    openid: str | None = Field(
        None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$", description="WeChat payouts: the openid"
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"amount_fen": 500, "key": "wd-2026-11-26-0001"}]})


# The live dashboard's figures (service/stats.py: scan_stats) -----------------------------------


class ScanTally(BaseModel):
    """The scans that took part in a campaign (``campaign_id`` set), the distinct scanners
    (persons), and the scans per draw outcome, per risk decision and per review state."""

    scans: int = 0
    scanners: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict, description="outcome → scans")
    risk: dict[str, int] = Field(default_factory=dict, description="risk decision (pay|fallback|review|reject) → scans")
    reviews: dict[str, int] = Field(
        default_factory=dict, description="review state (pending|approved|rejected) → scans"
    )


class ScanDay(BaseModel):
    day: str  # tenant-local ISO date
    scans: int = 0
    scanners: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict)


class ScanHour(BaseModel):
    day: str
    hour: int  # tenant-local, 0–23
    scans: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict)


class ScanRegion(BaseModel):
    region_code: str | None  # GB/T 2260 (usually a district); None: not located
    scans: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict)


class ScanStats(BaseModel):
    """One campaign's scans for the live dashboard: in total, per tenant-local day and hour from
    ``since_day`` (days and hours without scans left out), per region since the campaign began."""

    campaign_id: int
    total: ScanTally
    days: list[ScanDay]
    hours: list[ScanHour]
    regions: list[ScanRegion]


class ReviewFilter(BaseModel):
    state: Literal["pending", "approved", "rejected"] = "pending"
    campaign_id: int | None = Field(None, ge=1, le=2**62)


class RiskReason(BaseModel):
    code: str
    zh: str
    en: str


class ReviewRead(BaseModel):
    """A scan risk control held for review (风控审核), with why, and what came of it."""

    scan_id: int
    serial: int
    scanned_at: dt.datetime  # the brand's local time
    person_id: int | None
    campaign_id: int | None
    region_code: str | None
    risk_decision: str | None
    reasons: list[RiskReason]
    review_state: str | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    outcome: str
    award: AwardRead | None = None


class ReviewDecision(RequestBody):
    """approve: the scan draws now (as it would have); reject: it wins nothing."""

    decision: Literal["approve", "reject"]
    note: str = Field("", max_length=200)

    model_config = ConfigDict(json_schema_extra={"examples": [{"decision": "approve", "note": "一家人聚餐，正常"}]})
