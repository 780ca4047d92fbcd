"""The ledger through its service: money moves only in balanced journals, never below zero where
an account forbids it, once per idempotency key."""

from __future__ import annotations

import pytest

from tests.harness import statements
from tests.identity.factories import create_tenant, system
from tests.wallet.factories import award, balance_of, fund, funded_budget
from yima.platform.db.session import Database
from yima.platform.db.tenancy import TenancyError
from yima.platform.errors import KeyReused, NotFound
from yima.wallet import repository as repo
from yima.wallet import service as wallet
from yima.wallet.errors import BrandFundsLow, BudgetClosed, InsufficientFunds
from yima.wallet.rules import Leg
from yima.wallet.schemas import AccountFilter, JournalFilter

pytestmark = pytest.mark.usefixtures("acme")


async def _assert_balanced(db: Database) -> None:
    async with system(db, "acme") as ctx:
        assert await wallet.is_balanced(ctx)


class TestFundingAndBudgets:
    async def test_money_flows_from_funding_to_a_budget_to_a_wallet(self, db: Database) -> None:
        funded = await fund(db, "acme", 1_000_000, "BANK-1")
        assert [(e.account_kind, e.amount, e.balance_after) for e in funded.entries] == [
            ("brand_cash", 1_000_000, 1_000_000),
            ("funding", -1_000_000, -1_000_000),
        ]
        async with system(db, "acme") as ctx:
            budget = await wallet.open_budget(ctx, "campaign", "7", "春节扫码红包")
            again = await wallet.open_budget(ctx, "campaign", "7", "another name")
            assert (again.id, again.name) == (budget.id, "春节扫码红包")
            await wallet.allocate_budget(ctx, budget.id, 300_000, "alloc-1")
            won = await wallet.award(ctx, budget.id, 42, 888, "扫码中奖 一等奖", "draw-1")
            assert [(e.account_kind, e.amount, e.balance_after) for e in won.entries] == [
                ("budget", -888, 299_112),
                ("participant", 888, 888),
            ]
            summary = await wallet.balance_summary(ctx)
            assert (summary.funded, summary.brand_cash, summary.budgets, summary.wallets) == (
                1_000_000, 700_000, 299_112, 888,
            )  # fmt: skip
            assert summary.balanced
            wallet_42 = await wallet.wallet_of(ctx, 42)
            assert (wallet_42.balance, wallet_42.account_id) == (888, won.entries[1].account_id)
            assert (await wallet.wallet_of(ctx, 43)).account_id is None
            statement = await wallet.account_statement(ctx, budget.id, 10, None)
            assert [(s.kind, s.amount, s.balance_after) for s in statement] == [
                ("award", -888, 299_112),
                ("allocate", 300_000, 300_000),
            ]
            journals = await wallet.list_journals(ctx, JournalFilter(account_id=budget.id), 10, None)
            assert [j.kind for j in journals] == ["award", "allocate"]
            assert journals[0].entries[0].account_name == "春节扫码红包"
            budgets = await wallet.list_accounts(ctx, AccountFilter(kind="budget"), 10, None)
            assert [b.owner_ref for b in budgets] == ["7"]

    async def test_an_award_beyond_the_budget_is_refused_and_changes_nothing(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 1_000)
        await award(db, "acme", budget.id, 1, 600)
        async with system(db, "acme") as ctx:
            with pytest.raises(InsufficientFunds) as refused:
                await wallet.award(ctx, budget.id, 2, 600, "扫码中奖", "draw-too-much")
            assert refused.value.code == "insufficient_funds"
            assert "holds 4.00 yuan; 6.00 yuan needed" in refused.value.message
            # The caller caught the refusal and goes on in the same transaction: nothing moved.
            assert (await wallet.get_account(ctx, budget.id)).balance == 400
            assert (await wallet.wallet_of(ctx, 2)).balance == 0
            assert [j.key for j in await wallet.list_journals(ctx, JournalFilter(kind="award"), 10, None)] != [
                "award:draw-too-much"
            ]
            assert await wallet.is_balanced(ctx)
            await wallet.award(ctx, budget.id, 2, 400, "扫码中奖", "draw-rest")
        assert await balance_of(db, "acme", budget.id) == 0

    async def test_allocating_more_than_the_brand_holds_is_refused(self, db: Database) -> None:
        await fund(db, "acme", 5_000)
        async with system(db, "acme") as ctx:
            budget = await wallet.open_budget(ctx, "campaign", "x", "预算")
            with pytest.raises(BrandFundsLow):
                await wallet.allocate_budget(ctx, budget.id, 5_001, "too-much")
            assert (await wallet.balance_summary(ctx)).brand_cash == 5_000

    async def test_release_and_close_return_money_to_the_brand(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 10_000)
        async with system(db, "acme") as ctx:
            await wallet.release_budget(ctx, budget.id, 4_000, "rel-1")
            closed = await wallet.close_budget(ctx, budget.id)
            assert (closed.closed, closed.balance) == (True, 0)
            assert (await wallet.balance_summary(ctx)).brand_cash == 10_000
            assert (await wallet.close_budget(ctx, budget.id)).closed  # again: nothing changes
            with pytest.raises(BudgetClosed):
                await wallet.award(ctx, budget.id, 1, 100, "扫码中奖", "after-close")
            with pytest.raises(BudgetClosed):
                await wallet.allocate_budget(ctx, budget.id, 100, "after-close")
        await _assert_balanced(db)

    async def test_an_unknown_budget_is_not_found(self, db: Database) -> None:
        await fund(db, "acme", 5_000)
        async with system(db, "acme") as ctx:
            with pytest.raises(NotFound):
                await wallet.award(ctx, 999_999, 1, 100, "x", "nope")
            with pytest.raises(NotFound):
                await wallet.allocate_budget(ctx, 999_999, 100, "nope")
            assert (await wallet.balance_summary(ctx)).brand_cash == 5_000


