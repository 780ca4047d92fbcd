"""The draw in the database: limits, stock, budget and the wallet, then the reliability tests
of issue 5 point 6 on real concurrent transactions (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from tests.campaigns.factories import running_campaign
from tests.harness import delete_brand
from tests.identity.factories import create_tenant, system
from yima.campaigns import repository as repo
from yima.campaigns import rules
from yima.campaigns import service as campaigns
from yima.campaigns.errors import AlreadyAwarded, BudgetExhausted, NotEligible, NotRunning, PersonLimitReached
from yima.campaigns.models import CampaignDay
from yima.campaigns.rules import ScanContext
from yima.platform import caches
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.platform.db.session import Database
from yima.platform.errors import AppError
from yima.scans import repository as scans_repo
from yima.scans.models import ScanRecord
from yima.wallet import service as wallet

STOCKED = [
    {"name": "1元红包", "kind": "cash", "amount_fen": 100, "weight": 1000, "stock": 100},
    {"name": "5积分", "kind": "points", "points": 5, "fallback": True, "weight": 0},
]


CASH = [
    {"name": "1元红包", "kind": "cash", "amount_fen": 100, "weight": 1},
    {"name": "5积分", "kind": "points", "points": 5, "fallback": True, "weight": 0},
]
SLICES = rules.slice_count(1_000_000)  # running_campaign's budget


async def _scan_record(ctx: Ctx, serial: int) -> ScanRecord:
    record = ScanRecord(tenant_id=ctx.tenant_id, serial=serial, level="unit", input_kind="qr", state="active",
                        scanned_at=ctx.now(), person_id=3)  # fmt: skip
    assert await scans_repo.insert(ctx.session, record)
    return record


def _outcome(ctx: Ctx, record: ScanRecord, named: list[int]) -> Callable[[int], direct.Deferred[None]]:
    """The scan record's outcome naming the award, as the scan gives it; ``named``: the ids it
    was given whose follow-up ran (the award was written)."""

    def outcome(award_id: int) -> direct.Deferred[None]:
        values = scans_repo.outcome_of(record) | {"outcome": "awarded", "award_id": award_id}

        async def then(rows: direct.Rows) -> None:
            named.append(award_id)

        return direct.Deferred(*scans_repo.save_outcome_later(ctx.session, record.id, values), then)

    return outcome


async def _outcome_of(ctx: Ctx, record: ScanRecord) -> tuple[str, int | None]:
    row = (await ctx.session.execute(
        select(ScanRecord.outcome, ScanRecord.award_id).where(ScanRecord.id == record.id)
    )).one()  # fmt: skip
    return row[0], row[1]


async def draw(db: Database, slug: str, campaign_id: int, n: int, **kw: Any) -> Any:
    person = kw.pop("person", n)
    async with system(db, slug) as ctx:
        return await campaigns.draw_prize(ctx, campaign_id, f"scan-{n}", person, kw.pop("serial", n), **kw)


class TestDrawPrize:
    async def test_a_cash_award_is_paid_from_the_wallet_budget_and_a_replay_returns_it(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, prizes=STOCKED)
        award = await draw(db, slug, campaign.id, 1, rng=random.Random(1))
        assert (award.kind, award.amount_fen, award.seq, award.replayed) == ("cash", 100, 1, False)
        assert award.journal_id is not None
        again = await draw(db, slug, campaign.id, 1)
        assert (again.id, again.replayed) == (award.id, True)
        async with system(db, slug) as ctx:
            shown = await campaigns.get_campaign(ctx, campaign.id)
            assert shown.spent_fen == 100 and shown.prizes[0].stock_left == 99
            assert (await wallet.wallet_of(ctx, 1)).balance == 100
            assert await wallet.is_balanced(ctx)

    async def test_a_code_awards_once_per_role_unless_many_scans_are_allowed(self, db: Database) -> None:
        slug = await create_tenant(db)
        once = await running_campaign(db, slug)
        await draw(db, slug, once.id, 1, serial=42, rng=random.Random(3))  # cash: the claims go with its journal
        with pytest.raises(AlreadyAwarded):
            await draw(db, slug, once.id, 2, serial=42, rng=random.Random(3))
        async with system(db, slug) as ctx:  # the refused draw's journal and payment were undone with it
            assert (await wallet.wallet_of(ctx, 2)).balance == 0 and await wallet.is_balanced(ctx)
            assert (await wallet.wallet_of(ctx, 1)).balance > 0
        banquet = await running_campaign(db, slug, limits={"scans_per_code": 3})
        first = await draw(db, slug, banquet.id, 10, serial=42)
        # 一码多扫 is for the table's guests: one guest wins once on a code, however often they scan it.
        with pytest.raises(PersonLimitReached):
            await draw(db, slug, banquet.id, 11, serial=42, person=10)
        seqs = [first.seq, *[(await draw(db, slug, banquet.id, 12 + i, serial=42)).seq for i in range(2)]]
        assert seqs == [1, 2, 3]
        with pytest.raises(AlreadyAwarded):
            await draw(db, slug, banquet.id, 20, serial=42)
        assert (await draw(db, slug, banquet.id, 21, serial=43, person=10)).seq == 1  # another code: another win

    async def test_person_limits_per_day_and_in_total(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, limits={"per_person_day": 2, "per_person_total": 5})
        for n in (1, 2):
            await draw(db, slug, campaign.id, n, person=7)
        with pytest.raises(PersonLimitReached):
            await draw(db, slug, campaign.id, 3, person=7)
        async with system(db, slug) as ctx:  # nothing of the refused draw stayed
            assert sum(p.awarded for p in (await campaigns.get_campaign(ctx, campaign.id)).prizes) == 2

    async def test_an_empty_wallet_budget_gives_the_fallback_and_never_overspends(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, funded_fen=300, prizes=STOCKED)
        kinds = [(await draw(db, slug, campaign.id, n)).kind for n in range(6)]
        assert kinds == ["cash"] * 3 + ["points"] * 3
        async with system(db, slug) as ctx:
            budget = await wallet.get_account(ctx, campaign.budget_account_id or 0)
            shown = await campaigns.get_campaign(ctx, campaign.id)
        assert budget.balance == 0 and shown.spent_fen == 300 and shown.prizes[0].stock_left == 97

    async def test_the_daily_cap_and_a_cash_fallback_refuse_when_nothing_fits(self, db: Database) -> None:
        slug = await create_tenant(db)
        cash_only = [{"name": "3毛", "kind": "cash", "amount_fen": 30, "fallback": True}]
        campaign = await running_campaign(db, slug, prizes=cash_only, daily_cap_fen=60)
        await draw(db, slug, campaign.id, 1)
        await draw(db, slug, campaign.id, 2)
        with pytest.raises(BudgetExhausted):
            await draw(db, slug, campaign.id, 3)

    async def test_the_callers_statement_goes_with_the_award_and_a_refusal_undoes_it(self, db: Database) -> None:
        """``with_award`` (the scan record's outcome): on PostgreSQL sent in the statement of the
        journal's last leg, the spend and the award; written once, naming the award made. The
        claims go with the journal's first statement."""
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, prizes=CASH)
        async with system(db, slug) as ctx:
            record = await _scan_record(ctx, 7)
            named: list[int] = []
            sent: list[str] = []
            direct.listen(listener := lambda statement, sql: sent.append(sql))
            try:
                award = await campaigns.draw_prize(
                    ctx, campaign.id, "scan-7", 3, 7, rng=random.Random(1), with_award=_outcome(ctx, record, named)
                )
            finally:
                direct.remove(listener)
            assert named == [award.id] and await _outcome_of(ctx, record) == ("awarded", award.id)
            if db.backend == "postgresql":  # two statements: the claims with the journal and its first leg,
                first, last = sent  # then its last leg with the spend, the award and the caller's
                assert first.startswith("WITH code AS (INSERT INTO campaign_code_counts")
                assert "INSERT INTO wallet_journals" in first and "scan_records" not in first
                assert last.startswith("WITH leg AS (UPDATE wallet_accounts") and "UPDATE scan_records" in last
                assert "INSERT INTO campaign_days" in last and "INSERT INTO campaign_awards" in last

    async def test_a_full_spend_slice_undoes_the_callers_statement_with_the_rest(self, db: Database) -> None:
        """Every slice of the day with less room than the prize: the fast try's statement is
        refused and undone (the wallet's payment, the award, the caller's UPDATE), then the
        draw takes every slice; the person is paid once and the outcome names the award made."""
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, prizes=CASH, daily_cap_fen=100 * SLICES)
        async with system(db, slug) as ctx:
            day = rules.day_key(ctx.local(ctx.now()))
            for k in range(SLICES):  # each slice: quota 100, 50 spent
                assert await repo.spend_slices(ctx.session, ctx.tenant_id, campaign.id, day, k, 100, 50)
            record = await _scan_record(ctx, 8)
            named: list[int] = []
            outcome, sent = _outcome(ctx, record, named), list[str]()
            direct.listen(listener := lambda statement, sql: sent.append(sql))
            try:
                award = await campaigns.draw_prize(ctx, campaign.id, "scan-8", 3, 8, with_award=outcome)
            finally:
                direct.remove(listener)
            assert award.kind == "cash" and named == [award.id]
            if db.backend == "postgresql":  # sent with the refused tries too, undone with them
                assert len([sql for sql in sent if "scan_records" in sql]) == 3
            assert await _outcome_of(ctx, record) == ("awarded", award.id)
            assert (await wallet.wallet_of(ctx, 3)).balance == 100 and await wallet.is_balanced(ctx)
            assert await campaigns.awards_of_code(ctx, campaign.id, 8) == [award]

    async def test_only_running_campaigns_draw_and_targeting_is_checked(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, targeting={"regions": ["510000"], "hours": [10]})
        async with system(db, slug) as ctx:
            outside = ScanContext(local_time=ctx.local(ctx.now()).replace(hour=9), region_code="440305")
            assert await campaigns.check_eligibility(ctx, campaign.id, "consumer", outside) == ["hour", "region"]
            with pytest.raises(NotEligible):
                await campaigns.draw_prize(ctx, campaign.id, "s", 1, 1, scan=outside)
            await campaigns.pause_campaign(ctx, campaign.id)
            with pytest.raises(NotRunning):
                await campaigns.draw_prize(ctx, campaign.id, "s", 1, 1)


