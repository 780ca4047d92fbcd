"""Posting a journal in few statements (repository/posting.py): on PostgreSQL the key's INSERT
carries the first leg and the last leg carries the entries' INSERT, so an award is two
statements; elsewhere one statement each. Either way: the same entries in the same order, the
same balances, replays, refusals (the ledger as it was) and errors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, select

from tests.harness import is_prebuilt, orm_statements, snapshot, statements
from tests.identity.factories import create_tenant, system
from tests.wallet.factories import award, funded_budget
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.platform.db.session import Database
from yima.platform.db.tenancy import ALL_TENANTS, TenancyError, prebuilt, tenant_param, tenant_params
from yima.platform.db.upsert import table_of
from yima.platform.errors import KeyReused
from yima.wallet import repository as repo
from yima.wallet import rules
from yima.wallet import service as wallet
from yima.wallet.errors import BrandFundsLow, BudgetClosed, InsufficientFunds
from yima.wallet.models import Account, Entry, Journal
from yima.wallet.rules import Leg
from yima.wallet.schemas import JournalRead
from yima.wallet.service.ledger import post

pytestmark = pytest.mark.usefixtures("acme")


def _postgres(db: Database) -> bool:
    return db.backend == "postgresql"


async def _ledger(ctx: Ctx) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the ledger, every brand's, as the caller's transaction sees it."""
    found = {}
    for model in (Account, Journal, Entry):
        query = select(table_of(model)).execution_options(**{ALL_TENANTS: True})
        found[model.__tablename__] = sorted(tuple(row) for row in (await ctx.session.execute(query)).all())
    return found


def _lines(journal: JournalRead) -> list[tuple[int, str, int, int]]:
    return [(e.account_id, e.account_kind, e.amount, e.balance_after) for e in journal.entries]


async def _wallet_id(ctx: Ctx, person_id: int) -> int:
    account_id = (await wallet.wallet_of(ctx, person_id)).account_id
    assert account_id is not None
    return account_id


async def _as_read(ctx: Ctx, posted: JournalRead) -> None:
    """What ``post`` answered is what reading the journal answers (but the accounts' names)."""
    read = await wallet.get_journal(ctx, posted.id)
    assert posted.model_dump(exclude={"entries"}) == read.model_dump(exclude={"entries"})
    assert _lines(posted) == _lines(read)


class TestTwoLegs:
    async def test_an_award_is_two_statements_on_postgresql_built_once(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 10_000)
        await award(db, "acme", budget.id, 1, 100)
        async with system(db, "acme") as ctx:
            rounds, posted = [], []
            for person in (1, 2):  # a wallet that exists, one made on first use
                with statements(db) as seen, orm_statements() as given:
                    won = await post(ctx, "award", f"a{person}", rules.award_legs(budget.id, person, 300), amount=300)
                assert seen == (["WITH", "WITH"] if _postgres(db) else ["INSERT", "INSERT", "UPDATE", "INSERT"])
                assert all(is_prebuilt(statement) for statement in given)
                assert not won.replayed
                await _as_read(ctx, won)
                rounds.append(given)
                posted.append(_lines(won))
            assert all(a is b for a, b in zip(*rounds, strict=True))
            assert posted == [
                [(budget.id, "budget", -300, 9_600), (await _wallet_id(ctx, 1), "participant", 300, 400)],
                [(budget.id, "budget", -300, 9_300), (await _wallet_id(ctx, 2), "participant", 300, 300)],
            ]
            assert (await wallet.get_account(ctx, budget.id)).balance == 9_300
            assert await wallet.is_balanced(ctx)

    async def test_funding_credits_and_debits_accounts_named_by_their_owner(self, db: Database) -> None:
        """Both legs are upserts: the brand's cash first (lock order), the funding account last."""
        async with system(db, "acme") as ctx:
            with statements(db) as seen:
                funded = await wallet.fund_brand(ctx, 5_000, "BANK-9")
            # The posting's, then staff's answer: the accounts' names (SELECT), the audit entry flushed before it.
            assert seen[-2:] == ["INSERT", "SELECT"]
            assert len(seen[:-2]) == (2 if _postgres(db) else 4)
            again = await wallet.fund_brand(ctx, 7_000, "BANK-10")
            assert [(e.account_kind, e.amount, e.balance_after) for e in again.entries] == [
                ("brand_cash", 7_000, 12_000), ("funding", -7_000, -12_000)
            ]  # fmt: skip
            await _as_read(ctx, funded)
            assert await wallet.is_balanced(ctx)


