"""Reading the ledger: balances, accounts, statements, journals and a person's wallet."""

from __future__ import annotations

from yima.platform.ctx import Ctx
from yima.platform.errors import NotFound
from yima.wallet import repository as repo
from yima.wallet import rules
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


async def get_account(ctx: Ctx, account_id: int) -> AccountRead:
    ctx.require(WALLET_READ.name)
    account = await repo.get_account(ctx.session, account_id)
    if account is None:
        raise NotFound(f"account {account_id} not found")
    return read_account(account)


async def list_accounts(ctx: Ctx, filters: AccountFilter, limit: int, before_id: int | None) -> list[AccountRead]:
    """Up to ``limit + 1`` accounts, newest first (the extra one tells the edge a page follows)."""
    ctx.require(WALLET_READ.name)
    return [read_account(a) for a in await repo.list_accounts(ctx.session, filters, limit + 1, before_id)]


async def account_statement(ctx: Ctx, account_id: int, limit: int, before_id: int | None) -> list[StatementLine]:
    """An account's entries, newest first, with the balance after each (对账单)."""
    await get_account(ctx, account_id)
    rows = await repo.account_entries(ctx.session, account_id, limit + 1, before_id)
    return [
        StatementLine(
            entry_id=entry.id,
            journal_id=journal.id,
            kind=journal.kind,
            memo=journal.memo,
            amount=entry.amount,
            balance_after=entry.balance_after,
            created_at=journal.created_at,
        )
        for entry, journal in rows
    ]


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
