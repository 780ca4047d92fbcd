"""The wallet's use cases; import as ``from yima.wallet import service as wallet``.

The contract other contexts use (no permission of their own; they flush, never commit):
``open_budget``, ``budget_of``, ``close_budget``, ``award``, ``wallet_of``, ``request_withdrawal``,
``quote_withdrawal``, ``payouts_of``, ``merge_wallets``. Staff use cases check ``wallet:*`` and
write the audit log. See docs/wallet.md.
"""

from yima.wallet.providers import configuration_problem
from yima.wallet.service.budgets import (
    allocate_budget,
    award,
    budget_of,
    close_budget,
    create_budget,
    fund_brand,
    merge_wallets,
    open_budget,
    release_budget,
)
from yima.wallet.service.ledger import WithFirst, WithLast
from yima.wallet.service.payouts import (
    PROCESS_JOB,
    get_payout,
    list_payouts,
    payouts_of,
    queue_processing,
    quote_withdrawal,
    request_withdrawal,
    retry_payout,
)
from yima.wallet.service.processing import process_payouts
from yima.wallet.service.reads import (
    account_statement,
    balance_summary,
    get_account,
    get_journal,
    is_balanced,
    list_accounts,
    list_journals,
    wallet_of,
)
from yima.wallet.service.reconciliation import (
    RECONCILE_JOB,
    fail_reconciliation,
    get_reconciliation,
    list_reconciliations,
    run_reconciliation,
    start_reconciliation,
)
from yima.wallet.service.settings import get_settings, load_settings, update_settings
from yima.wallet.service.slices import SliceMode

__all__ = [
    "PROCESS_JOB",
    "RECONCILE_JOB",
    "SliceMode",
    "WithFirst",
    "WithLast",
    "account_statement",
    "allocate_budget",
    "award",
    "balance_summary",
    "budget_of",
    "close_budget",
    "configuration_problem",
    "create_budget",
    "fail_reconciliation",
    "fund_brand",
    "get_account",
    "get_journal",
    "get_payout",
    "get_reconciliation",
    "get_settings",
    "is_balanced",
    "list_accounts",
    "list_journals",
    "list_payouts",
    "list_reconciliations",
    "load_settings",
    "merge_wallets",
    "open_budget",
    "payouts_of",
    "process_payouts",
    "queue_processing",
    "quote_withdrawal",
    "release_budget",
    "request_withdrawal",
    "retry_payout",
    "run_reconciliation",
    "start_reconciliation",
    "update_settings",
    "wallet_of",
]
