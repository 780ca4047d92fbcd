"""Reading the ledger: balances, accounts, statements, journals and a person's wallet."""

from __future__ import annotations

from yima.platform.ctx import Ctx
from yima.platform.errors import NotFound
from yima.wallet import repository as repo
from yima.wallet import rules
from yima.wallet.models import Account
from yima.wallet.permissions import WALLET_READ
from yima.wallet.rules import CNY
from yima.wallet.schemas import (
    AccountFilter,
    AccountRead,
    BalanceSummary,
    JournalFilter,
    JournalRead,
    StatementLine,
    WalletRead,
)
from yima.wallet.service.ledger import read_account, read_journals
from yima.wallet.service.settings import load_settings
from yima.wallet.service.slices import read_budget


async def _rows(ctx: Ctx, account_id: int) -> list[Account]:
    """The account's rows: it, or — for a budget or one of its slices — the budget's slices."""
    ctx.require(WALLET_READ.name)
    rows = await repo.slices_of(ctx.session, account_id)
    if not rows:
        raise NotFound(f"account {account_id} not found")
    return rows


async def get_account(ctx: Ctx, account_id: int) -> AccountRead:
    """One account; a budget split in slices (or any of them) as one account holding their sum."""
    return read_budget(await _rows(ctx, account_id))


async def list_accounts(ctx: Ctx, filters: AccountFilter, limit: int, before_id: int | None) -> list[AccountRead]:
    """Up to ``limit + 1`` accounts, newest first (the extra one tells the edge a page follows);
    a budget's slices are shown as the budget."""
    ctx.require(WALLET_READ.name)
    accounts = await repo.list_accounts(ctx.session, filters, limit + 1, before_id)
    totals = await repo.slice_totals(ctx.session, accounts)
    return [read_account(a, totals.get(a.id)) for a in accounts]


async def account_statement(ctx: Ctx, account_id: int, limit: int, before_id: int | None) -> list[StatementLine]:
    """An account's entries, newest first, with the balance after each (对账单). For a budget
    split in slices: every slice's entries, the balance after each being the budget's (the sum
    of its entries up to that one), not the slice's."""
    accounts = await _rows(ctx, account_id)
    ids = [a.id for a in accounts]
    rows = await repo.account_entries(ctx.session, ids, limit + 1, before_id)
    running = None
    if len(ids) > 1 and rows:
        running = sum(a.balance for a in accounts) - await repo.entries_since(ctx.session, ids, rows[0][0].id)
    lines = []
    for entry, journal in rows:
        after = entry.balance_after if running is None else running
        lines.append(StatementLine(
            entry_id=entry.id, journal_id=journal.id, kind=journal.kind, memo=journal.memo, amount=entry.amount,
            balance_after=after, created_at=journal.created_at,
        ))  # fmt: skip
        running = None if running is None else running - entry.amount
    return lines


async def get_journal(ctx: Ctx, journal_id: int) -> JournalRead:
    ctx.require(WALLET_READ.name)
    journal = await repo.get_journal(ctx.session, journal_id)
    if journal is None:
        raise NotFound(f"journal {journal_id} not found")
    return (await read_journals(ctx, [journal]))[0]


async def list_journals(ctx: Ctx, filters: JournalFilter, limit: int, before_id: int | None) -> list[JournalRead]:
    ctx.require(WALLET_READ.name)
    return await read_journals(ctx, await repo.list_journals(ctx.session, filters, limit + 1, before_id))


async def is_balanced(ctx: Ctx) -> bool:
    """Every journal sums to zero and every account's balance is the sum of its entries."""
    sums = await repo.trial_balance(ctx.session)
    return all(total == 0 for total in sums.values()) and await repo.balance_drift(ctx.session) == 0


async def balance_summary(ctx: Ctx) -> BalanceSummary:
    """The brand's money at a glance (资金总览)."""
    ctx.require(WALLET_READ.name)
    totals = await repo.totals_by_kind(ctx.session)
    settings = await load_settings(ctx)

    def total(kind: str) -> int:
        return totals.get(kind, (0, 0))[0]

    return BalanceSummary(
        currency=CNY,
        funded=-total("funding"),
        brand_cash=total("brand_cash"),
        budgets=total("budget"),
        budget_count=totals.get("budget", (0, 0))[1],
        wallets=total("participant"),
        wallet_count=totals.get("participant", (0, 0))[1],
        in_transit=total("payout_transit"),
        paid_out=total("paid_out"),
        fee_income=total("fee_income"),
        fee_bps=settings.fee_bps,
        fees_ahead=rules.fee_of(total("participant"), settings.fee_bps),
        balanced=await is_balanced(ctx),
    )


async def wallet_of(ctx: Ctx, person_id: int) -> WalletRead:
    """A person's wallet (钱包) for their phone page: balance, withdrawals under way, what today's
    cap leaves. Reads only (no account is made for a person who never won). No permission of its
    own: the phone page shows a person their own wallet."""
    account = await repo.account_by_owner(ctx.session, "participant", rules.PERSON, str(person_id), CNY)
    settings = await load_settings(ctx)
    today = ctx.local(ctx.now()).date().isoformat()
    return WalletRead(
        person_id=person_id,
        account_id=account.id if account else None,
        balance=account.balance if account else 0,
        in_flight=await repo.in_flight_of(ctx.session, person_id),
        withdrawn_today=await repo.withdrawn_on(ctx.session, person_id, today),
        daily_cap=settings.daily_cap_fen,
        min_withdrawal=max(settings.min_withdrawal_fen, rules.MIN_TRANSFER_FEN),
        max_transfer=settings.max_transfer_fen,
    )
