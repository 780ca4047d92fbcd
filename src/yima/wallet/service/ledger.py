"""Posting a journal: the one way money moves.

``post`` claims the idempotency key (an INSERT that does nothing when the key exists), then
updates every account in the global lock order, each with one conditional UPDATE that returns
the new balance, then writes the entries. A debit the account cannot cover undoes what this
call already did (in the same transaction) and raises: the ledger is as it was, and a caller
that catches the error can go on. A key seen before returns its first journal (``replayed``).
On PostgreSQL the key's INSERT carries the first leg and the last leg the entries' INSERT
(repository/posting.py): an award is two statements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from yima.platform.ctx import Ctx
from yima.platform.db.direct import Deferred
from yima.platform.errors import KeyReused, NotFound
from yima.wallet import repository as repo
from yima.wallet import rules
from yima.wallet.errors import BrandFundsLow, BudgetClosed, InsufficientFunds
from yima.wallet.models import Account, Entry, Journal
from yima.wallet.rules import CNY, Leg
from yima.wallet.schemas import AccountRead, EntryRead, JournalRead


def read_account(account: Account, balance: int | None = None) -> AccountRead:
    """The account as shown; ``balance``: a budget's, summed over its slices."""
    shown = {"closed": account.closed_at is not None, "balance": account.balance if balance is None else balance}
    return AccountRead.model_validate(account).model_copy(update=shown)


async def with_account_names(ctx: Ctx, journal: JournalRead) -> JournalRead:
    """The journal with its entries' account names, which a fresh ``post`` leaves empty (the
    awards of the scan's hot path never show them)."""
    if all(e.account_name for e in journal.entries):
        return journal
    accounts = await repo.accounts_by_ids(ctx.session, [e.account_id for e in journal.entries])
    named = [e.model_copy(update={"account_name": a.name}) if (a := accounts.get(e.account_id)) else e
             for e in journal.entries]  # fmt: skip
    return journal.model_copy(update={"entries": named})


def read_journal(
    journal: Journal, entries: Sequence[Entry], accounts: dict[int, Account], *, replayed: bool = False
) -> JournalRead:
    def entry(e: Entry) -> EntryRead:
        account = accounts.get(e.account_id)
        return EntryRead(
            account_id=e.account_id,
            account_kind=account.kind if account else "",
            account_name=account.name if account else "",
            amount=e.amount,
            balance_after=e.balance_after,
        )

    return JournalRead(
        id=journal.id,
        key=journal.key,
        kind=journal.kind,
        currency=journal.currency,
        amount=journal.amount,
        memo=journal.memo,
        ref_type=journal.ref_type,
        ref_id=journal.ref_id,
        actor_kind=journal.actor_kind,
        actor_name=journal.actor_name,
        created_at=journal.created_at,
        entries=[entry(e) for e in entries],
        replayed=replayed,
    )


async def read_journals(ctx: Ctx, journals: Sequence[Journal]) -> list[JournalRead]:
    entries = await repo.entries_of(ctx.session, [j.id for j in journals])
    accounts = await repo.accounts_by_ids(ctx.session, [e.account_id for es in entries.values() for e in es])
    return [read_journal(j, entries.get(j.id, []), accounts) for j in journals]


async def _replay(ctx: Ctx, journal: Journal, fingerprint: str) -> JournalRead:
    if journal.fingerprint != fingerprint:
        raise KeyReused(f"the key {journal.key!r} was first used for another movement; use a new key")
    [read] = await read_journals(ctx, [journal])
    return read.model_copy(update={"replayed": True})


# The caller's statements sent ahead of a journal's first statement (post's with_first), and
# those that go with its last leg, given the journal's id (with_last).
WithFirst = Sequence[Deferred[Any]]
WithLast = Callable[[int], Sequence[Deferred[Any]]]