class TestIdempotency:
    async def test_a_retried_award_moves_the_money_once_and_answers_the_same(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 10_000)
        first = await award(db, "acme", budget.id, 7, 300, key="scan-1")
        again = await award(db, "acme", budget.id, 7, 300, key="scan-1")
        assert (again.id, again.replayed, first.replayed) == (first.id, True, False)
        assert [e.amount for e in again.entries] == [e.amount for e in first.entries]
        assert await balance_of(db, "acme", budget.id) == 9_700
        async with system(db, "acme") as ctx:
            assert (await wallet.wallet_of(ctx, 7)).balance == 300

    async def test_a_key_reused_for_another_movement_is_refused(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 10_000)
        await award(db, "acme", budget.id, 7, 300, key="scan-1")
        with pytest.raises(KeyReused):
            await award(db, "acme", budget.id, 7, 301, key="scan-1")
        with pytest.raises(KeyReused):
            await award(db, "acme", budget.id, 8, 300, key="scan-1")
        assert await balance_of(db, "acme", budget.id) == 9_700

    async def test_funding_the_same_bank_transfer_twice_counts_once(self, db: Database) -> None:
        await fund(db, "acme", 5_000, "BANK-77")
        again = await fund(db, "acme", 5_000, "BANK-77")
        assert again.replayed
        async with system(db, "acme") as ctx:
            assert (await wallet.balance_summary(ctx)).funded == 5_000


async def test_brands_do_not_share_accounts(db: Database) -> None:
    await create_tenant(db, "other")
    budget = await funded_budget(db, "acme", 10_000)
    await fund(db, "other", 50)
    async with system(db, "other") as ctx:
        with pytest.raises(NotFound):
            await wallet.award(ctx, budget.id, 1, 10, "x", "cross")
        with pytest.raises(NotFound):
            await wallet.get_account(ctx, budget.id)
        assert (await wallet.balance_summary(ctx)).brand_cash == 50
    assert await balance_of(db, "acme", budget.id) == 10_000


async def test_the_awards_statements_built_once_write_only_for_the_sessions_brand(db: Database) -> None:
    """They name their brand themselves (no filter is added to them): the session's is checked."""
    await create_tenant(db, "other")
    async with system(db, "other") as ctx:
        other = ctx.tenant_id
    async with system(db, "acme") as ctx:
        with pytest.raises(TenancyError):
            await repo.claim_journal(ctx.session, {"tenant_id": other, "key": "k", "fingerprint": "f", "kind": "award"})
        with pytest.raises(TenancyError):
            await repo.apply_leg(ctx.session, other, "CNY", Leg("participant", 1, None, "person", "1"))
        with pytest.raises(TenancyError):
            await repo.insert_entries(ctx.session, [{"tenant_id": other, "journal_id": 1, "account_id": 1}])
        assert await repo.apply_leg(ctx.session, ctx.tenant_id, "CNY", Leg("participant", 1, None, "person", "1"))


