"""Rebate credits (返利明细): each receiver's rebate for a code under a policy, paid from the
policy's wallet budget into the wallet of the person paid for the partner (its owner account).

A credit is written once per (policy, code, receiver) by INSERT … ON CONFLICT DO NOTHING, so a
redelivered event, a retried scan or two scans racing pay once; its payment is a wallet award
keyed by the credit, in a savepoint: a budget that cannot pay leaves the credit
``budget_exhausted`` and the transaction whole."""

from __future__ import annotations

from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError
from yima.rebates import repository as repo
from yima.rebates import rules
from yima.rebates.models import RebateCredit
from yima.rebates.service.live import LivePolicy
from yima.wallet import service as wallet
from yima.wallet.errors import BUDGET_CANNOT_PAY

MEMO_LENGTH = 200


async def _payee(ctx: Ctx, receiver: str, receiver_id: int) -> int | None:
    """The person paid for a store or dealer: its owner account (None: no account)."""
    return (await partners.payees_of(ctx, receiver, [receiver_id])).get(receiver_id)


async def _pay(ctx: Ctx, policy: LivePolicy, credit: RebateCredit, person_id: int) -> None:
    assert policy.budget_account_id is not None, "active policies have a wallet budget"
    try:
        async with ctx.session.begin_nested():
            journal = await wallet.award(
                ctx, policy.budget_account_id, person_id, credit.amount_fen, credit.reason[:MEMO_LENGTH],
                f"rebates:credit:{credit.id}",
            )  # fmt: skip
    except AppError as exc:
        if exc.code not in BUDGET_CANNOT_PAY:
            raise
        credit.state = "budget_exhausted"
        return
    credit.journal_id = journal.id


async def credit(
    ctx: Ctx,
    policy: LivePolicy,
    receiver: rules.Receiver,
    receiver_id: int,
    serial: int,
    why: rules.Why,
    trigger: str,
    region_code: str | None = None,
    person_id: int | None = None,
) -> RebateCredit | None:
    """Credit ``receiver`` for ``serial`` once: paid now (``why.state == "paid"``), or held; the
    new credit, or None when the policy had credited this receiver for this code already.
    A store or dealer is paid through its owner account; a salesman or guide (their role's id)
    is ``person_id`` themselves."""
    amount = policy.amounts()[receiver]
    if receiver in rules.PAID_AS_PARTNER:
        person_id = await _payee(ctx, receiver, receiver_id)
    state = "no_account" if why.state == "paid" and person_id is None else why.state
    row = {
        "tenant_id": ctx.tenant_id, "policy_id": policy.id, "serial": serial,
        "receiver_kind": receiver, "receiver_id": receiver_id, "person_id": person_id, "amount_fen": amount,
        "state": state, "reason": why.reason[:MEMO_LENGTH], "trigger": trigger[:60], "region_code": region_code,
        "created_at": ctx.now(), "updated_at": ctx.now(),
    }  # fmt: skip
    written = await repo.claim_credit(ctx.session, row)
    if written is not None and state == "paid":
        assert person_id is not None
        await _pay(ctx, policy, written, person_id)
        await ctx.session.flush()
    return written


async def settle_held(ctx: Ctx, policy: LivePolicy, held: RebateCredit, why: rules.Why, trigger: str) -> None:
    """Release a held credit to its receiver (paid now) or forfeit it (窜货不返利)."""
    held.reason, held.trigger, held.updated_at = why.reason[:MEMO_LENGTH], trigger[:60], ctx.now()
    if why.state != "released":
        held.state = why.state
    else:
        person_id = await _payee(ctx, held.receiver_kind, held.receiver_id)
        held.person_id = person_id
        held.state = "released" if person_id is not None else "no_account"
        if person_id is not None:
            await _pay(ctx, policy, held, person_id)
    await ctx.session.flush()