class TestReplays:
    async def test_a_replayed_key_applies_nothing_and_answers_the_first_journal(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 1_000)
        async with system(db, "acme") as ctx:
            first = await post(ctx, "award", "once", rules.award_legs(budget.id, 1, 600), amount=600)
            before = await _ledger(ctx)
            with statements(db) as seen:  # the budget could not pay it again: the key is claimed first
                again = await post(ctx, "award", "once", rules.award_legs(budget.id, 1, 600), amount=600)
            assert seen[0] == ("WITH" if _postgres(db) else "INSERT") and "UPDATE" not in seen
            assert (again.id, again.replayed) == (first.id, True)
            assert _lines(again) == _lines(first)
            with pytest.raises(KeyReused):
                await post(ctx, "award", "once", rules.award_legs(budget.id, 1, 500), amount=500)
            assert await _ledger(ctx) == before
            assert await wallet.is_balanced(ctx)

    async def test_a_replayed_key_does_not_apply_a_guarded_first_leg(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 1_000)
        await award(db, "acme", budget.id, 1, 500)
        async with system(db, "acme") as ctx:
            moved = await post(ctx, "merge", "m", rules.merge_legs(1, 2, 200), amount=200)
            before = await _ledger(ctx)
            again = await post(ctx, "merge", "m", rules.merge_legs(1, 2, 200), amount=200)  # 1 could pay it again
            assert (again.id, again.replayed, _lines(again)) == (moved.id, True, _lines(moved))
            assert await _ledger(ctx) == before
            assert await wallet.is_balanced(ctx)


class TestRefusals:
    """A refused movement leaves the ledger as it was, in the caller's transaction, which goes on."""

    async def test_a_guarded_first_leg_refused(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 1_000)
        await award(db, "acme", budget.id, 1, 100)
        async with system(db, "acme") as ctx:
            before = await _ledger(ctx)
            with pytest.raises(InsufficientFunds, match=r"^the wallet holds 1\.00 yuan; 5\.00 yuan needed$"):
                await post(ctx, "merge", "m", rules.merge_legs(1, 2, 500), amount=500)
            with pytest.raises(InsufficientFunds, match=r"^the wallet holds 0\.00 yuan; 5\.00 yuan needed$"):
                await post(ctx, "merge", "m", rules.merge_legs(3, 4, 500), amount=500)  # no wallet at all
            assert await _ledger(ctx) == before
            moved = await post(ctx, "merge", "m", rules.merge_legs(1, 2, 100), amount=100)  # the key is free
            assert [(e.amount, e.balance_after) for e in moved.entries] == [(-100, 0), (100, 100)]
            assert await wallet.is_balanced(ctx)

    async def test_a_guarded_last_leg_refused(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 1_000)
        await award(db, "acme", budget.id, 1, 100)
        async with system(db, "acme") as ctx:
            before = await _ledger(ctx)
            refused = rf"^budget account {budget.id} holds 9\.00 yuan; 9\.01 yuan needed$"
            with pytest.raises(InsufficientFunds, match=refused):
                await post(ctx, "award", "big", rules.award_legs(budget.id, 1, 901), amount=901)
            assert await _ledger(ctx) == before
            won = await post(ctx, "award", "big", rules.award_legs(budget.id, 1, 900), amount=900)
            assert _lines(won) == [
                (budget.id, "budget", -900, 0),
                (await _wallet_id(ctx, 1), "participant", 900, 1_000),
            ]
            assert await wallet.is_balanced(ctx)

    async def test_a_closed_budget_refuses_as_the_last_leg(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 1_000)
        await award(db, "acme", budget.id, 1, 100)
        async with system(db, "acme") as ctx:
            await wallet.close_budget(ctx, budget.id)
            before = await _ledger(ctx)
            with pytest.raises(BudgetClosed, match=rf"^budget {budget.id} is closed$"):
                await post(ctx, "award", "late", rules.award_legs(budget.id, 1, 1), amount=1)
            assert await _ledger(ctx) == before
            assert await wallet.is_balanced(ctx)


