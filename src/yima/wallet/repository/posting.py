"""The statements that post a journal (service/ledger.py): claim its key, apply its legs, write
its entries.

Balances change only through a leg: one UPDATE (or, for a credit to an account named by its
owner, one INSERT … ON CONFLICT DO UPDATE) that adds the amount and returns the new balance,
with ``balance >= :need`` in its WHERE for an account that may not go negative. The row lock it
takes serialises concurrent movements on PostgreSQL (READ COMMITTED re-checks the WHERE on the
newest row); SQLite runs one writer at a time. There is no read-modify-write anywhere.

On PostgreSQL a journal of n legs is n statements, not n + 2 (an award: two): ``open_journal``
inserts the journal and applies the first leg, ``close_journal`` applies the last leg and
writes the entries, the legs between are one statement each. Each pair is one statement of
data-modifying CTEs, the second reading the first's RETURNING (which PostgreSQL therefore runs
first), so rows are written and locked in the same order as one statement each: the journal,
the legs in lock order, the entries. SQLite has no data-modifying CTEs: one statement each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import product
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Exists,
    Integer,
    Select,
    any_,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from yima.platform.db import direct
from yima.platform.db.tenancy import TENANT_PARAM, prebuilt, tenant_param
from yima.platform.db.upsert import prebuilt_upsert, table_of
from yima.wallet.models import Account, Entry, Journal
from yima.wallet.rules import Leg

NO_SYNC = {"synchronize_session": False}
ACCOUNT_KEY = ["tenant_id", "kind", "currency", "owner_kind", "owner_ref", "slice"]
_ACCOUNTS, _JOURNALS, _ENTRIES = table_of(Account), table_of(Journal), table_of(Entry)
Done = tuple[int, int]  # a leg applied: (account id, balance after)
Line = tuple[int, int, int]  # an entry: (account id, amount, balance after)
# A leg's statement: None for a credit to an account named by its owner (made on first use),
# else its UPDATE's flags (by id, owner checked, open only, covered, or a free alternative).
Shape = tuple[bool, bool, bool, bool, bool] | None


# the journal ----------------------------------------------------------------------------------

_CLAIM_JOURNAL = prebuilt_upsert(
    lambda insert_: (
        insert_(_JOURNALS).on_conflict_do_nothing(index_elements=["tenant_id", "key"]).returning(_JOURNALS.c.id)
    )
)


async def claim_journal(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert the journal unless its key exists; its id, or None when the key was taken (on
    PostgreSQL a concurrent insert of the same key waits for the first to commit or roll back)."""
    found = (await direct.execute(session, _CLAIM_JOURNAL(session), values)).scalar_one_or_none()
    return int(found) if found is not None else None


async def journal_by_key(session: AsyncSession, key: str) -> Journal | None:
    return (await session.scalars(select(Journal).where(Journal.key == key))).first()


async def delete_journal(session: AsyncSession, journal_id: int) -> None:
    await session.execute(delete(Journal).where(Journal.id == journal_id).execution_options(**NO_SYNC))


# a leg ----------------------------------------------------------------------------------------


def _shape(leg: Leg, guard: bool, postgres: bool) -> Shape:
    by_id = leg.account_id is not None
    if not by_id and not (guard and leg.guarded):  # made on first use
        return None
    # by id with an owner: a budget's slice, named from a cache: it must still be that budget's
    covered = guard and leg.guarded
    free = postgres and by_id and covered and bool(leg.alternatives)
    return by_id, bool(leg.owner_kind) or not by_id, guard and by_id, covered, free


def _leg_params(tenant_id: int, currency: str, leg: Leg) -> dict[str, Any]:
    """A leg's parameters, whatever its shape; none named as a column (an INSERT or UPDATE would
    take it for the column's value)."""
    return {
        TENANT_PARAM: tenant_id, "leg_kind": leg.kind, "leg_currency": currency, "leg_account": leg.account_id,
        "leg_owner_kind": leg.owner_kind, "leg_owner_ref": leg.owner_ref, "delta": leg.amount, "need": -leg.amount,
        "leg_created_at": dt.datetime.now(dt.UTC), "leg_alternatives": list(leg.alternatives),
    }  # fmt: skip


def _after(cte: CTE | None) -> list[Exists]:
    """The condition making a statement read ``cte``'s RETURNING (so ``cte`` runs first) and write
    nothing when it returned no row."""
    return [] if cte is None else [select(cte.c[0]).exists()]