class TestConcurrency:
    """Many transactions at once on their own connections, committed for real."""

    async def _race(self, engine_db: Database, slug: str, campaign_id: int, n: int, same_code: bool) -> list[str]:
        gate = asyncio.Semaphore(8 if engine_db.backend == "sqlite" else 30)

        async def one(i: int) -> str:
            async with gate:
                try:
                    award = await draw(engine_db, slug, campaign_id, i, serial=1 if same_code else i, person=i)
                except AppError as exc:
                    return exc.code
                except Exception as exc:  # an outcome too: gather must not return before every draw ends
                    return f"unexpected {type(exc).__name__}: {exc}"
                return award.kind

        return await asyncio.gather(*(one(i) for i in range(n)))

    async def test_200_concurrent_scans_of_one_code_make_exactly_one_award(self, engine_db: Database) -> None:
        caches.clear_all()
        slug = "campaign-race-code"
        try:
            await create_tenant(engine_db, slug)
            campaign = await running_campaign(engine_db, slug, prizes=STOCKED)
            outcomes = await self._race(engine_db, slug, campaign.id, 200, same_code=True)
            assert sorted(set(outcomes)) == ["already_awarded", "cash"] and outcomes.count("cash") == 1
            async with system(engine_db, slug) as ctx:
                assert len(await campaigns.awards_of_code(ctx, campaign.id, 1)) == 1
        finally:
            await delete_brand(engine_db, slug)
            caches.clear_all()

    async def test_1000_concurrent_scans_against_stock_100_pay_exactly_100(self, engine_db: Database) -> None:
        caches.clear_all()
        slug = "campaign-race-stock"
        try:
            await create_tenant(engine_db, slug)
            campaign = await running_campaign(engine_db, slug, prizes=STOCKED)
            outcomes = await self._race(engine_db, slug, campaign.id, 1000, same_code=False)
            assert (outcomes.count("cash"), outcomes.count("points")) == (100, 900)
            async with system(engine_db, slug) as ctx:
                shown = await campaigns.get_campaign(ctx, campaign.id)
                budget = await wallet.get_account(ctx, campaign.budget_account_id or 0)
                assert await wallet.is_balanced(ctx)
            assert (shown.prizes[0].stock_left, shown.spent_fen, budget.balance) == (0, 10_000, 990_000)
        finally:
            await delete_brand(engine_db, slug)
            caches.clear_all()

    async def test_concurrent_scans_never_overspend_the_wallet_budget(self, engine_db: Database) -> None:
        caches.clear_all()
        slug = "campaign-race-budget"
        try:
            await create_tenant(engine_db, slug)
            campaign = await running_campaign(engine_db, slug, funded_fen=5_000, prizes=STOCKED)
            outcomes = await self._race(engine_db, slug, campaign.id, 200, same_code=False)
            assert (outcomes.count("cash"), outcomes.count("points")) == (50, 150)
            async with system(engine_db, slug) as ctx:
                budget = await wallet.get_account(ctx, campaign.budget_account_id or 0)
                assert budget.balance == 0 and await wallet.is_balanced(ctx)
        finally:
            await delete_brand(engine_db, slug)
            caches.clear_all()

    async def test_unlimited_prizes_never_overspend_the_campaign_budget_and_count_from_awards(
        self, engine_db: Database
    ) -> None:
        # An unlimited prize has no row the draw updates: its count and spend are the awards'.
        caches.clear_all()
        slug = "campaign-race-unlimited"
        try:
            await create_tenant(engine_db, slug)
            prizes = [
                {"name": "1元红包", "kind": "cash", "amount_fen": 100, "weight": 1000},
                {"name": "5积分", "kind": "points", "points": 5, "fallback": True, "weight": 0},
            ]
            campaign = await running_campaign(engine_db, slug, budget_fen=6_000, prizes=prizes)
            outcomes = await self._race(engine_db, slug, campaign.id, 200, same_code=False)
            assert (outcomes.count("cash"), outcomes.count("points")) == (60, 140)
            async with system(engine_db, slug) as ctx:
                shown = await campaigns.get_campaign(ctx, campaign.id)
                budget = await wallet.get_account(ctx, campaign.budget_account_id or 0)
                assert await wallet.is_balanced(ctx)
            cash, points = shown.prizes
            assert (cash.awarded, cash.spent_fen, points.awarded, shown.spent_fen) == (60, 6_000, 140, 6_000)
            assert budget.balance == 1_000_000 - 6_000
        finally:
            await delete_brand(engine_db, slug)
            caches.clear_all()

    async def test_spend_slices_draining_at_once_never_pass_the_daily_cap(self, engine_db: Database) -> None:
        # 8 slices of spend: each draw writes one; the last awards that
        # fit are taken after moving quota between slices, and no slice, nor their sum, passes.
        caches.clear_all()
        slug = "campaign-race-slices"
        try:
            await create_tenant(engine_db, slug)
            prizes = [
                {"name": "90元红包", "kind": "cash", "amount_fen": 9_000, "weight": 1000},
                {"name": "5积分", "kind": "points", "points": 5, "fallback": True, "weight": 0},
            ]
            campaign = await running_campaign(engine_db, slug, budget_fen=800_000, daily_cap_fen=400_000, prizes=prizes)
            outcomes = await self._race(engine_db, slug, campaign.id, 150, same_code=False)
            assert (outcomes.count("cash"), outcomes.count("points")) == (44, 106)
            async with system(engine_db, slug) as ctx:
                shown = await campaigns.get_campaign(ctx, campaign.id)
                stats = await campaigns.award_stats(ctx, campaign.id, "2000-01-01")
                budget = await wallet.get_account(ctx, campaign.budget_account_id or 0)
                slices = await ctx.session.scalars(select(CampaignDay).where(CampaignDay.campaign_id == campaign.id))
                quotas: Counter[bool] = Counter()
                count: Counter[bool] = Counter()
                for row in slices:
                    assert row.cap_fen is None or row.spent_fen <= row.cap_fen
                    quotas[row.day == "total"] += row.cap_fen or 0
                    count[row.day == "total"] += 1
                assert await wallet.is_balanced(ctx)
            assert (shown.spent_fen, stats.paced_today_fen) == (396_000, 396_000)
            assert (quotas, count) == ({True: 800_000, False: 400_000}, {True: 8, False: 8})
            assert budget.balance == 1_000_000 - 396_000
        finally:
            await delete_brand(engine_db, slug)
            caches.clear_all()
