"""Every SQL statement of the wallet; those that post a journal are in ``posting`` (balances
change only through them), re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from yima.platform.db.base import newest_first
from yima.platform.db.upsert import insert_on_conflict
from yima.wallet.models import (
    Account,
    Entry,
    Journal,
    Payout,
    PayoutBatch,
    Reconciliation,
    SandboxTransfer,
    WalletSettings,
)
from yima.wallet.repository.posting import ACCOUNT_KEY, NO_SYNC
from yima.wallet.repository.posting import apply_leg as apply_leg
from yima.wallet.repository.posting import claim_journal as claim_journal
from yima.wallet.repository.posting import close_journal as close_journal
from yima.wallet.repository.posting import delete_journal as delete_journal
from yima.wallet.repository.posting import insert_entries as insert_entries
from yima.wallet.repository.posting import journal_by_key as journal_by_key
from yima.wallet.repository.posting import open_journal as open_journal
from yima.wallet.schemas import AccountFilter, JournalFilter, PayoutFilter

FRESH = {"populate_existing": True}  # balances change by UPDATE statements, never through objects


def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)


# the ledger -----------------------------------------------------------------------------------


async def get_account(session: AsyncSession, account_id: int) -> Account | None:
    return (await session.scalars(select(Account).where(Account.id == account_id).execution_options(**FRESH))).first()


async def account_by_owner(
    session: AsyncSession, kind: str, owner_kind: str, owner_ref: str, currency: str
) -> Account | None:
    query = select(Account).where(
        Account.kind == kind,
        Account.currency == currency,
        Account.owner_kind == owner_kind,
        Account.owner_ref == owner_ref,
        Account.slice == 0,
    )
    return (await session.scalars(query.execution_options(**FRESH))).first()


async def open_account(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Create the accounts (an account, or a budget's slices) unless they exist (a concurrent
    opener waits for the first, then does nothing); how many were created."""
    statement = insert_on_conflict(session, Account).values(rows).on_conflict_do_nothing(index_elements=ACCOUNT_KEY)
    return len((await session.execute(statement.returning(Account.id))).all())


_KEYS = (Account.kind, Account.currency, Account.owner_kind, Account.owner_ref)


def _same_account(account_id: int) -> ColumnElement[bool]:
    """Rows of the account ``account_id`` names: it and, for a budget split in slices, its slices."""
    return tuple_(*_KEYS).in_(select(*_KEYS).where(Account.id == account_id))


async def slices_of(session: AsyncSession, account_id: int, *, lock: bool = False) -> list[Account]:
    """The account and, when it is a budget split in slices, its slices, in id order — the lock
    order (empty: no such account); ``lock``: their rows locked until the transaction ends."""
    query = select(Account).where(_same_account(account_id)).order_by(Account.id).execution_options(**FRESH)
    return list((await session.scalars(query.with_for_update() if lock else query)).all())


async def slice_totals(session: AsyncSession, accounts: Sequence[Account]) -> dict[int, int]:
    """The balance of each budget among ``accounts`` (slice 0 rows) summed over its slices."""
    heads = [a for a in accounts if a.kind == "budget"]
    if not heads:
        return {}
    query = (
        select(*_KEYS, func.sum(Account.balance))
        .where(tuple_(*_KEYS).in_([(a.kind, a.currency, a.owner_kind, a.owner_ref) for a in heads]))
        .group_by(*_KEYS)
    )
    sums = {tuple(row[:4]): int(row[4]) for row in (await session.execute(query)).all()}
    return {a.id: sums.get((a.kind, a.currency, a.owner_kind, a.owner_ref), a.balance) for a in heads}


async def lock_account(session: AsyncSession, account_id: int) -> Account | None:
    """The account, its row locked until the transaction ends (SQLite: the database already is)."""
    query = select(Account).where(Account.id == account_id).with_for_update().execution_options(**FRESH)
    return (await session.scalars(query)).first()


