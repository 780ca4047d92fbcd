"""Pure rules of the rebates: the policies' kinds and states, who each kind pays for which scan
or receipt, and the reason each receiver is told ("why did I get this")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from yima.platform.money import yuan as yuan  # re-exported: the phone pages write ``rules.yuan``

Kind = Literal["bb", "bc", "bbc", "purchase", "guide"]
KINDS: tuple[Kind, ...] = ("bb", "bc", "bbc", "purchase", "guide")
KIND_NAMES: dict[str, tuple[str, str]] = {
    "bb": ("防窜货返利（Bb）", "Anti-diversion dealer rebate (Bb)"),
    "bc": ("双向红包（bC）", "Store rebate on consumer scans (bC)"),
    "bbc": ("三方联动返利（BbC）", "Store and dealer rebate on consumer scans (BbC)"),
    "purchase": ("进货返利（货补券）", "Purchase rebate (product coupon per case opened)"),
    "guide": ("导购奖励", "Guide reward on consumer scans"),
}
# Bb pays per case, held at the dealer's receipt; bC and BbC per bottle a consumer scans.
PER_CASE: frozenset[str] = frozenset({"bb"})
ON_CONSUMER_SCAN: frozenset[str] = frozenset({"bc", "bbc", "guide"})
# 进货返利: a store opening a case gets a product coupon (货补券), honoured by the store's dealer,
# whom the policy's budget then pays the coupon's value.
ON_CASE_OPENED: frozenset[str] = frozenset({"purchase"})

State = Literal["draft", "active", "paused", "ended"]
STATES: tuple[State, ...] = ("draft", "active", "paused", "ended")
Action = Literal["activate", "pause", "resume", "end"]
EDITABLE: frozenset[str] = frozenset({"draft", "paused"})  # an active policy is paused to be edited
MOVES: dict[tuple[str, str], State] = {
    ("draft", "activate"): "active",
    ("active", "pause"): "paused",
    ("paused", "resume"): "active",
    ("active", "end"): "ended",
    ("paused", "end"): "ended",
}

Receiver = Literal["store", "dealer", "salesman", "guide"]
RECEIVERS: tuple[Receiver, ...] = ("store", "dealer", "salesman", "guide")
# Who is paid for a receiver: a store's or dealer's owner account; a salesman or guide themselves.
PAID_AS_PARTNER: frozenset[str] = frozenset({"store", "dealer"})
CreditState = Literal["paid", "held", "released", "forfeited", "no_account", "budget_exhausted"]
CREDIT_STATES: tuple[CreditState, ...] = ("paid", "held", "released", "forfeited", "no_account", "budget_exhausted")
CREDIT_STATE_NAMES: dict[str, str] = {
    "paid": "已发放",
    "held": "暂扣中",
    "released": "已释放",
    "forfeited": "已没收",
    "no_account": "未发放（无收款账号）",
    "budget_exhausted": "未发放（预算不足）",
}
MONEY_MOVED: frozenset[str] = frozenset({"paid", "released"})

CouponState = Literal["issued", "redeemed"]
COUPON_STATES: tuple[CouponState, ...] = ("issued", "redeemed")
COUPON_STATE_NAMES: dict[str, str] = {"issued": "未使用", "redeemed": "已核销", "expired": "已过期"}


def coupon_state(state: str, expires_at: dt.datetime, now: dt.datetime) -> str:
    """What a coupon is now: issued, redeemed, or expired (issued and past its date)."""
    return "expired" if state == "issued" and expires_at <= now else state


def next_state(state: str, action: str) -> State | None:
    return MOVES.get((state, action))


def amounts(
    kind: str, store_fen: int, dealer_fen: int, salesman_fen: int = 0, guide_fen: int = 0
) -> dict[Receiver, int]:
    """Who a policy credits and how much per unit: Bb the dealer, bC the store, BbC the store,
    the dealer and (when set) the store's salesman, a guide policy the guide who sold the bottle
    (a purchase rebate credits no one: it issues coupons)."""
    paid: dict[Receiver, int] = {}
    if kind in ("bc", "bbc") and store_fen > 0:
        paid["store"] = store_fen
    if kind in ("bb", "bbc") and dealer_fen > 0:
        paid["dealer"] = dealer_fen
    if kind == "bbc" and salesman_fen > 0:
        paid["salesman"] = salesman_fen
    if kind == "guide" and guide_fen > 0:
        paid["guide"] = guide_fen
    return paid


def covers(product_ids: Sequence[int], product_id: int | None) -> bool:
    """Does the policy cover the product (an empty list covers every product)?"""
    return not product_ids or (product_id is not None and product_id in product_ids)


def running(state: str, starts_at: dt.datetime | None, ends_at: dt.datetime | None, now: dt.datetime) -> bool:
    return state == "active" and (starts_at is None or starts_at <= now) and (ends_at is None or now < ends_at)


class Registration(NamedTuple):
    """货权 as a consumer scan and a store scan read it: which store (and its dealer) registered
    the goods, and when. Read as columns, not as an ORM object (the consumer scan's hot path)."""

    serial: int
    store_id: int
    dealer_id: int | None
    registered_at: dt.datetime


def registered_in_time(registered_at: dt.datetime, first_scanned_at: dt.datetime | None) -> bool:
    """Were the goods registered (to a store, or by a guide) before a consumer first scanned the
    bottle? A store or guide registering a bottle already opened and scanned (bought elsewhere,
    or sold before its case was scanned) earns nothing from that bottle's later scans."""
    return first_scanned_at is None or registered_at <= first_scanned_at


@dataclass(frozen=True)
class Why:
    """The reason a receiver is told, and the state the credit ends in."""

    state: CreditState
    reason: str


def held(policy: str, case_code: str, dealer: str) -> Why:
    return Why("held", f"{policy}：{dealer}收到整箱 {case_code}，返利暂扣，待本经销商的门店签收或开箱后释放")


def released(policy: str, case_code: str, store: str) -> Why:
    return Why("released", f"{policy}：整箱 {case_code} 已由您的门店{store}签收或开箱，暂扣返利释放")


def forfeited_elsewhere(policy: str, case_code: str, store: str) -> Why:
    return Why("forfeited", f"{policy}：整箱 {case_code} 由非本经销商的门店{store}签收或开箱，视为窜货，返利不予发放")


def forfeited_diverted(policy: str, case_code: str) -> Why:
    return Why("forfeited", f"{policy}：整箱 {case_code} 被发现窜货，暂扣返利不予发放")


def consumer_scanned(policy: str, code: str, store: str, receiver: Receiver) -> Why:
    whose = {
        "store": "您登记的",
        "dealer": f"您的门店{store}登记的",
        "salesman": f"您负责的门店{store}登记的",
        "guide": "您扫码登记的" if not store else f"您所在门店{store}的",
    }[receiver]
    return Why("paid", f"{policy}：消费者扫了{whose}商品 {code}")


def opened_case(store: str, case_code: str, prize: str) -> str:
    return f"开箱有礼：您为{store}开箱 {case_code}，获得{prize}"


def purchase_coupon(policy: str, case_code: str, store: str, product: str, quantity: int) -> str:
    return f"{policy}：{store}开箱进货 {case_code}，获得货补券 {product} × {quantity}，可向您的经销商兑换"
