"""Reconciliation against the sandbox provider's own records: matched, missing, another amount,
another outcome, not sent yet; and the pure comparison behind it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update

from tests.identity.factories import system
from tests.wallet.conftest import Clock
from tests.wallet.factories import award, funded_budget, withdraw
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner
from yima.wallet import rules
from yima.wallet import service as wallet
from yima.wallet.models import SandboxTransfer
from yima.wallet.providers import use_provider
from yima.wallet.providers.base import BatchReport, DetailReport, SubmitOutcome, TransferBatch
from yima.wallet.providers.sandbox import SandboxProvider
from yima.wallet.schemas import ReconciliationCreate


async def test_the_report_names_every_payout_that_does_not_match(db: Database, runner: Runner, acme: str) -> None:
    budget = await funded_budget(db, "acme", 10_000, cash=20_000)
    await award(db, "acme", budget.id, 5, 5_000)
    payouts = [await withdraw(db, "acme", 5, amount) for amount in (100, 200, 300)]
    declined = await withdraw(db, "acme", 5, 400, openid="sandbox-fail-1")
    await runner.drain()
    waiting = await withdraw(db, "acme", 5, 500)  # requested, not sent yet
    async with db.session() as session:  # the provider's side changes behind our back
        tampered = update(SandboxTransfer).where(SandboxTransfer.out_detail_no == payouts[0].out_detail_no)
        await session.execute(tampered.values(amount=99).execution_options(all_tenants=True))
        flipped = update(SandboxTransfer).where(SandboxTransfer.out_detail_no == payouts[1].out_detail_no)
        await session.execute(flipped.values(status="FAIL").execution_options(all_tenants=True))
        gone = delete(SandboxTransfer).where(SandboxTransfer.out_detail_no == payouts[2].out_detail_no)
        await session.execute(gone.execution_options(all_tenants=True))
        await session.commit()
    async with system(db, "acme") as ctx:
        started = await wallet.start_reconciliation(ctx, ReconciliationCreate(), queue=False)
    report = await wallet.run_reconciliation(lambda: system(db, "acme"), started.id)
    assert (report.status, report.checked, report.matched, report.problems) == ("done", 4, 1, 3)
    assert report.counts == {"amount_mismatch": 1, "status_mismatch": 1, "missing": 1, "matched": 1, "not_sent": 1}
    assert sorted((line.verdict, line.payout_id) for line in report.lines) == sorted(
        [("amount_mismatch", payouts[0].id), ("status_mismatch", payouts[1].id), ("missing", payouts[2].id)]
    )
    assert declined.id not in {line.payout_id for line in report.lines} and waiting.status == "requested"


async def test_a_batch_refused_for_good_matches_its_failed_payouts(db: Database, acme: str) -> None:
    """The provider refused the batch (it holds nothing) and our payouts failed, their money back:
    nobody was paid on either side, which is no problem for finance to chase."""

    class Refusing(SandboxProvider):
        async def submit(self, batch: TransferBatch) -> SubmitOutcome:
            return SubmitOutcome("rejected", code="PARAM_ERROR", message="openid 与 appid 不匹配")

    budget = await funded_budget(db, "acme", 10_000, cash=20_000)
    await award(db, "acme", budget.id, 5, 5_000)
    refused = [await withdraw(db, "acme", 5, amount) for amount in (100, 200)]
    use_provider("sandbox", Refusing)
    await wallet.process_payouts(lambda: system(db, "acme"))
    use_provider("sandbox", None)
    async with system(db, "acme") as ctx:
        assert {(await wallet.get_payout(ctx, p.id)).status for p in refused} == {"failed"}
        started = await wallet.start_reconciliation(ctx, ReconciliationCreate(), queue=False)
    report = await wallet.run_reconciliation(lambda: system(db, "acme"), started.id)
    assert (report.checked, report.matched, report.problems, report.lines) == (2, 2, 0, [])


async def test_a_batch_across_the_edge_of_two_periods_is_counted_once(
    db: Database, acme: str, clock: Clock
) -> None:
    """One batch holds a payout requested before an edge and one after it: each report checks its
    own period's payout, and a transfer we do not know is told by one report only (the one
    holding the batch's first payout)."""
    budget = await funded_budget(db, "acme", 10_000, cash=20_000)
    await award(db, "acme", budget.id, 5, 5_000)
    start = clock.now
    before = await withdraw(db, "acme", 5, 100)
    clock.advance(hours=1)
    edge = clock.now
    after = await withdraw(db, "acme", 5, 200)
    clock.advance(hours=1)
    await wallet.process_payouts(lambda: system(db, "acme"))
    async with system(db, "acme") as ctx:
        sent = {(await wallet.get_payout(ctx, p.id)).out_batch_no for p in (before, after)}
    [out_batch_no] = sent  # one batch, both payouts
    async with db.session() as session:  # the provider shows a transfer we never asked for
        [tenant_id] = (await session.execute(
            select(SandboxTransfer.tenant_id).where(SandboxTransfer.out_batch_no == out_batch_no).limit(1)
            .execution_options(all_tenants=True)
        )).scalars().all()  # fmt: skip
        session.add(SandboxTransfer(tenant_id=tenant_id, out_batch_no=out_batch_no, out_detail_no="X1",
                                    amount=5, status="SUCCESS"))  # fmt: skip
        await session.commit()

    async def report(since: dt.datetime, until: dt.datetime) -> list[tuple[str, int | None]]:
        async with system(db, "acme") as ctx:
            period = ReconciliationCreate(since=since, until=until)
            started = await wallet.start_reconciliation(ctx, period, queue=False)
        done = await wallet.run_reconciliation(lambda: system(db, "acme"), started.id)
        assert done.checked + done.counts.get("unexpected", 0) == len(done.lines) + done.matched
        return [*sorted((line.verdict, line.payout_id) for line in done.lines), ("matched", done.matched)]

    assert await report(start, edge) == [("unexpected", None), ("matched", 1)]
    assert await report(edge, clock.now) == [("matched", 1)]
    assert await report(start, clock.now) == [("unexpected", None), ("matched", 2)]


class TestCompare:
    ours = (rules.OurPayout(1, "D1", 100, "succeeded"), rules.OurPayout(2, "D2", 200, "submitted"))

    def test_a_batch_still_at_work_is_pending_not_missing(self) -> None:
        report = BatchReport(True, "PROCESSING", "B", details=(DetailReport("D1", "PROCESSING", 100),))
        assert [line.verdict for line in rules.reconcile_batch(self.ours, report)] == ["pending", "pending"]

    def test_a_transfer_we_do_not_know_is_unexpected(self) -> None:
        details = (
            DetailReport("D1", "SUCCESS", 100),
            DetailReport("D2", "SUCCESS", 200),
            DetailReport("D9", "SUCCESS", 5),
        )
        lines = rules.reconcile_batch(self.ours, BatchReport(True, "FINISHED", "B", details=details))
        assert [line.verdict for line in lines] == ["matched", "pending", "unexpected"]

    def test_an_unknown_batch_is_missing(self) -> None:
        assert {line.verdict for line in rules.reconcile_batch(self.ours, BatchReport(False))} == {"missing"}

    def test_a_failed_payout_the_provider_holds_nothing_of_matches(self) -> None:
        ours = (rules.OurPayout(1, "D1", 100, "failed"), rules.OurPayout(2, "D2", 200, "succeeded"))
        for report in (BatchReport(False), BatchReport(True, "FINISHED", "B")):
            assert [line.verdict for line in rules.reconcile_batch(ours, report)] == ["matched", "missing"]