async def post(
    ctx: Ctx,
    kind: rules.JournalKind,
    key: str,
    legs: Sequence[Leg],
    *,
    amount: int,
    memo: str = "",
    ref_type: str = "",
    ref_id: str = "",
    reverses_id: int | None = None,
    same_as: Sequence[Leg] | None = None,
    with_first: WithFirst = (),
    with_last: WithLast | None = None,
) -> JournalRead:
    """Move money: ``legs`` sum to zero; ``key`` is unique in the brand (the caller namespaces it).
    ``same_as``: the movement as the caller asked for it, when ``legs`` name the budget slices
    that pay it — a retry is the same request whichever slices paid the first time.
    ``with_first``: the caller's statements sent ahead of the journal's first statement (one
    round trip on PostgreSQL), their follow-ups run right after it, whatever it found: one that
    raises stops the movement. ``with_last``: the caller's statements, given the journal's id,
    sent with its last leg, their follow-ups run once the journal is complete; not sent for a
    replay. A refusal raises and may leave either run: the caller's savepoint undoes them."""
    ordered = rules.check_legs(legs)
    fingerprint = rules.fingerprint(kind, rules.check_legs(same_as or legs), f"{ref_type}:{ref_id}")
    session = ctx.session
    now = ctx.now()
    values = {
        "tenant_id": ctx.tenant_id,
        "key": key,
        "fingerprint": fingerprint,
        "kind": kind,
        "currency": CNY,
        "amount": amount,
        "memo": rules.clip(memo, 200),
        "ref_type": ref_type,
        "ref_id": ref_id,
        "reverses_id": reverses_id,
        "actor_kind": ctx.actor.kind,
        "actor_id": ctx.actor.id,
        "actor_name": ctx.actor.name[:120],
        "created_at": now,
    }
    journal_id, done = await repo.open_journal(session, values, CNY, ordered[0], with_first)
    if journal_id is None:  # a retry, or a concurrent request with the same key that committed first
        found = await repo.journal_by_key(session, key)
        assert found is not None
        return await _replay(ctx, found, fingerprint)
    applied: list[tuple[Leg, int, int]] = []
    for n, leg in enumerate(ordered):  # the first was applied with the journal's INSERT
        if n == len(ordered) - 1:  # the last, with the entries' INSERT
            also = with_last(journal_id) if with_last else ()
            done = await repo.close_journal(session, ctx.tenant_id, CNY, journal_id, leg, _lines(applied, leg), also)
        elif n > 0:
            done = await repo.apply_leg(session, ctx.tenant_id, CNY, leg)
        if done is None:
            await _undo(ctx, journal_id, applied)
            raise await _refusal(ctx, leg)
        applied.append((leg, *done))
    applied.sort(key=lambda done: rules.ENTRY_RANK[done[0].kind])  # as _lines ordered the entries
    entries = [
        EntryRead(account_id=a, account_kind=leg.kind, account_name="", amount=leg.amount, balance_after=b)
        for leg, a, b in applied
    ]
    return JournalRead(id=journal_id, entries=entries, replayed=False, **_shown(values))


def _lines(applied: Sequence[tuple[Leg, int, int]], last: Leg) -> list[tuple[int, int, int] | None]:
    """The journal's entries in their usual order, (account id, amount, balance after), None
    where the last leg's goes (its statement knows its account and balance)."""
    lines: list[tuple[Leg, tuple[int, int, int] | None]] = [(leg, (a, leg.amount, b)) for leg, a, b in applied]
    lines.append((last, None))
    lines.sort(key=lambda line: rules.ENTRY_RANK[line[0].kind])  # stable: legs of a kind stay in lock order
    return [line for _, line in lines]


def _shown(values: dict[str, object]) -> dict[str, object]:
    keys = ("key", "kind", "currency", "amount", "memo", "ref_type", "ref_id", "actor_kind", "actor_name", "created_at")
    return {k: values[k] for k in keys}


async def _undo(ctx: Ctx, journal_id: int, applied: Sequence[tuple[Leg, int, int]]) -> None:
    """Take back what a refused movement already wrote (same transaction, rows still locked)."""
    for leg, account_id, _ in reversed(applied):
        await repo.apply_leg(ctx.session, ctx.tenant_id, CNY, Leg(leg.kind, -leg.amount, account_id), guard=False)
    await repo.delete_journal(ctx.session, journal_id)


async def _refusal(ctx: Ctx, leg: Leg) -> Exception:
    """Why ``leg`` found no account to take it (only the failure path reads the account)."""
    if leg.account_id is not None:
        account = await repo.get_account(ctx.session, leg.account_id)
        if account is None or account.kind != leg.kind:
            return NotFound(f"{leg.kind} account {leg.account_id} not found")
    else:
        account = await repo.account_by_owner(ctx.session, leg.kind, leg.owner_kind, leg.owner_ref, CNY)
    if account is not None and account.closed_at is not None:
        return BudgetClosed(f"budget {account.id} is closed")
    held = account.balance if account else 0
    message = f"holds {rules.yuan(held)} yuan; {rules.yuan(-leg.amount)} yuan needed"
    if leg.kind == "brand_cash":
        return BrandFundsLow(f"the brand's balance {message}")
    if leg.kind == "participant":
        return InsufficientFunds(f"the wallet {message}")
    return InsufficientFunds(f"{leg.kind} account {account.id if account else ''} {message}".replace("  ", " "))
