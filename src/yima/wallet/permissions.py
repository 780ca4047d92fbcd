"""The wallet's permissions."""

from __future__ import annotations

from yima.platform.permissions import Permission

WALLET_READ = Permission(
    "wallet:read",
    "查看资金账户、流水与提现",
    "View balances, journals and payouts",
    ("admin", "operator", "finance"),
)
# Money moves on finance's word: funding, budget allocations, payout retries, reconciliation.
WALLET_WRITE = Permission(
    "wallet:write",
    "资金操作（充值、预算分配、提现重试、对账）",
    "Move money (fund, allocate budgets, retry payouts, reconcile)",
    ("admin", "finance"),
)
WALLET_MANAGE = Permission(
    "wallet:manage",
    "管理提现规则",
    "Manage payout rules",
    ("admin",),
)
