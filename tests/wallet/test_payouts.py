"""Withdrawals: the fee, WeChat's rules, the state machine through the sandbox provider, and
crashes between the steps that cannot pay anyone twice."""

from __future__ import annotations

from typing import ClassVar

import pytest

from tests.identity.factories import system
from tests.members.factories import create_member, new_visitor
from tests.wallet.conftest import Clock
from tests.wallet.factories import award, fund, funded_budget, settings, withdraw
from yima.members import repository as members_repo
from yima.members.service import persons
from yima.platform.db.session import Database
from yima.platform.errors import KeyReused
from yima.platform.outbox.runner import Runner
from yima.wallet import rules
from yima.wallet import service as wallet
from yima.wallet.errors import BrandFundsLow, InsufficientFunds, WithdrawalRefused
from yima.wallet.providers import use_provider
from yima.wallet.providers.base import BatchReport, Opener, ProviderUnavailable, SubmitOutcome, TransferBatch
from yima.wallet.providers.sandbox import SandboxProvider
from yima.wallet.schemas import JournalFilter, PayoutFilter
from yima.wallet.service import processing

pytestmark = pytest.mark.usefixtures("acme")


@pytest.fixture
async def winner(db: Database, acme: str) -> int:
    """Person 5 holds 10.00 yuan; the brand has 100.00 yuan of cash left for fees."""
    budget = await funded_budget(db, "acme", 5_000, cash=15_000)
    await award(db, "acme", budget.id, 5, 1_000)
    return 5


def _opener(db: Database) -> Opener:
    return lambda: system(db, "acme")


class CountingSandbox(SandboxProvider):
    """The sandbox, counting what reaches it; ``fail_next`` makes the next call find no provider."""

    sent: ClassVar[list[str]] = []
    asked: ClassVar[list[str]] = []
    fail_next: ClassVar[int] = 0

    async def submit(self, batch: TransferBatch) -> SubmitOutcome:
        self._maybe_fail()
        CountingSandbox.sent.append(batch.out_batch_no)
        return await super().submit(batch)

    async def query(self, out_batch_no: str) -> BatchReport:
        self._maybe_fail()
        CountingSandbox.asked.append(out_batch_no)
        return await super().query(out_batch_no)

    def _maybe_fail(self) -> None:
        if CountingSandbox.fail_next:
            CountingSandbox.fail_next -= 1
            raise ProviderUnavailable("connection reset")


@pytest.fixture
def counting() -> type[CountingSandbox]:
    CountingSandbox.sent, CountingSandbox.asked, CountingSandbox.fail_next = [], [], 0
    use_provider("sandbox", CountingSandbox)
    return CountingSandbox


class TestRequest:
    async def test_the_brand_pays_the_fee_on_top(self, db: Database, winner: int) -> None:
        await settings(db, "acme", fee_bps=60)
        payout = await withdraw(db, "acme", winner, 1_000)
        assert (payout.amount, payout.fee, payout.charge, payout.status) == (1_000, 6, 1_006, "requested")
        async with system(db, "acme") as ctx:
            [journal] = await wallet.list_journals(ctx, JournalFilter(kind="withdraw"), 5, None)
            assert sorted((e.account_kind, e.amount) for e in journal.entries) == [
                ("brand_cash", -6), ("fee_income", 6), ("participant", -1_000), ("payout_transit", 1_000),
            ]  # fmt: skip
            summary = await wallet.balance_summary(ctx)
            assert (summary.brand_cash, summary.wallets, summary.in_transit, summary.fee_income) == (9_994, 0, 1_000, 6)
            assert (await wallet.quote_withdrawal(ctx, 1_000)).charge == 1_006

    @pytest.mark.parametrize(
        ("amount", "code"),
        [(9, "below_minimum"), (99, "below_minimum"), (20_001, "above_maximum"), (601, "daily_cap_exceeded")],
    )
    async def test_wechat_rules_refuse_and_change_nothing(
        self, db: Database, winner: int, amount: int, code: str
    ) -> None:
        await settings(db, "acme", min_withdrawal_fen=100, max_transfer_fen=20_000, daily_cap_fen=800)
        await withdraw(db, "acme", winner, 200)
        with pytest.raises(WithdrawalRefused) as refused:
            await withdraw(db, "acme", winner, amount)
        assert [d.code for d in refused.value.details] == [code]
        async with system(db, "acme") as ctx:
            assert (await wallet.wallet_of(ctx, winner)).balance == 800

    async def test_the_daily_cap_counts_the_brands_local_day(self, db: Database, winner: int, clock: Clock) -> None:
        await settings(db, "acme", daily_cap_fen=500)
        clock.now = clock.now.replace(hour=15, minute=30)  # 23:30 in Shanghai, 23 Nov
        await withdraw(db, "acme", winner, 500)
        with pytest.raises(WithdrawalRefused):
            await withdraw(db, "acme", winner, 10)
        clock.advance(hours=1)  # 00:30 on 24 Nov in Shanghai; still 23 Nov in UTC
        await withdraw(db, "acme", winner, 500)
        async with system(db, "acme") as ctx:
            assert (await wallet.wallet_of(ctx, winner)).withdrawn_today == 500

    async def test_failed_payouts_do_not_count_toward_the_cap(self, db: Database, runner: Runner, winner: int) -> None:
        await settings(db, "acme", daily_cap_fen=500)
        await withdraw(db, "acme", winner, 500, openid="sandbox-fail-1")
        await runner.drain()
        assert (await withdraw(db, "acme", winner, 500)).status == "requested"

    async def test_more_than_the_wallet_holds_is_refused(self, db: Database, winner: int) -> None:
        with pytest.raises(InsufficientFunds, match=r"the wallet holds 10\.00 yuan"):
            await withdraw(db, "acme", winner, 1_001)

    async def test_no_brand_cash_for_the_fee_refuses_and_keeps_the_wallet(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 5_000, cash=5_000)
        await award(db, "acme", budget.id, 9, 1_000)
        with pytest.raises(BrandFundsLow) as refused:
            await withdraw(db, "acme", 9, 1_000)
        assert "yuan" not in str(refused.value)  # the person is not told what the brand holds
        async with system(db, "acme") as ctx:
            assert (await wallet.wallet_of(ctx, 9)).balance == 1_000
            assert await wallet.list_payouts(ctx, PayoutFilter(), 5, None) == []
        await fund(db, "acme", 100)
        assert (await withdraw(db, "acme", 9, 1_000)).fee == 6

    async def test_a_retried_withdrawal_is_the_same_payout(self, db: Database, winner: int) -> None:
        first = await withdraw(db, "acme", winner, 300, key="tap-1")
        again = await withdraw(db, "acme", winner, 300, key="tap-1")
        assert (again.id, again.replayed) == (first.id, True)
        with pytest.raises(KeyReused):
            await withdraw(db, "acme", winner, 301, key="tap-1")
        async with system(db, "acme") as ctx:
            assert (await wallet.wallet_of(ctx, winner)).balance == 700

    async def test_wechat_needs_the_persons_openid(self, db: Database, winner: int) -> None:
        await settings(db, "acme", provider="wechat")
        with pytest.raises(WithdrawalRefused) as refused:
            await withdraw(db, "acme", winner, 300)
        assert [(d.field, d.code) for d in refused.value.details] == [("openid", "openid_required")]