async def test_an_award_costs_two_statements_on_postgresql_four_elsewhere(db: Database, engine_db: Database) -> None:
    """The scan's hot path: claim the key, credit the wallet, debit the budget (the row every scan
    shares, locked as late as possible), write the entries; on PostgreSQL the key's claim carries
    the credit, the debit the entries (repository/posting.py)."""
    budget = await funded_budget(db, "acme", 10_000)
    await award(db, "acme", budget.id, 1, 100)
    async with system(db, "acme") as ctx:
        with statements(engine_db) as seen:
            await wallet.award(ctx, budget.id, 1, 100, "扫码中奖", "hot-1")
    assert seen == (["WITH", "WITH"] if db.backend == "postgresql" else ["INSERT", "INSERT", "UPDATE", "INSERT"])


class TestSlices:
    async def test_a_split_budget_is_shown_as_one_account_holding_its_slices_sum(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 10_003, cash=20_000, slices=4)
        async with system(db, "acme") as ctx:
            allocation = (await wallet.list_journals(ctx, JournalFilter(kind="allocate"), 10, None))[0]
            assert sorted(e.amount for e in allocation.entries if e.account_kind == "budget") == [
                2_500, 2_501, 2_501, 2_501
            ]  # fmt: skip
            for n in range(3):  # any slice can pay all three: no rebalance, whichever are picked
                await wallet.award(ctx, budget.id, 40 + n, 800, "扫码中奖", f"split-{n}")
            shown = await wallet.get_account(ctx, budget.id)
            assert (shown.id, shown.balance) == (budget.id, 7_603)
            slice_id = next(e.account_id for e in allocation.entries if e.account_id != budget.id and e.amount > 0)
            assert (await wallet.get_account(ctx, slice_id)).id == budget.id  # a slice shows its budget
            budgets = await wallet.list_accounts(ctx, AccountFilter(kind="budget"), 10, None)
            assert [(b.id, b.balance) for b in budgets] == [(budget.id, 7_603)]
            summary = await wallet.balance_summary(ctx)
            assert (summary.budgets, summary.budget_count, summary.wallets) == (7_603, 1, 2_400)
            statement = await wallet.account_statement(ctx, budget.id, 10, None)
            assert [(s.kind, s.amount, s.balance_after) for s in statement][:3] == [
                ("award", -800, 7_603), ("award", -800, 8_403), ("award", -800, 9_203)
            ]  # fmt: skip
            assert sum(s.amount for s in statement) == 7_603
            journals = await wallet.list_journals(ctx, JournalFilter(account_id=budget.id), 10, None)
            assert sorted(j.kind for j in journals) == ["allocate", "award", "award", "award"]
            assert await wallet.is_balanced(ctx)

    async def test_an_award_no_slice_can_pay_alone_evens_them_out(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 4_000, slices=4)  # 1,000 a slice
        async with system(db, "acme") as ctx:
            won = await wallet.award(ctx, budget.id, 9, 3_500, "扫码中奖", "big")
            assert not won.replayed
            assert (await wallet.get_account(ctx, budget.id)).balance == 500
            moved = await wallet.list_journals(ctx, JournalFilter(kind="rebalance"), 10, None)
            assert len(moved) == 1 and sum(e.amount for e in moved[0].entries) == 0
            again = await wallet.award(ctx, budget.id, 9, 3_500, "扫码中奖", "big")
            assert (again.id, again.replayed) == (won.id, True)
            with pytest.raises(InsufficientFunds):
                await wallet.award(ctx, budget.id, 10, 501, "扫码中奖", "too-much")
            await wallet.award(ctx, budget.id, 10, 500, "扫码中奖", "the-rest")
            assert (await wallet.get_account(ctx, budget.id)).balance == 0
            assert await wallet.is_balanced(ctx)

    async def test_release_and_close_take_from_every_slice(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 10_000, slices=3)
        async with system(db, "acme") as ctx:
            await wallet.award(ctx, budget.id, 1, 1_000, "扫码中奖", "one")
            released = await wallet.release_budget(ctx, budget.id, 5_000, "rel")
            assert sum(e.amount for e in released.entries if e.account_kind == "budget") == -5_000
            closed = await wallet.close_budget(ctx, budget.id)
            assert (closed.id, closed.closed, closed.balance) == (budget.id, True, 0)
            with pytest.raises(BudgetClosed):
                await wallet.award(ctx, budget.id, 1, 100, "扫码中奖", "after-close")
            summary = await wallet.balance_summary(ctx)
            assert (summary.brand_cash, summary.wallets, summary.balanced) == (9_000, 1_000, True)