def _credit(insert_: Callable[[Any], Any], after: CTE | None = None) -> Any:
    """Make the account holding the amount, or add the amount (the row's ``excluded`` balance) to it."""
    c = _ACCOUNTS.c
    values: dict[str, ColumnElement[Any]] = {
        "tenant_id": tenant_param(),
        "kind": bindparam("leg_kind", type_=c.kind.type),
        "currency": bindparam("leg_currency", type_=c.currency.type),
        "owner_kind": bindparam("leg_owner_kind", type_=c.owner_kind.type),
        "owner_ref": bindparam("leg_owner_ref", type_=c.owner_ref.type),
        "name": literal("", c.name.type),
        "balance": bindparam("delta", type_=c.balance.type),
        "slice": literal(0, c.slice.type),
        "created_at": bindparam("leg_created_at", type_=c.created_at.type),
    }
    statement = insert_(_ACCOUNTS)
    if after is None:
        statement = statement.values(values)
    else:
        statement = statement.from_select(list(values), select(*values.values()).where(*_after(after)))
    return statement.on_conflict_do_update(
        index_elements=ACCOUNT_KEY, set_={"balance": c.balance + statement.excluded.balance}
    ).returning(c.id, c.balance)


def _takes(accounts: Any, by_id: bool, owner: bool, open_only: bool, covered: bool) -> list[ColumnElement[bool]]:
    """Which of ``accounts`` rows a leg may go to (its account's id aside)."""
    c = accounts.c
    where = [c.tenant_id == tenant_param(), c.kind == bindparam("leg_kind"), c.currency == bindparam("leg_currency")]
    if owner:
        where += [c.owner_kind == bindparam("leg_owner_kind"), c.owner_ref == bindparam("leg_owner_ref")]
    if not by_id:
        where.append(c.slice == 0)
    if open_only:
        where.append(c.closed_at.is_(None))
    if covered:
        where.append(c.balance >= bindparam("need"))
    return where


