"""Money into the brand, into budgets and out of them to participants (资金与预算).

``open_budget``, ``budget_of``, ``close_budget`` and ``award`` are for other contexts' use cases
(campaigns, rebates): they check no permission of their own, the caller has checked what its
use case needs. Funding and allocating are finance's (``wallet:write``), audited.
"""

from __future__ import annotations

from typing import Any

from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Invalid
from yima.wallet import repository as repo
from yima.wallet import rules
from yima.wallet.permissions import WALLET_WRITE
from yima.wallet.rules import CNY
from yima.wallet.schemas import AccountRead, BudgetCreate, JournalRead
from yima.wallet.service.ledger import WithFirst, WithLast, post, with_account_names
from yima.wallet.service.slices import SliceMode, budget_rows, pay_from, read_budget, spread_legs, take_legs


def _positive(amount_fen: int, field: str = "amount_fen") -> None:
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise Invalid("amounts are positive integer fen", [FieldError(field, "must be at least 1 fen", "not_positive")])


def _audit(ctx: Ctx, action: str, target_id: object, journal: JournalRead, **more: Any) -> None:
    if not journal.replayed:
        changes = {"amount_fen": journal.amount, "journal_id": journal.id, "key": journal.key, **more}
        identity.record_audit(ctx, action, "wallet_account", target_id, changes)


async def _audited(ctx: Ctx, action: str, target_id: object, journal: JournalRead, **more: Any) -> JournalRead:
    """A staff movement's journal as staff see it (its accounts named), audited unless replayed."""
    _audit(ctx, action, target_id, journal, **more)
    return await with_account_names(ctx, journal)


async def open_budget(ctx: Ctx, owner_kind: str, owner_ref: str, name: str, *, slices: int = 1) -> AccountRead:
    """The budget (预算) of a campaign, rebate policy, task … named by its owner in its own
    context; opening it again returns the same account (the name stays the first one).
    ``slices`` (1…rules.MAX_SLICES): how many accounts share its money, for a budget that pays
    many awards at once (service/slices.py); opening it again with more adds the missing ones."""
    return (await _open_budget(ctx, owner_kind, owner_ref, name, slices))[0]


async def _open_budget(ctx: Ctx, owner_kind: str, owner_ref: str, name: str, slices: int) -> tuple[AccountRead, bool]:
    """``open_budget``, and whether this call opened it (False: it was open already)."""
    if not 1 <= slices <= rules.MAX_SLICES:
        raise ValueError(f"a budget has 1 to {rules.MAX_SLICES} slices")
    now = ctx.now()
    rows = [
        {"tenant_id": ctx.tenant_id, "kind": "budget", "currency": CNY, "owner_kind": owner_kind,
         "owner_ref": owner_ref, "name": name[:120], "balance": 0, "slice": k, "created_at": now}
        for k in range(slices)
    ]  # fmt: skip
    opened = await repo.open_account(ctx.session, rows)
    return await budget_of(ctx, owner_kind, owner_ref), opened == slices  # type: ignore[return-value]


async def create_budget(ctx: Ctx, data: BudgetCreate) -> AccountRead:
    """A budget opened by staff (a display task's, a one-off promotion's); audited when this
    call opened it (asking again returns the open budget, under its first name)."""
    ctx.require(WALLET_WRITE.name)
    account, opened = await _open_budget(ctx, data.owner_kind, data.owner_ref, data.name, 1)
    if opened:
        identity.record_audit(ctx, "wallet.budget_opened", "wallet_account", account.id, data.model_dump())
    return account


async def budget_of(ctx: Ctx, owner_kind: str, owner_ref: str) -> AccountRead | None:
    account = await repo.account_by_owner(ctx.session, "budget", owner_kind, owner_ref, CNY)
    return read_budget(await budget_rows(ctx, account.id)) if account else None


async def fund_brand(ctx: Ctx, amount_fen: int, reference: str, memo: str = "") -> JournalRead:
    """Record money the brand paid in (充值): its cash balance grows. ``reference`` (the bank
    transfer's) is the idempotency key: the same transfer recorded twice counts once."""
    ctx.require(WALLET_WRITE.name)
    _positive(amount_fen)
    journal = await post(
        ctx, "fund", f"fund:{reference}", rules.fund_legs(amount_fen), amount=amount_fen,
        memo=memo or f"充值 {reference}", ref_type="funding", ref_id=reference[:64],
    )  # fmt: skip
    return await _audited(ctx, "wallet.brand_funded", "brand_cash", journal, reference=reference)