class TestSandbox:
    async def test_a_payout_is_sent_and_paid_by_the_job(self, db: Database, runner: Runner, winner: int) -> None:
        payout = await withdraw(db, "acme", winner, 800)
        await runner.drain()
        async with system(db, "acme") as ctx:
            paid = await wallet.get_payout(ctx, payout.id)
            assert (paid.status, paid.out_batch_no, paid.out_detail_no) == (
                "succeeded", rules.out_batch_no(ctx.tenant_id, paid.batch_id or 0),
                rules.out_detail_no(ctx.tenant_id, payout.id),
            )  # fmt: skip
            summary = await wallet.balance_summary(ctx)
            assert (summary.in_transit, summary.paid_out, summary.wallets) == (0, 800, 200)
            assert summary.balanced

    async def test_a_declined_payout_returns_the_money_and_the_fee(
        self, db: Database, runner: Runner, winner: int
    ) -> None:
        payout = await withdraw(db, "acme", winner, 800, openid="sandbox-fail-x")
        await runner.drain()
        async with system(db, "acme") as ctx:
            failed = await wallet.get_payout(ctx, payout.id)
            assert (failed.status, failed.fail_code) == ("failed", "SANDBOX_DECLINED")
            [reversal] = await wallet.list_journals(ctx, JournalFilter(kind="payout_failed"), 5, None)
            assert sorted((e.account_kind, e.amount) for e in reversal.entries) == [
                ("brand_cash", 5), ("fee_income", -5), ("participant", 800), ("payout_transit", -800),
            ]  # fmt: skip
            summary = await wallet.balance_summary(ctx)
            assert (summary.wallets, summary.fee_income, summary.brand_cash, summary.in_transit) == (
                1_000,
                0,
                10_000,
                0,
            )
            again = await wallet.retry_payout(ctx, payout.id)
            assert (again.id != payout.id, again.key, again.status) == (True, f"retry:{payout.id}", "requested")

    async def test_a_failed_payout_of_a_merged_person_goes_to_the_survivor(self, db: Database, runner: Runner) -> None:
        """One ID merged the person after they asked (their wallet's balance moved then): the money
        the failed payout brings back follows them, not into a wallet nobody reaches any more."""
        budget = await funded_budget(db, "acme", 5_000, cash=15_000)
        survivor = await create_member(db, "acme")
        async with system(db, "acme") as ctx:
            ghost = (await persons.person_for_identity(ctx, "visitor", new_visitor())).id
        await award(db, "acme", budget.id, ghost, 1_000)
        payout = await withdraw(db, "acme", ghost, 800, openid="sandbox-fail-ghost")
        async with system(db, "acme") as ctx:  # what members and scans' handler do on the merge
            owner = await persons.resolved_person(ctx, survivor.id)
            await members_repo.merge_person(ctx.session, await persons.load_person(ctx, ghost), owner, ctx.now())
            await wallet.merge_wallets(ctx, ghost, survivor.id)
        await runner.drain()
        async with system(db, "acme") as ctx:
            assert (await wallet.get_payout(ctx, payout.id)).status == "failed"
            assert (await wallet.wallet_of(ctx, ghost)).balance == 0
            assert (await wallet.wallet_of(ctx, survivor.id)).balance == 1_000
            [moved, _] = await wallet.list_journals(ctx, JournalFilter(kind="merge"), 5, None)
            assert (moved.key, moved.amount) == (f"merge:payout:{payout.id}", 800)
            assert await wallet.is_balanced(ctx)

    async def test_a_batch_holds_at_most_the_maximum(
        self, db: Database, runner: Runner, winner: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(rules, "MAX_BATCH", 3)
        for _ in range(7):
            await withdraw(db, "acme", winner, 100)
        await runner.drain()
        async with system(db, "acme") as ctx:
            payouts = await wallet.list_payouts(ctx, PayoutFilter(), 20, None)
        assert {p.status for p in payouts} == {"succeeded"}
        sizes = sorted([p.batch_id for p in payouts].count(b) for b in {p.batch_id for p in payouts})
        assert sizes == [1, 3, 3]


class TestCrashes:
    async def test_a_crash_before_the_provider_was_called_sends_the_batch_once(
        self, db: Database, winner: int, clock: Clock, counting: type[CountingSandbox]
    ) -> None:
        payout = await withdraw(db, "acme", winner, 800)
        async with system(db, "acme") as ctx:
            taken = await processing.take_batch(ctx)  # committed … and the worker dies here
        assert taken is not None and counting.sent == []
        assert (await processing.process_payouts(_opener(db))).submitted_batches == 0  # leased to the dead worker
        clock.advance(minutes=6)
        await processing.process_payouts(_opener(db))
        assert counting.sent == [taken[0].out_batch_no]
        assert counting.asked[0] == taken[0].out_batch_no  # asked first: it might have had it
        async with system(db, "acme") as ctx:
            assert (await wallet.get_payout(ctx, payout.id)).status == "succeeded"
            assert (await wallet.balance_summary(ctx)).paid_out == 800

    async def test_a_crash_after_the_provider_accepted_never_sends_it_again(
        self, db: Database, winner: int, clock: Clock, counting: type[CountingSandbox]
    ) -> None:
        payout = await withdraw(db, "acme", winner, 800)
        async with system(db, "acme") as ctx:
            taken = await processing.take_batch(ctx)
        assert taken is not None
        await CountingSandbox(_opener(db)).submit(taken[0])  # the provider has it … then the crash
        clock.advance(minutes=6)
        await processing.process_payouts(_opener(db))
        await processing.process_payouts(_opener(db))
        assert counting.sent == [taken[0].out_batch_no]
        async with system(db, "acme") as ctx:
            assert (await wallet.get_payout(ctx, payout.id)).status == "succeeded"
            summary = await wallet.balance_summary(ctx)
            assert (summary.paid_out, summary.in_transit, summary.balanced) == (800, 0, True)

    async def test_no_answer_keeps_the_payout_at_the_provider_and_tries_again(
        self, db: Database, winner: int, clock: Clock, counting: type[CountingSandbox]
    ) -> None:
        payout = await withdraw(db, "acme", winner, 800)
        counting.fail_next = 1
        result = await processing.process_payouts(_opener(db))
        assert (result.submitted_batches, result.accepted_batches, result.waiting_batches) == (1, 0, 1)
        async with system(db, "acme") as ctx:
            waiting = await wallet.get_payout(ctx, payout.id)
            assert waiting.status == "submitted" and waiting.provider_error  # staff see why it waits
            assert [p.provider_error for p in await wallet.payouts_of(ctx, winner, 5)] == [None]  # the person not
            assert (await wallet.balance_summary(ctx)).in_transit == 800
            await wallet.retry_payout(ctx, payout.id)  # an operator: ask again now
        await processing.process_payouts(_opener(db))
        assert counting.sent == [waiting.out_batch_no]
        async with system(db, "acme") as ctx:
            assert (await wallet.get_payout(ctx, payout.id)).status == "succeeded"

    async def test_a_definitive_refusal_fails_the_payouts_and_returns_the_money(
        self, db: Database, winner: int
    ) -> None:
        class Refusing(SandboxProvider):
            async def submit(self, batch: TransferBatch) -> SubmitOutcome:
                return SubmitOutcome("rejected", code="PARAM_ERROR", message="openid 与 appid 不匹配")

        use_provider("sandbox", Refusing)
        payout = await withdraw(db, "acme", winner, 800)
        await processing.process_payouts(_opener(db))
        async with system(db, "acme") as ctx:
            failed = await wallet.get_payout(ctx, payout.id)
            assert (failed.status, failed.fail_code) == ("failed", "PARAM_ERROR")
            assert (await wallet.wallet_of(ctx, winner)).balance == 1_000
            assert await wallet.is_balanced(ctx)