async def close_accounts(session: AsyncSession, account_ids: Sequence[int], now: dt.datetime) -> None:
    statement = (
        update(Account)
        .where(Account.id.in_(list(account_ids)), Account.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(**NO_SYNC)
    )
    await session.execute(statement)


async def accounts_by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, Account]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(Account).where(Account.id.in_(wanted)).execution_options(**FRESH))
    return {a.id: a for a in rows}


async def list_accounts(
    session: AsyncSession, filters: AccountFilter, limit: int, before_id: int | None
) -> list[Account]:
    query = select(Account).where(Account.slice == 0)
    if filters.kind:
        query = query.where(Account.kind == filters.kind)
    if filters.person_id:
        query = query.where(Account.owner_kind == "person", Account.owner_ref == str(filters.person_id))
    if filters.owner_kind:
        query = query.where(Account.owner_kind == filters.owner_kind)
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        query = query.where(or_(Account.name.icontains(text, autoescape=True), Account.owner_ref == text))
    query = newest_first(query, Account, limit, before_id).execution_options(**FRESH)
    return list((await session.scalars(query)).all())


async def totals_by_kind(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """(sum of balances, number of accounts) per kind; a budget's slices count as one account."""
    heads = func.count().filter(Account.slice == 0)
    query = select(Account.kind, func.coalesce(func.sum(Account.balance), 0), heads).group_by(Account.kind)
    return {kind: (int(total), int(count)) for kind, total, count in (await session.execute(query)).all()}


async def trial_balance(session: AsyncSession) -> dict[str, int]:
    """The sum of every entry, per currency: 0 in a balanced ledger."""
    query = (
        select(Journal.currency, func.coalesce(func.sum(Entry.amount), 0))
        .join(Journal, (Journal.id == Entry.journal_id) & (Journal.tenant_id == Entry.tenant_id))
        .group_by(Journal.currency)
    )
    return {currency: int(total) for currency, total in (await session.execute(query)).all()}


async def balance_drift(session: AsyncSession) -> int:
    """How many accounts' balances differ from the sum of their entries (0 in a sound ledger)."""
    sums = select(Entry.account_id, func.sum(Entry.amount).label("total")).group_by(Entry.account_id).subquery()
    query = (
        select(func.count())
        .select_from(Account)
        .outerjoin(sums, sums.c.account_id == Account.id)
        .where(Account.balance != func.coalesce(sums.c.total, 0))
    )
    return int((await session.execute(query)).scalar_one())


async def get_journal(session: AsyncSession, journal_id: int) -> Journal | None:
    return await session.get(Journal, journal_id)


async def list_journals(
    session: AsyncSession, filters: JournalFilter, limit: int, before_id: int | None
) -> list[Journal]:
    query = select(Journal)
    if filters.kind:
        query = query.where(Journal.kind == filters.kind)
    if filters.account_id:
        ids = select(Account.id).where(_same_account(filters.account_id))
        query = query.where(Journal.id.in_(select(Entry.journal_id).where(Entry.account_id.in_(ids))))
    if filters.since:
        query = query.where(Journal.created_at >= filters.since)
    if filters.until:
        query = query.where(Journal.created_at < filters.until)
    return list((await session.scalars(newest_first(query, Journal, limit, before_id))).all())


async def entries_of(session: AsyncSession, journal_ids: Sequence[int]) -> dict[int, list[Entry]]:
    found: dict[int, list[Entry]] = {}
    if not journal_ids:
        return found
    query = select(Entry).where(Entry.journal_id.in_(sorted(set(journal_ids)))).order_by(Entry.id)
    for entry in await session.scalars(query):
        found.setdefault(entry.journal_id, []).append(entry)
    return found


async def account_entries(
    session: AsyncSession, account_ids: Sequence[int], limit: int, before_id: int | None
) -> list[tuple[Entry, Journal]]:
    """An account's statement (对账单): the entries of its rows (a budget's slices), newest
    first, each with its journal."""
    query = (
        select(Entry, Journal)
        .join(Journal, (Journal.id == Entry.journal_id) & (Journal.tenant_id == Entry.tenant_id))
        .where(Entry.account_id.in_(list(account_ids)), *([Entry.id < before_id] if before_id else []))
        .order_by(Entry.id.desc())
        .limit(limit)
    )
    rows = await session.execute(query)
    return [(row[0], row[1]) for row in rows.all()]


async def entries_since(session: AsyncSession, account_ids: Sequence[int], after_id: int) -> int:
    """The sum of the accounts' entries newer than ``after_id``."""
    query = select(func.coalesce(func.sum(Entry.amount), 0)).where(
        Entry.account_id.in_(list(account_ids)), Entry.id > after_id
    )
    return int((await session.execute(query)).scalar_one())


# payouts --------------------------------------------------------------------------------------


async def payout_by_key(session: AsyncSession, person_id: int, key: str) -> Payout | None:
    query = select(Payout).where(Payout.person_id == person_id, Payout.key == key)
    return (await session.scalars(query.execution_options(**FRESH))).first()


async def get_payout(session: AsyncSession, payout_id: int) -> Payout | None:
    return (await session.scalars(select(Payout).where(Payout.id == payout_id).execution_options(**FRESH))).first()


def _payouts(filters: PayoutFilter) -> Select[Any]:
    query = select(Payout)
    if filters.status:
        query = query.where(Payout.status == filters.status)
    if filters.person_id:
        query = query.where(Payout.person_id == filters.person_id)
    if filters.batch_id:
        query = query.where(Payout.batch_id == filters.batch_id)
    return query


async def list_payouts(session: AsyncSession, filters: PayoutFilter, limit: int, before_id: int | None) -> list[Payout]:
    query = newest_first(_payouts(filters), Payout, limit, before_id).execution_options(**FRESH)
    return list((await session.scalars(query)).all())


async def withdrawn_on(session: AsyncSession, person_id: int, day: str, *, excluding: int | None = None) -> int:
    """The person's payouts of one local day, in fen, failed ones excluded."""
    query = select(func.coalesce(func.sum(Payout.amount), 0)).where(
        Payout.person_id == person_id, Payout.local_day == day, Payout.status != "failed"
    )
    if excluding is not None:
        query = query.where(Payout.id != excluding)
    return int((await session.execute(query)).scalar_one())


async def in_flight_of(session: AsyncSession, person_id: int) -> int:
    query = select(func.coalesce(func.sum(Payout.amount), 0)).where(
        Payout.person_id == person_id, Payout.status.in_(("requested", "submitted"))
    )
    return int((await session.execute(query)).scalar_one())


async def requested_payout_ids(session: AsyncSession, provider: str, limit: int) -> list[int]:
    query = (
        select(Payout.id)
        .where(Payout.status == "requested", Payout.provider == provider)
        .order_by(Payout.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def requested_providers(session: AsyncSession) -> list[str]:
    query = select(Payout.provider).where(Payout.status == "requested").distinct()
    return sorted((await session.scalars(query)).all())


async def claim_payouts(session: AsyncSession, ids: Sequence[int], batch_id: int, now: dt.datetime) -> int:
    """Move requested payouts into a batch; a payout another worker took already is left alone."""
    statement = (
        update(Payout)
        .where(Payout.id.in_(list(ids)), Payout.status == "requested")
        .values(status="submitted", batch_id=batch_id, submitted_at=now)
        .execution_options(**NO_SYNC)
    )
    return int((await session.execute(statement)).rowcount or 0)  # type: ignore[attr-defined]


async def settle_payout(session: AsyncSession, payout_id: int, outcome: str, now: dt.datetime) -> bool:
    """Move a submitted payout to its outcome; False when it was settled already (the row lock
    makes a concurrent settler wait, then find it settled)."""
    statement = (
        update(Payout)
        .where(Payout.id == payout_id, Payout.status == "submitted")
        .values(status=outcome, settled_at=now)
        .execution_options(**NO_SYNC)
    )
    return bool((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def delete_row(session: AsyncSession, row: object) -> None:
    await session.delete(row)
    await session.flush()


async def payouts_of_batch(session: AsyncSession, batch_id: int) -> list[Payout]:
    query = select(Payout).where(Payout.batch_id == batch_id).order_by(Payout.id).execution_options(**FRESH)
    return list((await session.scalars(query)).all())


async def get_batch(session: AsyncSession, batch_id: int) -> PayoutBatch | None:
    query = select(PayoutBatch).where(PayoutBatch.id == batch_id).execution_options(**FRESH)
    return (await session.scalars(query)).first()


async def batches_by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, PayoutBatch]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(PayoutBatch).where(PayoutBatch.id.in_(wanted)).execution_options(**FRESH))
    return {b.id: b for b in rows}


async def due_batch_ids(session: AsyncSession, status: str, now: dt.datetime, limit: int) -> list[int]:
    query = (
        select(PayoutBatch.id)
        .where(PayoutBatch.status == status, PayoutBatch.next_attempt_at <= now)
        .order_by(PayoutBatch.next_attempt_at, PayoutBatch.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def claim_batch(session: AsyncSession, batch_id: int, status: str, now: dt.datetime, until: dt.datetime) -> bool:
    """Take a due batch for one attempt (a second worker finds it taken): its next attempt moves
    to ``until`` and its attempts count up, before the provider is asked anything."""
    statement = (
        update(PayoutBatch)
        .where(PayoutBatch.id == batch_id, PayoutBatch.status == status, PayoutBatch.next_attempt_at <= now)
        .values(next_attempt_at=until, attempts=PayoutBatch.attempts + 1)
        .execution_options(**NO_SYNC)
    )
    return bool((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def expedite_batch(session: AsyncSession, batch_id: int, now: dt.datetime) -> None:
    """Make a waiting batch due now (an operator's retry)."""
    statement = (
        update(PayoutBatch)
        .where(PayoutBatch.id == batch_id, PayoutBatch.status.in_(("submitting", "accepted")))
        .values(next_attempt_at=now)
        .execution_options(**NO_SYNC)
    )
    await session.execute(statement)


async def count_batches(session: AsyncSession, statuses: Sequence[str]) -> int:
    query = select(func.count()).select_from(PayoutBatch).where(PayoutBatch.status.in_(list(statuses)))
    return int((await session.execute(query)).scalar_one())


async def batch_ids_in_period(session: AsyncSession, since: dt.datetime, until: dt.datetime) -> list[int]:
    query = (
        select(Payout.batch_id)
        .where(Payout.requested_at >= since, Payout.requested_at < until, Payout.batch_id.is_not(None))
        .distinct()
    )
    return sorted(i for i in (await session.scalars(query)).all() if i is not None)


async def unbatched_in_period(session: AsyncSession, since: dt.datetime, until: dt.datetime) -> int:
    query = select(func.count()).where(
        Payout.requested_at >= since, Payout.requested_at < until, Payout.batch_id.is_(None)
    )
    return int((await session.execute(query)).scalar_one())


# settings, reconciliations, the sandbox -------------------------------------------------------


async def get_settings(session: AsyncSession) -> WalletSettings | None:
    return (await session.scalars(select(WalletSettings))).first()


async def get_reconciliation(session: AsyncSession, reconciliation_id: int) -> Reconciliation | None:
    query = select(Reconciliation).where(Reconciliation.id == reconciliation_id).execution_options(**FRESH)
    return (await session.scalars(query)).first()


async def list_reconciliations(session: AsyncSession, limit: int, before_id: int | None) -> list[Reconciliation]:
    query = newest_first(select(Reconciliation), Reconciliation, limit, before_id).execution_options(**FRESH)
    return list((await session.scalars(query)).all())


async def sandbox_transfers(session: AsyncSession, out_batch_no: str) -> list[SandboxTransfer]:
    query = select(SandboxTransfer).where(SandboxTransfer.out_batch_no == out_batch_no).order_by(SandboxTransfer.id)
    return list((await session.scalars(query)).all())