class TestThreeLegs:
    @staticmethod
    def _legs(budget_id: int, from_budget: int, from_brand: int) -> list[Leg]:
        """A person paid by a budget and the brand's cash: locked person, budget, cash; entries
        budget, person, cash (the last leg's entry last)."""
        return [
            rules.brand("brand_cash", -from_brand), rules.budget(budget_id, -from_budget),
            rules.person(7, from_budget + from_brand),
        ]  # fmt: skip

    async def test_a_three_leg_journal_is_three_statements_on_postgresql(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 1_000, cash=3_000)  # the brand keeps 2,000
        async with system(db, "acme") as ctx:
            with statements(db) as seen:
                paid = await post(ctx, "award", "three", self._legs(budget.id, 100, 200), amount=300)
            postgres = ["WITH", "UPDATE", "WITH"]
            assert seen == (postgres if _postgres(db) else ["INSERT", "INSERT", "UPDATE", "UPDATE", "INSERT"])
            cash = paid.entries[2].account_id
            assert _lines(paid) == [
                (budget.id, "budget", -100, 900), (await _wallet_id(ctx, 7), "participant", 300, 300),
                (cash, "brand_cash", -200, 1_800),
            ]  # fmt: skip
            await _as_read(ctx, paid)
            assert await wallet.is_balanced(ctx)

    async def test_the_last_legs_entry_goes_first_when_its_kind_comes_first(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 1_000)
        legs = [rules.person(8, 100), rules.person(9, 200), rules.budget(budget.id, -300)]
        async with system(db, "acme") as ctx:
            paid = await post(ctx, "award", "first", legs, amount=300)
            assert _lines(paid) == [
                (budget.id, "budget", -300, 700), (await _wallet_id(ctx, 8), "participant", 100, 100),
                (await _wallet_id(ctx, 9), "participant", 200, 200),
            ]  # fmt: skip
            await _as_read(ctx, paid)
            assert await wallet.is_balanced(ctx)

    @pytest.mark.parametrize(
        ("from_budget", "from_brand", "refused", "message"),
        [
            (1_000, 100, InsufficientFunds, "budget account {} holds 9.99 yuan; 10.00 yuan needed"),
            (100, 2_001, BrandFundsLow, "the brand's balance holds 20.00 yuan; 20.01 yuan needed"),
        ],
    )
    async def test_a_middle_or_last_leg_refused(
        self, db: Database, from_budget: int, from_brand: int, refused: type[Exception], message: str
    ) -> None:
        budget = await funded_budget(db, "acme", 1_000, cash=3_000)
        await award(db, "acme", budget.id, 7, 1)
        async with system(db, "acme") as ctx:
            before = await _ledger(ctx)
            with pytest.raises(refused) as caught:
                await post(ctx, "award", "three", self._legs(budget.id, from_budget, from_brand), amount=1)
            assert (type(caught.value), str(caught.value)) == (refused, message.format(budget.id))
            assert await _ledger(ctx) == before
            assert await wallet.is_balanced(ctx)


