"""The wallet's console pages (资金): balances and budgets, journals, payouts and reconciliation.
Importing this package registers them."""

from yima.wallet.console import balances, journals, payouts

__all__ = ["balances", "journals", "payouts"]
