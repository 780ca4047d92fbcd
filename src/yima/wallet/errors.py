"""The wallet's errors: each says what was refused and leaves the ledger as it was."""

from __future__ import annotations

from yima.platform.errors import Conflict, FieldError, Invalid


class InsufficientFunds(Conflict):
    """The paying account does not hold the amount (余额不足); nothing moved."""

    code = "insufficient_funds"


class BrandFundsLow(InsufficientFunds):
    """The brand's cash balance cannot cover it (a budget allocation, or a payout's fee)."""

    code = "brand_funds_low"


class BudgetClosed(Conflict):
    """The budget was closed (its campaign or policy ended); it pays nothing more."""

    code = "budget_closed"


class SliceFull(Conflict):
    """The one budget slice an award was told to try could not pay (``slices="one"``). What it
    wrote is the caller's to roll back, holding no slice; then ``slices="all"`` pays from all."""

    code = "slice_full"


class WithdrawalRefused(Invalid):
    """A withdrawal breaks a payout rule (minimum, maximum, daily cap, missing openid)."""

    code = "withdrawal_refused"

    def __init__(self, code: str, message: str, field: str = "amount_fen") -> None:
        super().__init__(message, [FieldError(field, message, code)])


class PayoutNotRetryable(Conflict):
    """Only a failed payout, or one waiting at the provider, can be retried."""

    code = "payout_not_retryable"


# The codes an award is refused with when its budget cannot pay (empty or closed).
BUDGET_CANNOT_PAY = frozenset({InsufficientFunds.code, BudgetClosed.code})
