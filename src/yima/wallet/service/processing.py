"""Sending payouts to their provider and settling them, one committed step at a time.

The provider is never called inside a transaction. Each round:

1. in a transaction: take a batch — a due one that had no trustworthy answer yet, or a new one
   of up to 1,000 requested payouts — marking it (and its payouts ``submitted``) and pushing its
   next attempt out by a lease; commit. The batch's numbers come from its id.
2. no transaction: ask the provider about the batch if it was tried before (it may have it
   already), else send it. A crash anywhere here leaves a committed batch that a later round
   takes again under the same numbers: the provider sees one batch, so nobody is paid twice.
3. in a transaction: record the answer — accepted, refused for good (its payouts fail and their
   money returns to the wallets), or unknown (tried again after a backoff).

Then accepted batches that are due are queried, and what the provider settled is booked:
paid (transit → paid out) or failed (the request's journal reversed).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from yima.members import service as members
from yima.platform.ctx import Ctx
from yima.platform.errors import NotFound
from yima.platform.outbox import service as outbox
from yima.wallet import repository as repo
from yima.wallet import rules
from yima.wallet.events import PayoutFailed, PayoutSucceeded
from yima.wallet.models import Payout, PayoutBatch
from yima.wallet.providers import build_provider
from yima.wallet.providers.base import (
    BatchReport,
    Opener,
    PayoutProvider,
    ProviderUnavailable,
    SubmitOutcome,
    TransferBatch,
    TransferDetail,
)
from yima.wallet.schemas import ProcessResult
from yima.wallet.service.ledger import post
from yima.wallet.service.payouts import queue_processing
from yima.wallet.service.settings import load_settings

LEASE = dt.timedelta(minutes=5)  # how long a taken batch is left to the worker that took it
MAX_ROUNDS = 50
ProviderFactory = Callable[[str, Opener], PayoutProvider]


async def process_payouts(open_ctx: Opener, provider_for: ProviderFactory = build_provider) -> ProcessResult:
    """Send what is waiting, settle what the providers finished; queue the next look when some
    batches are still out. ``open_ctx`` opens a committed transaction of the brand (a job's
    ``run.open_ctx``, the CLI's context)."""
    result = ProcessResult()
    for _ in range(MAX_ROUNDS):
        async with open_ctx() as ctx:
            taken = await take_batch(ctx)
        if taken is None:
            break
        batch, attempts, provider_name = taken
        outcome = await _send(provider_for(provider_name, open_ctx), batch, attempts)
        async with open_ctx() as ctx:
            await record_submission(ctx, batch.batch_id, outcome)
        result.submitted_batches += 1
        result.accepted_batches += outcome.kind == "accepted"
    for _ in range(MAX_ROUNDS):
        async with open_ctx() as ctx:
            due = await take_query(ctx)
        if due is None:
            break
        batch_id, out_batch_no, provider_name = due
        try:
            report = await provider_for(provider_name, open_ctx).query(out_batch_no)
        except ProviderUnavailable as exc:
            async with open_ctx() as ctx:
                await record_query_failure(ctx, batch_id, str(exc))
            continue
        async with open_ctx() as ctx:
            paid, failed = await record_report(ctx, batch_id, report)
        result.succeeded += paid
        result.failed += failed
    async with open_ctx() as ctx:
        result.waiting_batches = await repo.count_batches(ctx.session, ("submitting", "accepted"))
        if result.waiting_batches:
            await queue_processing(ctx, rules.SYNC_DELAY)
    return result


async def _send(provider: PayoutProvider, batch: TransferBatch, attempts: int) -> SubmitOutcome:
    """Send a batch; one tried before is asked about first (the provider may hold it already)."""
    try:
        if attempts > 1:
            report = await provider.query(batch.out_batch_no)
            if report.found:
                return SubmitOutcome("accepted", report.provider_batch_id)
        return await provider.submit(batch)
    except ProviderUnavailable as exc:
        return SubmitOutcome("unknown", code="UNAVAILABLE", message=str(exc)[:500])


def _transfer_batch(ctx: Ctx, batch: PayoutBatch, payouts: list[Payout]) -> TransferBatch:
    """The batch as the provider sees it: the same on every attempt (its texts were fixed when
    it was made, its payouts' when they were requested)."""
    details = tuple(
        TransferDetail(p.out_detail_no or rules.out_detail_no(ctx.tenant_id, p.id), p.amount, p.destination,
                       rules.clip(p.remark or batch.remark))
        for p in payouts
    )  # fmt: skip
    return TransferBatch(batch.id, batch.out_batch_no, batch.name, batch.remark, batch.scene_id, details)


async def take_batch(ctx: Ctx) -> tuple[TransferBatch, int, str] | None:
    """Step 1: a batch to send (with its attempt number and provider), or None."""
    now = ctx.now()
    for batch_id in await repo.due_batch_ids(ctx.session, "submitting", now, 5):
        if await repo.claim_batch(ctx.session, batch_id, "submitting", now, now + LEASE):
            batch = await repo.get_batch(ctx.session, batch_id)
            assert batch is not None
            payouts = await repo.payouts_of_batch(ctx.session, batch.id)
            return _transfer_batch(ctx, batch, payouts), batch.attempts, batch.provider
    for provider in await repo.requested_providers(ctx.session):
        ids = await repo.requested_payout_ids(ctx.session, provider, rules.MAX_BATCH)
        if not ids:
            continue
        settings = await load_settings(ctx)
        batch = PayoutBatch(
            tenant_id=ctx.tenant_id, provider=provider, out_batch_no=f"new{uuid.uuid4().hex[:24]}",
            name=rules.clip(f"{ctx.tenant.name if ctx.tenant else ''}红包提现"),
            remark=rules.clip(settings.transfer_remark), scene_id=settings.transfer_scene_id,
            status="submitting", total_amount=0, total_num=0, attempts=1, next_attempt_at=now + LEASE, created_at=now,
        )  # fmt: skip
        repo.add(ctx.session, batch)
        await ctx.session.flush()
        batch.out_batch_no = rules.out_batch_no(ctx.tenant_id, batch.id)
        await repo.claim_payouts(ctx.session, ids, batch.id, now)
        payouts = await repo.payouts_of_batch(ctx.session, batch.id)
        if not payouts:  # another worker took them all first
            await repo.delete_row(ctx.session, batch)
            continue
        batch.total_amount = sum(p.amount for p in payouts)
        batch.total_num = len(payouts)
        await ctx.session.flush()
        return _transfer_batch(ctx, batch, payouts), batch.attempts, provider
    return None


async def record_submission(ctx: Ctx, batch_id: int, outcome: SubmitOutcome) -> None:
    """Step 3: what the provider said to the batch."""
    batch = await repo.get_batch(ctx.session, batch_id)
    if batch is None or batch.status != "submitting":
        return
    now = ctx.now()
    if outcome.kind == "accepted":
        batch.status, batch.provider_batch_id = "accepted", outcome.provider_batch_id
        batch.accepted_at, batch.next_attempt_at, batch.last_error = now, now, None
    elif outcome.kind == "rejected" and outcome.code in rules.DEFINITIVE_REJECTIONS:
        batch.status, batch.finished_at = "rejected", now
        batch.last_error = f"{outcome.code}: {outcome.message}"[:2000]
        for payout in await repo.payouts_of_batch(ctx.session, batch.id):
            settled = rules.Settlement(payout.id, "failed", outcome.code, outcome.message[:200])
            await settle(ctx, payout, settled)
    else:
        batch.last_error = f"{outcome.code}: {outcome.message}"[:2000]
        batch.next_attempt_at = now + rules.backoff(batch.attempts)
    await ctx.session.flush()


async def take_query(ctx: Ctx) -> tuple[int, str, str] | None:
    """An accepted batch due for a query: (id, out_batch_no, provider), taken for one look."""
    now = ctx.now()
    for batch_id in await repo.due_batch_ids(ctx.session, "accepted", now, 5):
        if await repo.claim_batch(ctx.session, batch_id, "accepted", now, now + rules.SYNC_DELAY):
            batch = await repo.get_batch(ctx.session, batch_id)
            assert batch is not None
            return batch.id, batch.out_batch_no, batch.provider
    return None


async def record_query_failure(ctx: Ctx, batch_id: int, error: str) -> None:
    batch = await repo.get_batch(ctx.session, batch_id)
    if batch is not None:
        batch.last_error = error[:2000]
        await ctx.session.flush()


async def record_report(ctx: Ctx, batch_id: int, report: BatchReport) -> tuple[int, int]:
    """Book what the provider settled of a batch: (paid, failed) payouts."""
    batch = await repo.get_batch(ctx.session, batch_id)
    if batch is None or batch.status != "accepted":
        return 0, 0
    payouts = await repo.payouts_of_batch(ctx.session, batch.id)
    waiting = {p.out_detail_no or "": p for p in payouts if p.status == "submitted"}
    paid = failed = 0
    for settled in rules.settlements(report, {no: p.id for no, p in waiting.items()}):
        payout = next(p for p in payouts if p.id == settled.payout_id)
        if await settle(ctx, payout, settled):
            paid += settled.outcome == "succeeded"
            failed += settled.outcome == "failed"
    still = [p for p in payouts if p.status == "submitted"]
    if report.found and report.status in ("FINISHED", "CLOSED") and not still:
        batch.status = "finished" if report.status == "FINISHED" else "closed"
        batch.finished_at = ctx.now()
    batch.last_error = None if report.found else "the provider does not know this batch (yet)"
    await ctx.session.flush()
    return paid, failed


async def settle(ctx: Ctx, payout: Payout, settled: rules.Settlement) -> bool:
    """Book one payout's outcome once: paid (transit → paid out) or failed (its request journal
    reversed: the money back in the wallet, the fee back to the brand)."""
    if not rules.can_move(payout.status, settled.outcome) or not await repo.settle_payout(
        ctx.session, payout.id, settled.outcome, ctx.now()
    ):
        return False  # settled already (another worker, or an earlier round)
    if settled.outcome == "succeeded":
        journal = await post(
            ctx, "payout_paid", f"paid:{payout.id}", rules.paid_legs(payout.amount), amount=payout.amount,
            memo="提现到账", ref_type="payout", ref_id=str(payout.id),
        )  # fmt: skip
        outbox.publish(ctx, PayoutSucceeded(payout.id, payout.person_id, payout.amount))
    else:
        journal = await post(
            ctx, "payout_failed", f"failed:{payout.id}", rules.failed_legs(payout.person_id, payout.amount, payout.fee),
            amount=payout.amount, memo=f"提现失败退回 {settled.code}", ref_type="payout", ref_id=str(payout.id),
            reverses_id=payout.request_journal_id,
        )  # fmt: skip
        outbox.publish(ctx, PayoutFailed(payout.id, payout.person_id, payout.amount, settled.code))
        await _to_survivor(ctx, payout)
    payout.status, payout.settle_journal_id, payout.settled_at = settled.outcome, journal.id, ctx.now()
    payout.provider_detail_id = settled.detail_id or payout.provider_detail_id
    if settled.outcome == "failed":
        payout.fail_code, payout.fail_message = settled.code[:64], settled.message[:200]
    await ctx.session.flush()
    return True


async def _to_survivor(ctx: Ctx, payout: Payout) -> None:
    """A failed payout's money went back to the wallet of the person who asked for it. When One
    ID has merged that person into another since, nobody reaches that wallet any more (the
    merge's handler moved what it held then): the money follows the person to the survivor's."""
    try:
        into = await members.current_person_id(ctx, payout.person_id)
    except NotFound:  # a person members never knew (not made by its use cases): nobody to follow
        return
    if into != payout.person_id:
        await post(
            ctx, "merge", f"merge:payout:{payout.id}", rules.merge_legs(payout.person_id, into, payout.amount),
            amount=payout.amount, memo="账户合并", ref_type="person", ref_id=str(into),
        )  # fmt: skip
