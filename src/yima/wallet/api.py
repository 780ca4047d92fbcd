"""The wallet's HTTP edges: /api/v1/wallet/… (money in integer fen)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from yima.identity.permissions import requires
from yima.platform.ctx import Ctx
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id
from yima.wallet import service
from yima.wallet.permissions import WALLET_MANAGE, WALLET_READ, WALLET_WRITE
from yima.wallet.schemas import (
    AccountFilter,
    AccountRead,
    AllocationCreate,
    BalanceSummary,
    BudgetCreate,
    FundingCreate,
    JournalFilter,
    JournalRead,
    PayoutFilter,
    PayoutRead,
    ReconciliationCreate,
    ReconciliationRead,
    ReleaseCreate,
    SettingsRead,
    SettingsUpdate,
    StatementLine,
)

router = APIRouter(prefix="/api/v1/wallet", tags=["wallet"])
Paging = Annotated[PageParams, Depends(page_params)]


@router.get("/summary", response_model=BalanceSummary)
async def summary(ctx: Ctx = requires(WALLET_READ)) -> BalanceSummary:
    """The brand's money at a glance: funded, cash, budgets, wallets, in transit, paid, fees."""
    return await service.balance_summary(ctx)


@router.get("/accounts", response_model=Page[AccountRead])
async def list_accounts(
    paging: Paging, filters: Annotated[AccountFilter, Depends()], ctx: Ctx = requires(WALLET_READ)
) -> Page[AccountRead]:
    rows = await service.list_accounts(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.get("/accounts/{account_id}", response_model=AccountRead)
async def get_account(account_id: Id, ctx: Ctx = requires(WALLET_READ)) -> AccountRead:
    return await service.get_account(ctx, account_id)


@router.get("/accounts/{account_id}/entries", response_model=Page[StatementLine])
async def account_entries(account_id: Id, paging: Paging, ctx: Ctx = requires(WALLET_READ)) -> Page[StatementLine]:
    """The account's statement (对账单), newest first, with the balance after each entry."""
    rows = await service.account_statement(ctx, account_id, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.entry_id)


@router.get("/journals", response_model=Page[JournalRead])
async def list_journals(
    paging: Paging, filters: Annotated[JournalFilter, Depends()], ctx: Ctx = requires(WALLET_READ)
) -> Page[JournalRead]:
    rows = await service.list_journals(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.get("/journals/{journal_id}", response_model=JournalRead)
async def get_journal(journal_id: Id, ctx: Ctx = requires(WALLET_READ)) -> JournalRead:
    return await service.get_journal(ctx, journal_id)


@router.post("/fundings", response_model=JournalRead, status_code=status.HTTP_201_CREATED)
async def fund_brand(data: FundingCreate, ctx: Ctx = requires(WALLET_WRITE)) -> JournalRead:
    """Record money the brand paid in (充值); the same ``reference`` again counts once (``replayed``)."""
    return await service.fund_brand(ctx, data.amount_fen, data.reference, data.memo)


@router.post("/budgets", response_model=AccountRead, status_code=status.HTTP_201_CREATED)
async def create_budget(data: BudgetCreate, ctx: Ctx = requires(WALLET_WRITE)) -> AccountRead:
    """Open a budget for its owner (opening it again returns it)."""
    return await service.create_budget(ctx, data)


@router.post("/budgets/{budget_id}/allocations", response_model=JournalRead, status_code=status.HTTP_201_CREATED)
async def allocate_budget(budget_id: Id, data: AllocationCreate, ctx: Ctx = requires(WALLET_WRITE)) -> JournalRead:
    """Give the budget money from the brand's cash balance; 409 ``brand_funds_low`` when short."""
    return await service.allocate_budget(ctx, budget_id, data.amount_fen, data.key)


@router.post("/budgets/{budget_id}/releases", response_model=JournalRead, status_code=status.HTTP_201_CREATED)
async def release_budget(budget_id: Id, data: ReleaseCreate, ctx: Ctx = requires(WALLET_WRITE)) -> JournalRead:
    """Return money from the budget to the brand's cash balance (all of it without an amount)."""
    return await service.release_budget(ctx, budget_id, data.amount_fen, data.key)


@router.post("/budgets/{budget_id}/close", response_model=AccountRead)
async def close_budget(budget_id: Id, ctx: Ctx = requires(WALLET_WRITE)) -> AccountRead:
    """End the budget: what it holds goes back to the brand's cash; it pays nothing more."""
    return await service.close_budget(ctx, budget_id)


@router.get("/payouts", response_model=Page[PayoutRead])
async def list_payouts(
    paging: Paging, filters: Annotated[PayoutFilter, Depends()], ctx: Ctx = requires(WALLET_READ)
) -> Page[PayoutRead]:
    rows = await service.list_payouts(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.get("/payouts/{payout_id}", response_model=PayoutRead)
async def get_payout(payout_id: Id, ctx: Ctx = requires(WALLET_READ)) -> PayoutRead:
    return await service.get_payout(ctx, payout_id)


@router.post("/payouts/{payout_id}/retry", response_model=PayoutRead)
async def retry_payout(payout_id: Id, ctx: Ctx = requires(WALLET_WRITE)) -> PayoutRead:
    """A failed payout is withdrawn again (a new payout, returned); one still at the provider is
    asked about again now, under its own numbers."""
    return await service.retry_payout(ctx, payout_id)


@router.get("/reconciliations", response_model=Page[ReconciliationRead])
async def list_reconciliations(paging: Paging, ctx: Ctx = requires(WALLET_READ)) -> Page[ReconciliationRead]:
    rows = await service.list_reconciliations(ctx, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/reconciliations", response_model=ReconciliationRead, status_code=status.HTTP_202_ACCEPTED)
async def start_reconciliation(data: ReconciliationCreate, ctx: Ctx = requires(WALLET_WRITE)) -> ReconciliationRead:
    """Compare the period's payouts with their provider (a background job fills the report:
    poll ``GET /reconciliations/{id}`` until ``status`` is ``done``)."""
    return await service.start_reconciliation(ctx, data)


@router.get("/reconciliations/{reconciliation_id}", response_model=ReconciliationRead)
async def get_reconciliation(reconciliation_id: Id, ctx: Ctx = requires(WALLET_READ)) -> ReconciliationRead:
    return await service.get_reconciliation(ctx, reconciliation_id)


@router.get("/settings", response_model=SettingsRead)
async def get_settings(ctx: Ctx = requires(WALLET_READ)) -> SettingsRead:
    return await service.get_settings(ctx)


@router.patch("/settings", response_model=SettingsRead)
async def update_settings(data: SettingsUpdate, ctx: Ctx = requires(WALLET_MANAGE)) -> SettingsRead:
    """The brand's payout limits (WeChat's rules are checked); the fee rate and the provider are
    the platform operator's (403 ``operator_only``)."""
    return await service.update_settings(ctx, data)


routers = [router]
