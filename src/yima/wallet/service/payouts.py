"""Withdrawals (提现): a person's money leaves their wallet for their WeChat balance.

``request_withdrawal`` runs in the request's transaction: it checks WeChat's rules, moves the
money into transit (and the brand's fee to the platform) and writes the payout, ``requested``.
It calls no provider: a job (``PROCESS_JOB``, queued in the same transaction) does that outside
any transaction, batch by batch (service.processing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import KeyReused, NotFound
from yima.platform.outbox import service as jobs
from yima.wallet import repository as repo
from yima.wallet import rules
from yima.wallet.errors import BrandFundsLow, PayoutNotRetryable, WithdrawalRefused
from yima.wallet.models import Payout
from yima.wallet.permissions import WALLET_READ, WALLET_WRITE
from yima.wallet.schemas import PayoutFilter, PayoutRead, WithdrawalQuote
from yima.wallet.service.ledger import post
from yima.wallet.service.settings import limits_of, load_settings

PROCESS_JOB = "wallet.process_payouts"


async def read_payouts(
    ctx: Ctx, payouts: Sequence[Payout], *, replayed: bool = False, staff: bool = True
) -> list[PayoutRead]:
    """``staff``: with what the provider said of a stuck batch (never shown to the person)."""
    batches = await repo.batches_by_ids(ctx.session, [p.batch_id for p in payouts if p.batch_id])
    return [
        PayoutRead(
            id=p.id,
            person_id=p.person_id,
            amount=p.amount,
            fee=p.fee,
            charge=p.amount + p.fee,
            fee_bps=p.fee_bps,
            provider=p.provider,
            status=p.status,
            key=p.key,
            batch_id=p.batch_id,
            out_batch_no=batches[p.batch_id].out_batch_no if p.batch_id in batches else None,
            out_detail_no=p.out_detail_no,
            fail_code=p.fail_code,
            fail_message=p.fail_message,
            provider_error=batches[p.batch_id].last_error if p.batch_id in batches and staff else None,
            requested_at=p.requested_at,
            submitted_at=p.submitted_at,
            settled_at=p.settled_at,
            replayed=replayed,
        )
        for p in payouts
    ]


async def quote_withdrawal(ctx: Ctx, amount_fen: int) -> WithdrawalQuote:
    """What a withdrawal costs the brand: ``charge = payout × (1 + fee rate)``."""
    settings = await load_settings(ctx)
    fee = rules.fee_of(amount_fen, settings.fee_bps)
    return WithdrawalQuote(amount=amount_fen, fee=fee, charge=amount_fen + fee, fee_bps=settings.fee_bps)


async def _replayed(ctx: Ctx, payout: Payout, amount_fen: int) -> PayoutRead:
    if payout.amount != amount_fen:
        raise KeyReused(f"the key {payout.key!r} was first used for a withdrawal of another amount")
    return (await read_payouts(ctx, [payout], replayed=True, staff=False))[0]


async def request_withdrawal(
    ctx: Ctx, person_id: int, amount_fen: int, key: str, *, openid: str | None = None
) -> PayoutRead:
    """Withdraw ``amount_fen`` from the person's wallet to their WeChat balance (``openid``, under
    the platform's app id). Idempotent per (person, ``key``). Refused, changing nothing, below the
    minimum (0.10 yuan at least), above the per-transfer maximum, past the person's daily cap
    (the brand's local day), beyond the wallet's balance (``insufficient_funds``), or when the
    brand's cash cannot cover the platform's fee (``brand_funds_low``). No permission of its own."""
    found = await repo.payout_by_key(ctx.session, person_id, key)
    if found is not None:
        return await _replayed(ctx, found, amount_fen)
    settings = await load_settings(ctx)
    if settings.provider == "wechat" and not openid:
        raise WithdrawalRefused("openid_required", "a WeChat payout needs the person's openid", "openid")
    limits = limits_of(settings)
    today = ctx.local(ctx.now()).date().isoformat()
    problem = rules.withdrawal_problem(amount_fen, limits, await repo.withdrawn_on(ctx.session, person_id, today))
    if problem:
        raise WithdrawalRefused(*problem)
    fee = rules.fee_of(amount_fen, settings.fee_bps)
    async with ctx.session.begin_nested():  # a refusal below undoes the money moved above
        try:
            journal = await post(
                ctx, "withdraw", f"withdraw:{person_id}:{key}", rules.withdraw_legs(person_id, amount_fen, fee),
                amount=amount_fen, memo="提现", ref_type="person", ref_id=str(person_id),
            )  # fmt: skip
        except BrandFundsLow:  # the person is told to come back, not what the brand holds
            raise BrandFundsLow("withdrawals are paused for a moment; please try again later") from None
        if journal.replayed:  # a concurrent request with the same key won
            payout = await repo.payout_by_key(ctx.session, person_id, key)
            assert payout is not None
            return await _replayed(ctx, payout, amount_fen)
        # The wallet's row is locked now: a concurrent withdrawal of this person waits here, so
        # the cap is checked against every committed payout of the day.
        problem = rules.withdrawal_problem(amount_fen, limits, await repo.withdrawn_on(ctx.session, person_id, today))
        if problem:
            raise WithdrawalRefused(*problem)
        account_id = journal.entries[[e.account_kind for e in journal.entries].index("participant")].account_id
        payout = Payout(
            tenant_id=ctx.tenant_id, person_id=person_id, account_id=account_id, key=key, amount=amount_fen, fee=fee,
            fee_bps=settings.fee_bps, provider=settings.provider, destination=openid or "",
            remark=settings.transfer_remark, status="requested", local_day=today, request_journal_id=journal.id,
            requested_at=ctx.now(),
        )  # fmt: skip
        repo.add(ctx.session, payout)
        await ctx.session.flush()
        payout.out_detail_no = rules.out_detail_no(ctx.tenant_id, payout.id)
        await ctx.session.flush()
    await queue_processing(ctx)
    return (await read_payouts(ctx, [payout], staff=False))[0]


async def queue_processing(ctx: Ctx, delay: dt.timedelta | None = None) -> bool:
    """Queue the payout job (now, or after ``delay``) unless one is queued that runs by then."""
    by = ctx.now() + (delay or dt.timedelta())
    recent = await jobs.list_jobs(ctx, PROCESS_JOB, 5, None)
    if any(j.state == "queued" and j.available_at <= by for j in recent):
        return False
    job = await jobs.enqueue_job(ctx, PROCESS_JOB, {})
    job.available_at = by
    await ctx.session.flush()
    return True


async def get_payout(ctx: Ctx, payout_id: int) -> PayoutRead:
    ctx.require(WALLET_READ.name)
    payout = await repo.get_payout(ctx.session, payout_id)
    if payout is None:
        raise NotFound(f"payout {payout_id} not found")
    return (await read_payouts(ctx, [payout]))[0]


async def list_payouts(ctx: Ctx, filters: PayoutFilter, limit: int, before_id: int | None) -> list[PayoutRead]:
    ctx.require(WALLET_READ.name)
    return await read_payouts(ctx, await repo.list_payouts(ctx.session, filters, limit + 1, before_id))


async def payouts_of(ctx: Ctx, person_id: int, limit: int) -> list[PayoutRead]:
    """A person's latest withdrawals (their wallet page); no permission of its own."""
    payouts = await repo.list_payouts(ctx.session, PayoutFilter(person_id=person_id), limit, None)
    return await read_payouts(ctx, payouts, staff=False)


async def retry_payout(ctx: Ctx, payout_id: int) -> PayoutRead:
    """Try again: a failed payout is withdrawn anew (its money came back to the wallet; the new
    payout is another transfer, under the day's cap); one waiting at the provider is asked again
    now under its own numbers (never a second transfer). Returns the payout to follow."""
    ctx.require(WALLET_WRITE.name)
    payout = await repo.get_payout(ctx.session, payout_id)
    if payout is None:
        raise NotFound(f"payout {payout_id} not found")
    if payout.status == "failed":
        again = await request_withdrawal(
            ctx, payout.person_id, payout.amount, f"retry:{payout.id}", openid=payout.destination or None
        )
        if not again.replayed:  # a retry answered again made nothing new
            identity.record_audit(ctx, "wallet.payout_retried", "wallet_payout", payout.id, {"new_payout_id": again.id})
        return again
    if payout.status not in ("requested", "submitted"):
        raise PayoutNotRetryable(f"payout {payout.id} is {payout.status}")
    if payout.batch_id is not None:
        await repo.expedite_batch(ctx.session, payout.batch_id, ctx.now())
    await queue_processing(ctx)
    identity.record_audit(ctx, "wallet.payout_retried", "wallet_payout", payout.id, {"status": payout.status})
    return (await read_payouts(ctx, [payout]))[0]