async def test_another_brands_accounts_are_untouched(db: Database) -> None:
    slug = await create_tenant(db)
    theirs = await funded_budget(db, slug, 1_000)
    await award(db, slug, theirs.id, 1, 100)  # the same person's wallet in another brand
    async with system(db, slug) as ctx:
        other = ctx.tenant_id
    kept = await snapshot(db, other)
    ours = await funded_budget(db, "acme", 1_000)
    async with system(db, "acme") as ctx:
        await post(ctx, "award", "x", rules.award_legs(ours.id, 1, 100), amount=100)
        await post(ctx, "merge", "m", rules.merge_legs(1, 2, 100), amount=100)
        with pytest.raises(InsufficientFunds):
            await post(ctx, "award", "y", rules.award_legs(ours.id, 1, 901), amount=901)
        with pytest.raises(TenancyError):  # they name their brand themselves: the session's is checked
            await repo.open_journal(ctx.session, {"tenant_id": other, "key": "k"}, "CNY", rules.person(1, 1))
        with pytest.raises(TenancyError):
            await repo.close_journal(ctx.session, other, "CNY", 1, rules.person(1, 1), [(1, -1, 0), None])
        assert await wallet.is_balanced(ctx)
    assert await snapshot(db, other) == kept
    async with system(db, slug) as ctx:
        assert await wallet.is_balanced(ctx)


_JOURNALS = table_of(Journal)
_JOURNAL_KEY = prebuilt(
    select(_JOURNALS.c.id, _JOURNALS.c.key)
    .where(_JOURNALS.c.tenant_id == tenant_param(), _JOURNALS.c.id == bindparam("journal_"))
)


class TestWithLast:
    """``with_last``: the caller's statements, given the journal's id, go with its last leg."""

    async def test_they_go_with_the_last_leg_and_follow_once_it_took(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 1_000)
        async with system(db, "acme") as ctx:
            followed: list[list[tuple[Any, ...]]] = []

            def with_last(journal_id: int) -> list[direct.Deferred[None]]:
                async def then(rows: direct.Rows) -> None:
                    followed.append([tuple(row) for row in rows.all()])

                return [direct.Deferred(_JOURNAL_KEY, tenant_params(ctx.session, journal_=journal_id), then)]

            with statements(db) as seen:
                won = await wallet.award(ctx, budget.id, 1, 300, "扫码中奖", "w1", with_last=with_last)
            assert seen == (["WITH", "WITH"] if _postgres(db) else ["INSERT", "INSERT", "UPDATE", "INSERT", "SELECT"])
            assert followed == [[(won.id, "award:w1")]]  # it sees the journal the first statement made
            again = await wallet.award(ctx, budget.id, 1, 300, "扫码中奖", "w1", with_last=with_last)
            assert again.replayed and len(followed) == 1  # not sent for a replay
            before = await _ledger(ctx)
            with pytest.raises(InsufficientFunds):  # the budget's debit is the last leg: refused
                async with ctx.session.begin_nested():  # the caller's savepoint undoes what they wrote
                    await wallet.award(ctx, budget.id, 1, 701, "扫码中奖", "w2", with_last=with_last)
            assert len(followed) == 1 and await _ledger(ctx) == before
            assert await wallet.is_balanced(ctx)

    async def test_with_first_they_go_ahead_of_the_first_statement_and_may_stop_it(self, db: Database) -> None:
        budget = await funded_budget(db, "acme", 1_000)
        async with system(db, "acme") as ctx:
            earlier = await wallet.award(ctx, budget.id, 1, 100, "扫码中奖", "f0")
            seen_first: list[int] = []

            def ahead(stop: bool) -> list[direct.Deferred[None]]:
                async def then(rows: direct.Rows) -> None:
                    seen_first.extend(row[0] for row in rows.all())
                    if stop:
                        raise LookupError("the caller refuses")

                return [direct.Deferred(_JOURNAL_KEY, tenant_params(ctx.session, journal_=earlier.id), then)]

            with statements(db) as seen:
                won = await wallet.award(ctx, budget.id, 1, 300, "扫码中奖", "f1", with_first=ahead(False))
            assert seen[0] == ("WITH" if _postgres(db) else "SELECT")  # theirs first: one statement on PostgreSQL
            assert len(seen) == (2 if _postgres(db) else 5) and seen_first == [earlier.id] and not won.replayed
            before = await _ledger(ctx)
            with pytest.raises(LookupError):
                async with ctx.session.begin_nested():  # the caller's savepoint undoes the journal begun
                    await wallet.award(ctx, budget.id, 1, 300, "扫码中奖", "f2", with_first=ahead(True))
            assert await _ledger(ctx) == before and await wallet.is_balanced(ctx)