async def allocate_budget(ctx: Ctx, budget_account_id: int, amount_fen: int, key: str) -> JournalRead:
    """Give a budget money from the brand's cash balance (预算分配); refused, changing nothing,
    when the balance is short."""
    ctx.require(WALLET_WRITE.name)
    _positive(amount_fen)
    rows = await budget_rows(ctx, budget_account_id)
    journal = await post(
        ctx, "allocate", f"allocate:{key}", [rules.brand("brand_cash", -amount_fen), *spread_legs(rows, amount_fen)],
        amount=amount_fen, memo="预算分配", ref_type="budget", ref_id=str(budget_account_id),
        same_as=rules.allocate_legs(budget_account_id, amount_fen),
    )  # fmt: skip
    return await _audited(ctx, "wallet.budget_allocated", budget_account_id, journal)


async def release_budget(ctx: Ctx, budget_account_id: int, amount_fen: int | None, key: str) -> JournalRead:
    """Return money from a budget to the brand's cash balance (预算回收); None: all it holds."""
    ctx.require(WALLET_WRITE.name)
    rows = await budget_rows(ctx, budget_account_id, lock=True)
    if amount_fen is None:
        amount_fen = sum(a.balance for a in rows)
        if amount_fen == 0:
            raise Invalid("the budget holds nothing", [FieldError("amount_fen", "nothing to release", "empty")])
    _positive(amount_fen)
    journal = await post(
        ctx, "release", f"release:{key}", [*take_legs(rows, amount_fen), rules.brand("brand_cash", amount_fen)],
        amount=amount_fen, memo="预算回收", ref_type="budget", ref_id=str(budget_account_id),
        same_as=rules.release_legs(budget_account_id, amount_fen),
    )  # fmt: skip
    return await _audited(ctx, "wallet.budget_released", budget_account_id, journal)


async def close_budget(ctx: Ctx, budget_account_id: int) -> AccountRead:
    """End a budget (its campaign or policy ended): what it holds goes back to the brand's cash
    balance and it pays nothing more. Closing it again changes nothing. Audited when this call
    closed it, empty or not: a closed budget refuses every award and allocation after it."""
    rows = await budget_rows(ctx, budget_account_id, lock=True)
    held = sum(a.balance for a in rows)
    if any(a.closed_at is None for a in rows):
        changes: dict[str, Any] = {"amount_fen": 0}
        if held > 0:
            journal = await post(
                ctx, "release", f"close:{budget_account_id}", [*take_legs(rows, held), rules.brand("brand_cash", held)],
                amount=held, memo="预算结束回收", ref_type="budget", ref_id=str(budget_account_id),
                same_as=rules.release_legs(budget_account_id, held),
            )  # fmt: skip
            changes = {"amount_fen": journal.amount, "journal_id": journal.id, "key": journal.key}
        await repo.close_accounts(ctx.session, [a.id for a in rows], ctx.now())
        identity.record_audit(ctx, "wallet.budget_closed", "wallet_account", budget_account_id, changes)
    return read_budget(await budget_rows(ctx, budget_account_id))


async def award(
    ctx: Ctx, budget_account_id: int, person_id: int, amount_fen: int, reason: str, key: str,
    slices: SliceMode = "any", with_first: WithFirst = (), with_last: WithLast | None = None,
) -> JournalRead:  # fmt: skip
    """Pay a prize or reward from a budget into a person's wallet (奖励入账). Refused with
    ``insufficient_funds`` (or ``budget_closed``), changing nothing, when the budget cannot pay;
    ``key`` (namespaced by the caller, e.g. ``campaigns:draw:812``) makes a retry pay once.
    ``slices``: which of a split budget's slices may pay (``pay_from``). ``with_first``,
    ``with_last``: the caller's statements sent with the journal's first and last statements
    (``ledger.post``).

    The budget's row (the slice that paid, when it is split) stays locked until the caller's
    transaction ends: call it late."""
    _positive(amount_fen)
    return await pay_from(
        ctx, budget_account_id, rules.award_legs(budget_account_id, person_id, amount_fen), amount_fen,
        memo=reason, ref_type="person", ref_id=str(person_id), key=f"award:{key}", slices=slices,
        with_first=with_first, with_last=with_last,
    )  # fmt: skip


async def merge_wallets(ctx: Ctx, from_person_id: int, into_person_id: int) -> JournalRead | None:
    """One ID merged two persons (a visitor proved a phone another person holds): what the merged
    person's wallet holds moves to the survivor's (None when it holds nothing). Idempotent: run
    again, it finds the wallet empty. Withdrawals already requested stay the merged person's; the
    money of one that fails later follows to the survivor (processing._to_survivor)."""
    account = await repo.account_by_owner(ctx.session, "participant", rules.PERSON, str(from_person_id), rules.CNY)
    if account is None or account.balance <= 0:
        return None
    return await post(
        ctx, "merge", f"merge:{from_person_id}:{into_person_id}:{account.balance}",
        rules.merge_legs(from_person_id, into_person_id, account.balance), amount=account.balance,
        memo="账户合并", ref_type="person", ref_id=str(into_person_id),
    )  # fmt: skip
