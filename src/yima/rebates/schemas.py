"""The rebates' request and response shapes. Money is integer fen (分) throughout."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from yima.campaigns.schemas import AwardRead
from yima.platform.types import RefId, RequestBody
from yima.rebates.rules import CouponState, CreditState, Kind, Receiver, State

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]*$")
]
Fen = Annotated[
    int, Field(ge=0, le=10**9, description="Integer fen (分) a case (Bb), a bottle (bC, BbC), a coupon (purchase)")
]


class PolicyCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "酱香 53° 三方联动", "kind": "bbc", "product_ids": [1], "store_fen": 200, "dealer_fen": 100}
            ]
        }
    )

    name: Name
    kind: Kind
    product_ids: list[RefId] = Field(default_factory=list, max_length=500, description="Empty: every product")
    store_fen: Fen = 0
    dealer_fen: Fen = 0
    salesman_fen: Fen = Field(default=0, description="BbC: also paid to the store's salesman (业务员) per bottle")
    guide_fen: Fen = Field(default=0, description="Guide policies: paid to the guide who sold the bottle")
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    coupon_product_id: RefId | None = Field(default=None, description="Purchase rebates: the coupon's product")
    coupon_quantity: int = Field(default=0, ge=0, le=1000, description="Purchase rebates: units per coupon")
    coupon_days: int = Field(default=0, ge=0, le=3650, description="Purchase rebates: days a coupon is valid")

    @model_validator(mode="after")
    def _pays_someone(self) -> Self:
        problem = self._problem()
        if problem:  # raised as the field's own error, so the answer names it
            field, message = problem
            detail = InitErrorDetails(
                type=PydanticCustomError("terms", message), loc=(field,), input=getattr(self, field)
            )
            raise ValidationError.from_exception_data(type(self).__name__, [detail])
        return self

    def _problem(self) -> tuple[str, str] | None:
        """The first field that cannot pay as configured, and why."""
        if self.salesman_fen and self.kind != "bbc":
            return "salesman_fen", "only BbC policies pay the store's salesman: salesman_fen must be 0"
        if self.kind == "guide":
            if self.guide_fen <= 0:
                return "guide_fen", "a guide policy pays the guide: guide_fen must be above 0"
            if self.store_fen or self.dealer_fen:
                field = "store_fen" if self.store_fen else "dealer_fen"
                return field, f"a guide policy pays the guide only: {field} must be 0"
            return self._period()
        if self.guide_fen:
            return "guide_fen", "only guide policies pay guides: guide_fen must be 0"
        if self.kind == "purchase":
            if self.store_fen <= 0:
                return "store_fen", "a purchase rebate's coupon has a value: store_fen must be above 0"
            if self.dealer_fen:
                return "dealer_fen", "a purchase rebate pays its coupons' value: dealer_fen must be 0"
            for field in ("coupon_product_id", "coupon_quantity", "coupon_days"):
                if not getattr(self, field):
                    return field, "a purchase rebate's coupon needs coupon_product_id, coupon_quantity and coupon_days"
            return self._period()
        for field in ("coupon_product_id", "coupon_quantity", "coupon_days"):
            if getattr(self, field):
                return field, "only purchase rebates issue coupons: leave the coupon fields out"
        if self.kind == "bb" and self.dealer_fen <= 0:
            return "dealer_fen", "a Bb policy holds the dealer's rebate: dealer_fen must be above 0"
        if self.kind in ("bc", "bbc") and self.store_fen <= 0:
            return "store_fen", "a bC or BbC policy pays the store: store_fen must be above 0"
        if self.kind == "bbc" and self.dealer_fen <= 0:
            return "dealer_fen", "a BbC policy pays the dealer too: dealer_fen must be above 0"
        if self.kind == "bb" and self.store_fen:
            return "store_fen", "a Bb policy pays the dealer only: store_fen must be 0"
        if self.kind == "bc" and self.dealer_fen:
            return "dealer_fen", "a bC policy pays the store only: dealer_fen must be 0 (use BbC)"
        return self._period()

    def _period(self) -> tuple[str, str] | None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            return "ends_at", "ends_at must be after starts_at"
        return None


class PolicyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: Kind
    kind_name: str
    state: State
    product_ids: list[int]
    store_fen: int
    dealer_fen: int
    salesman_fen: int
    guide_fen: int
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    coupon_product_id: int | None
    coupon_quantity: int
    coupon_days: int
    budget_account_id: int | None
    budget_left_fen: int | None = Field(description="What the policy's wallet budget still holds")
    created_at: dt.datetime
    updated_at: dt.datetime


class PolicyFilter(BaseModel):
    kind: Kind | None = None
    state: State | None = None


class CreditRead(BaseModel):
    id: int
    policy_id: int
    policy_name: str
    kind: Kind
    serial: int
    receiver_kind: Receiver
    receiver_id: int
    receiver_name: str
    person_id: int | None
    amount_fen: int
    state: CreditState
    state_name: str
    reason: str = Field(description="Why the receiver got it (or did not), in the receiver's words")
    trigger: str
    journal_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CreditFilter(BaseModel):
    policy_id: RefId | None = None
    state: CreditState | None = None
    receiver_kind: Receiver | None = None
    receiver_id: RefId | None = None
    serial: Annotated[int, Field(ge=1)] | None = None


class OutcomeRow(BaseModel):
    """One policy's outcome in one state: how many credits, how much."""

    policy_id: int
    state: CreditState
    count: int
    amount_fen: int


