"""The rebates' use cases; import as ``from yima.rebates import service as rebates``.

``pay_consumer_scan`` is for the scan (in its transaction); the handlers call
``hold_for_dealer``, ``settle_for_store`` and ``forfeit_diverted``."""

from yima.rebates.service.assistant import my_coupon_book, my_rebates, my_registrations, my_stores
from yima.rebates.service.coupons import list_coupons, my_coupons, redeem_coupon
from yima.rebates.service.policies import (
    create_policy,
    get_policy,
    list_policies,
    move_policy,
    policy_outcome,
    update_policy,
)
from yima.rebates.service.reads import (
    credit_totals,
    list_credits,
    my_credits,
    policy_names,
    registered_between,
    state_totals,
)
from yima.rebates.service.registration import check_guide_code, guide_scan, store_scan
from yima.rebates.service.triggers import (
    cases_in,
    forfeit_diverted,
    hold_for_dealer,
    pay_consumer_scan,
    pay_consumer_scan_later,
    settle_for_store,
)

__all__ = [
    "cases_in",
    "check_guide_code",
    "create_policy",
    "credit_totals",
    "forfeit_diverted",
    "get_policy",
    "guide_scan",
    "hold_for_dealer",
    "list_coupons",
    "list_credits",
    "list_policies",
    "move_policy",
    "my_coupon_book",
    "my_coupons",
    "my_credits",
    "my_rebates",
    "my_registrations",
    "my_stores",
    "pay_consumer_scan",
    "pay_consumer_scan_later",
    "policy_names",
    "policy_outcome",
    "redeem_coupon",
    "registered_between",
    "settle_for_store",
    "state_totals",
    "store_scan",
    "update_policy",
]