def _free_alternative(owner: bool) -> ColumnElement[Any]:
    """The id of the first of the leg's alternatives that can take it and that no other
    transaction holds (locked here, SKIP LOCKED: a scan never queues behind another on a budget
    slice while one is free), else the leg's own account (waited for, as without alternatives)."""
    free = _ACCOUNTS.alias("free")
    alternatives = bindparam("leg_alternatives", type_=ARRAY(BigInteger))
    first = (
        select(free.c.id)
        .where(free.c.id == any_(alternatives), *_takes(free, True, owner, True, True))
        .order_by(func.array_position(alternatives, free.c.id))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return func.coalesce(first, bindparam("leg_account", type_=BigInteger))


def _update(
    by_id: bool, owner: bool, open_only: bool, covered: bool, free: bool, after: CTE | None = None
) -> Any:  # fmt: skip
    """One shape of a leg's UPDATE."""
    c = _ACCOUNTS.c
    where = _takes(_ACCOUNTS, by_id, owner, open_only, covered)
    if by_id:
        where.append(c.id == (_free_alternative(owner) if free else bindparam("leg_account")))
    statement = update(_ACCOUNTS).where(*where, *_after(after)).values(balance=c.balance + bindparam("delta"))
    return statement.returning(c.id, c.balance)


# an account named by its owner is its slice 0, whether closed or not
def _possible(by_id: bool, owner: bool, open_only: bool, covered: bool, free: bool) -> bool:
    return (by_id or (owner and not open_only)) and ((by_id and covered) or not free)


_FLAGS: list[tuple[bool, bool, bool, bool, bool]] = [
    (a, b, c, d, e) for a, b, c, d, e in product((False, True), repeat=5) if _possible(a, b, c, d, e)
]
_SHAPES: list[Shape] = [None, *_FLAGS]
_CREDIT_BY_OWNER = prebuilt_upsert(_credit)
_APPLY_LEG = {f: prebuilt(_update(*f)) for f in _FLAGS}


def _leg_cte(shape: Shape, after: CTE | None) -> CTE:
    statement = _credit(postgresql.insert, after) if shape is None else _update(*shape, after=after)
    return statement.cte("leg")  # type: ignore[no-any-return]


async def apply_leg(
    session: AsyncSession, tenant_id: int, currency: str, leg: Leg, *, guard: bool = True
) -> Done | None:
    """Add ``leg.amount`` to its account: (account id, balance after), or None when no account
    took it (absent, closed, another kind, or — guarded — without the money)."""
    shape = _shape(leg, guard, direct.on_postgres(session))
    statement = _CREDIT_BY_OWNER(session) if shape is None else _APPLY_LEG[shape]
    row = (await direct.execute(session, statement, _leg_params(tenant_id, currency, leg))).first()
    return (int(row[0]), int(row[1])) if row else None


_INSERT_ENTRIES = prebuilt(insert(_ENTRIES))


async def insert_entries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await direct.execute(session, _INSERT_ENTRIES, list(rows))  # as parameters: compiled once


# a journal in two statements (PostgreSQL) -----------------------------------------------------


def _open(shape: Shape) -> Select[Any]:
    """The journal's INSERT, then the first leg if the key was free: (journal id, account id,
    balance after); no row for a key taken, NULLs for a leg refused."""
    given = [c for c in _JOURNALS.c if c.key not in ("id", "tenant_id")]
    journal = (
        postgresql.insert(_JOURNALS)
        .values(tenant_id=tenant_param(), **{c.key: bindparam(f"journal_{c.key}", type_=c.type) for c in given})
        .on_conflict_do_nothing(index_elements=["tenant_id", "key"])
        .returning(_JOURNALS.c.id)
        .cte("journal")
    )
    leg = _leg_cte(shape, after=journal)
    return select(journal.c.id, leg.c.id, leg.c.balance).select_from(journal.outerjoin(leg, true()))


# the earlier legs' entries, given as arrays: (column, its parameter, type)
_EARLIER = (
    ("account_id", "entry_accounts", BigInteger),
    ("amount", "entry_amounts", BigInteger),
    ("balance_after", "entry_balances", BigInteger),
    ("place", "entry_places", Integer),
)


def _close(shape: Shape) -> Select[Any]:
    """The last leg, then the journal's entries if it was applied: the earlier legs' entries as
    arrays, the last's from the leg's RETURNING, in the order of their ``place``; the leg's
    (account id, balance after), or no row."""
    leg = _leg_cte(shape, after=None)
    arrays = [bindparam(param, type_=ARRAY(type_)) for _, param, type_ in _EARLIER]
    columns = [column(name, type_) for name, _, type_ in _EARLIER]
    earlier = func.unnest(*arrays).table_valued(*columns).render_derived(name="earlier")
    last = select(leg.c.id, bindparam("delta", type_=BigInteger), leg.c.balance, bindparam("last_place", type_=Integer))
    rows = union_all(select(*earlier.c), last).subquery("entry")
    # In ``place`` order: the rows' ids are drawn from the sequence as the sorted rows come.
    lines = select(tenant_param(), bindparam("entry_journal", type_=BigInteger), *list(rows.c)[:3])
    entries = insert(_ENTRIES).from_select(
        ["tenant_id", "journal_id", "account_id", "amount", "balance_after"],
        lines.where(*_after(leg)).order_by(rows.c.place),
    )
    return select(leg.c.id, leg.c.balance).add_cte(entries.cte("entries"))


_OPEN = {shape: prebuilt(_open(shape)) for shape in _SHAPES}
_CLOSE = {shape: prebuilt(_close(shape)) for shape in _SHAPES}


def _done(row: Sequence[Any] | None, at: int = 0) -> Done | None:
    return (int(row[at]), int(row[at + 1])) if row is not None and row[at] is not None else None


async def open_journal(
    session: AsyncSession, values: dict[str, Any], currency: str, leg: Leg, before: Sequence[direct.Deferred[Any]] = ()
) -> tuple[int | None, Done | None]:
    """Claim the journal's key (``claim_journal``) and, when it was free, apply its first leg
    (``apply_leg``): (journal id or None, the leg's (account id, balance after) or None).
    ``before``: another context's statements sent ahead of it (one round trip on PostgreSQL;
    elsewhere first), their follow-ups run in order right after it, whatever it found."""
    if not direct.on_postgres(session):
        await direct.run_together(session, before)
        journal_id = await claim_journal(session, values)
        if journal_id is None:
            return None, None
        return journal_id, await apply_leg(session, values["tenant_id"], currency, leg)
    params = _leg_params(values["tenant_id"], currency, leg)
    params.update((f"journal_{key}", value) for key, value in values.items() if key != "tenant_id")
    opened, theirs = await direct.execute_with(session, _OPEN[_shape(leg, True, True)], params, before, ahead=True)
    await direct.follow(before, theirs)
    row = opened.first()
    return (int(row[0]) if row else None), _done(row, 1)


async def close_journal(
    session: AsyncSession, tenant_id: int, currency: str, journal_id: int, leg: Leg, entries: Sequence[Line | None],
    also: Sequence[direct.Deferred[Any]] = (),
) -> Done | None:  # fmt: skip
    """Apply the journal's last leg (``apply_leg``) and, when it took, write the journal's
    entries: ``entries`` the (account id, amount, balance after) of each in their order, None
    where the last leg's goes. None when it refused: no entry is written. ``also``: another
    context's statements sent with it (one round trip on PostgreSQL; elsewhere after it when
    the leg took), their follow-ups run in order when it took; when it refused they may have
    run, and the caller's savepoint undoes them."""
    if not direct.on_postgres(session):
        done = await apply_leg(session, tenant_id, currency, leg)
        if done is not None:
            rows = [(done[0], leg.amount, done[1]) if e is None else e for e in entries]
            await insert_entries(session, [
                {"tenant_id": tenant_id, "journal_id": journal_id, "account_id": a, "amount": m, "balance_after": b}
                for a, m, b in rows
            ])  # fmt: skip
            await direct.run_together(session, also)
        return done
    earlier = [(place, e) for place, e in enumerate(entries) if e is not None]
    params = _leg_params(tenant_id, currency, leg) | {
        "entry_journal": journal_id, "entry_accounts": [e[0] for _, e in earlier],
        "entry_amounts": [e[1] for _, e in earlier], "entry_balances": [e[2] for _, e in earlier],
        "entry_places": [place for place, _ in earlier], "last_place": list(entries).index(None),
    }  # fmt: skip
    closed, theirs = await direct.execute_with(session, _CLOSE[_shape(leg, True, True)], params, also)
    done = _done(closed.first())
    if done is not None:
        await direct.follow(also, theirs)
    return done