class CouponOutcome(BaseModel):
    """A purchase rebate's coupons (货补券) in one state: how many, worth how much."""

    state: Literal["issued", "redeemed", "expired"] = Field(description="issued: valid, its value reserved")
    count: int
    value_fen: int


class PolicyOutcome(BaseModel):
    policy: PolicyRead
    rows: list[OutcomeRow]
    paid_fen: int = Field(description="Paid and released; for a purchase rebate, its honoured coupons' value")
    held_fen: int
    forfeited_fen: int
    coupons: list[CouponOutcome] = Field(default_factory=list, description="Purchase rebates: coupons by state")
    reserved_fen: int = Field(default=0, description="Purchase rebates: valid coupons' value, not yet honoured")


class StoreScan(RequestBody):
    """A store's person scans goods: a case's inner code (开箱: registers and opens the case) or a
    bottle's outer code (registers the bottle)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "https://m.brand.cn/c/CASEINNERTOKEN0000001", "store_id": 1}]}
    )

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    store_id: RefId | None = Field(
        default=None, description="The store acted for; may be left out when the account has one"
    )


class StoreReward(BaseModel):
    """What a store scan earned (开箱有礼 prize, 进货返利 coupon), said as its receiver reads it."""

    kind: str = Field(description="open_case_prize | purchase_coupon")
    title: str = Field(description="The prize or coupon, e.g. 现金红包 ¥2.00")
    amount_fen: int | None = Field(default=None, description="Cash paid into the wallet, when cash")
    points: int | None = None
    reason: str = Field(description="Why it was given (为什么得到这笔奖励)")


class StoreScanResult(BaseModel):
    serial: int
    level: str
    store_id: int
    store_name: str
    registered_now: bool = Field(description="False when the store had registered these goods already")
    registered_at: dt.datetime
    rewards: list[StoreReward] = Field(
        default_factory=list, description="What the scan earned (a repeat shows what the first scan earned)"
    )


class CouponRead(BaseModel):
    """A product coupon (货补券) and where it stands; ``state`` is issued, redeemed or expired."""

    id: int
    policy_id: int
    policy_name: str
    serial: int
    store_id: int
    store_name: str
    dealer_id: int | None
    product_id: int
    product_name: str
    quantity: int
    value_fen: int
    state: str
    state_name: str
    reason: str
    expires_at: dt.datetime
    redeemed_at: dt.datetime | None
    journal_id: int | None
    created_at: dt.datetime


class CouponFilter(BaseModel):
    policy_id: RefId | None = None
    state: CouponState | None = None
    store_id: RefId | None = None
    dealer_id: RefId | None = None


class GuideScan(RequestBody):
    """A guide (导购) registers a bottle they sell by scanning its cap's outer code."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "https://m.brand.cn/c/BOTTLEOUTERTOKEN00001"}]})

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    role_id: RefId | None = Field(default=None, description="The guide role acted in; may be left out when one")


class GuideScanResult(BaseModel):
    serial: int
    role_id: int
    registered_now: bool = Field(description="False when this guide had registered the bottle already")
    registered_at: dt.datetime


# The channel assistants (渠道助手) ---------------------------------------------------------------


class StateTotal(BaseModel):
    state: str
    state_name: str
    count: int
    amount_fen: int


class MyRebates(BaseModel):
    """我的奖励 / 我的返利: a channel account's credits with their totals, and its open-case prizes."""

    totals: list[StateTotal]
    credits: list[CreditRead] = Field(description="The newest, each with its reason")
    awards: list[AwardRead] = Field(description="Prizes won opening cases (开箱有礼), each with its reason")


class MyRegistration(BaseModel):
    """我的扫码: goods the account's store registered by scanning them."""

    serial: int
    level_name: str = Field(description="整箱 (a case opened) or 单瓶 (a bottle registered)")
    store_name: str
    registered_at: dt.datetime


class MyStore(BaseModel):
    """我的门店: a store the account's dealer supplies, with the goods it registered."""

    id: int
    code: str
    name: str
    registered: int
    last_registered_at: dt.datetime | None


class MyCoupons(BaseModel):
    """我的卡券: prizes won opening cases that are coupons, and purchase rebates' coupons."""

    prizes: list[AwardRead]
    coupons: list[CouponRead]
    honours: bool = Field(description="The account is a dealer's: it honours (核销) its stores' coupons")
