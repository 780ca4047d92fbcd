"""The wallet (资金): a double-entry ledger of the brand's money, budgets, participant wallets and payouts."""
