"""Budgets split in slices (预算分片), so that concurrent awards from one budget do not queue on
one row.

A budget opened with ``slices=n`` is n accounts of the same kind, owner and name: slice 0 is
the budget other contexts know (its id), slices 1…n-1 share its money. An allocation is spread
evenly over them; an award debits one slice picked at random with the usual conditional UPDATE
(it locks that row only). On PostgreSQL, when another transaction holds that row, the UPDATE
takes instead the first of a few other random slices that is free and can pay (SKIP LOCKED): a
scan queues behind another on a slice only when all of those are held. When the slice it comes
to cannot pay, every slice is locked in id order (the global lock order: a participant's
wallet before budgets, slices by id), and if together they hold the amount they are evened out
by a ``rebalance`` journal that leaves one slice the amount plus an even share — then it pays.
(The random slice is tried in a savepoint, rolled back when it refuses: PostgreSQL keeps the
row lock of an UPDATE refused after a wait, and of an alternative SKIP LOCKED took and then
found short, and the slow path must hold no slice when it starts taking them in order. A
caller that holds a savepoint of its own — the draw — asks for one slice only and, refused,
rolls back and asks for all: one savepoint fewer per award.) Nothing is ever paid beyond the slices' sum, each
slice being an account that may not go negative; a budget's balance is the sum of its slices'.

Which accounts a budget's slices are is kept in process (they never change once opened); the
cached ids are only a hint: each debit checks the row is still that budget's, and the slow path
reads them afresh.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from typing import Literal

from yima.platform.caches import TtlCache
from yima.platform.ctx import Ctx
from yima.platform.errors import NotFound
from yima.wallet import repository as repo
from yima.wallet import rules
from yima.wallet.errors import BudgetClosed, InsufficientFunds, SliceFull
from yima.wallet.models import Account
from yima.wallet.rules import Leg
from yima.wallet.schemas import AccountRead, JournalRead
from yima.wallet.service.ledger import WithFirst, WithLast, post, read_account

SliceMode = Literal["any", "one", "all"]
SLICES_TTL = 600.0
ALTERNATIVES = 4  # slices an award may go to: with a few dozen scans in flight, one is almost always free
_known: TtlCache[tuple[int, int], tuple[str, str, tuple[int, ...]]] = TtlCache(SLICES_TTL)


async def budget_rows(ctx: Ctx, budget_id: int, *, lock: bool = False) -> list[Account]:
    """The budget's accounts (its slices, the budget first among equals: in id order); NotFound
    unless ``budget_id`` is a budget (slice 0)."""
    rows = await repo.slices_of(ctx.session, budget_id, lock=lock)
    head = next((a for a in rows if a.id == budget_id), None)
    if head is None or head.kind != "budget" or head.slice != 0:
        raise NotFound(f"budget {budget_id} not found")
    _known.put((ctx.tenant_id, budget_id), (head.owner_kind, head.owner_ref, tuple(a.id for a in rows)))
    return rows


def read_budget(rows: Sequence[Account]) -> AccountRead:
    """A budget as shown everywhere: one account, holding what its slices hold."""
    head = next(a for a in rows if a.slice == 0)
    return read_account(head, sum(a.balance for a in rows))


async def _slices(ctx: Ctx, budget_id: int) -> tuple[str, str, tuple[int, ...]]:
    found = _known.get((ctx.tenant_id, budget_id))
    if found is None:
        await budget_rows(ctx, budget_id)
        found = _known.get((ctx.tenant_id, budget_id))
        assert found is not None
    return found


async def pay_from(
    ctx: Ctx, budget_id: int, legs: Sequence[Leg], amount: int, *, memo: str, ref_type: str, ref_id: str, key: str,
    slices: SliceMode = "any", with_first: WithFirst = (), with_last: WithLast | None = None,
) -> JournalRead:  # fmt: skip
    """Post ``legs`` (an award: the budget's debit first) from one slice of the budget
    (``with_first``, ``with_last``: post's, sent with each try).
    ``slices``: "any" tries a random slice in a savepoint, then all of them; "one" tries a
    random slice only, raising SliceFull when it cannot pay (for a caller that rolls back its
    own savepoint then: one round trip fewer each); "all" locks them all at once."""
    owner_kind, owner_ref, ids = await _slices(ctx, budget_id)
    debit, *rest = legs
    if len(ids) == 1:
        return await post(
            ctx, "award", key, legs, amount=amount, memo=memo, ref_type=ref_type, ref_id=ref_id,
            with_first=with_first, with_last=with_last,
        )  # fmt: skip

    async def from_slice(account_id: int, alternatives: tuple[int, ...] = ()) -> JournalRead:
        paying = [Leg("budget", debit.amount, account_id, owner_kind, owner_ref, alternatives), *rest]
        return await post(
            ctx, "award", key, paying, amount=amount, memo=memo, ref_type=ref_type, ref_id=ref_id, same_as=legs,
            with_first=with_first, with_last=with_last,
        )  # fmt: skip

    # spreading load, not a secret; the picked slice first, others to take it while it is held
    alternatives = tuple(random.sample(ids, min(len(ids), ALTERNATIVES)))
    picked = alternatives[0]
    if slices == "one":
        try:
            return await from_slice(picked, alternatives)
        except (InsufficientFunds, BudgetClosed) as exc:
            raise SliceFull(f"slice {picked} of budget {budget_id} cannot pay") from exc
    if slices == "any":
        # In a savepoint: an UPDATE refused after waiting for another writer keeps the row locked
        # (PostgreSQL), and the slow path must take the slices in id order holding none of them.
        try:
            async with ctx.session.begin_nested():  # rolled back when the slice refuses
                return await from_slice(picked, alternatives)
        except (InsufficientFunds, BudgetClosed):
            pass  # that slice cannot pay: the others may, together
    rows = await budget_rows(ctx, budget_id, lock=True)
    if any(a.closed_at is not None for a in rows):
        raise BudgetClosed(f"budget {budget_id} is closed")
    return await from_slice(await even_out(ctx, budget_id, rows, -debit.amount))


async def even_out(ctx: Ctx, budget_id: int, rows: Sequence[Account], need: int) -> int:
    """Move money between the budget's locked slices so that the fullest holds ``need`` plus an
    even share and the others an even share (a ``rebalance`` journal); that slice's id.
    InsufficientFunds when all of them together hold less than ``need``."""
    ordered = sorted(rows, key=lambda a: -a.balance)
    target = rules.spread([a.balance for a in ordered], need)
    if target is None:
        held = sum(a.balance for a in rows)
        raise InsufficientFunds(
            f"budget account {budget_id} holds {rules.yuan(held)} yuan; {rules.yuan(need)} yuan needed"
        )
    legs = [rules.budget(a.id, new - a.balance) for a, new in zip(ordered, target, strict=True)]
    if any(leg.amount for leg in legs):
        moved = sum(leg.amount for leg in legs if leg.amount > 0)
        await post(
            ctx, "rebalance", f"rebalance:{budget_id}:{uuid.uuid4().hex}", legs, amount=moved,
            memo="预算分片调拨", ref_type="budget", ref_id=str(budget_id),
        )  # fmt: skip
    return ordered[0].id


def spread_legs(rows: Sequence[Account], amount: int) -> list[Leg]:
    """An allocation of ``amount`` over the budget's slices, evenly (the first get the remainder)."""
    return [rules.budget(a.id, rules.share(amount, len(rows), k)) for k, a in enumerate(rows)]


def take_legs(rows: Sequence[Account], amount: int) -> list[Leg]:
    """Debits of ``amount`` from the budget's locked slices, the fullest first; InsufficientFunds
    when they hold less."""
    held = sum(a.balance for a in rows)
    if held < amount:
        head = next(a for a in rows if a.slice == 0)
        raise InsufficientFunds(
            f"budget account {head.id} holds {rules.yuan(held)} yuan; {rules.yuan(amount)} yuan needed"
        )
    legs, left = [], amount
    for account in sorted(rows, key=lambda a: -a.balance):
        part = min(account.balance, left)
        if part > 0:
            legs.append(rules.budget(account.id, -part))
            left -= part
    return legs
