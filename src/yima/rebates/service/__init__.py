"""The rebates' use cases; import as ``from yima.rebates import service as rebates``.

``pay_consumer_scan`` is for the scan (in its transaction); the handlers call
``hold_for_dealer``, ``settle_for_store`` and ``forfeit_diverted``."""

from yima.rebates.service.coupons import list_coupons, my_coupons, redeem_coupon
from yima.rebates.service.policies import (
    create_policy,
    get_policy,
    list_policies,
    move_policy,
    policy_outcome,
)
from yima.rebates.service.reads import list_credits, my_credits
from yima.rebates.service.registration import store_scan
from yima.rebates.service.triggers import (
    cases_in,
    forfeit_diverted,
    hold_for_dealer,
    pay_consumer_scan,
    settle_for_store,
)

__all__ = [
    "cases_in",
    "create_policy",
    "forfeit_diverted",
    "get_policy",
    "hold_for_dealer",
    "list_coupons",
    "list_credits",
    "list_policies",
    "move_policy",
    "my_coupons",
    "my_credits",
    "pay_consumer_scan",
    "policy_outcome",
    "redeem_coupon",
    "settle_for_store",
    "store_scan",
]
