"""The draw's conditional writes, statements built once (repository; platform/db/tenancy.py,
``prebuilt``): each holds its limit exactly as before, runs as one statement with its values
as parameters — the same statement on every call — and writes in its session's brand only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.campaigns.factories import running_campaign
from tests.harness import is_prebuilt, orm_statements, statements
from tests.identity.factories import create_tenant, system
from yima.campaigns import repository as repo
from yima.campaigns.models import CampaignAward, CampaignCodeCount, CampaignDay, CampaignPersonCount, CampaignPrize
from yima.campaigns.repository import risk as risk_repo
from yima.campaigns.risk import CounterKey
from yima.platform.db import direct
from yima.platform.db.session import Database
from yima.platform.db.tenancy import TenancyError


async def _count_scans(session: AsyncSession, tenant_id: int, keys: list[CounterKey]) -> dict[tuple[str, str], int]:
    return risk_repo.counts_in(await direct.execute(session, *risk_repo.count_scans_later(session, tenant_id, keys)))


DAY = "2030-01-01"
PRIZES = [
    {"name": "限量红包", "kind": "cash", "amount_fen": 100, "weight": 1, "stock": 2},
    {"name": "限额积分", "kind": "points", "points": 5, "cost_fen": 100, "weight": 1, "budget_fen": 250},
    {"name": "5积分", "kind": "points", "points": 5, "fallback": True, "weight": 0},
]


@contextmanager
def traced(session: AsyncSession) -> Iterator[tuple[list[Any], list[str]]]:
    """The statements the session runs (as given to it) and the SQL sent to the database."""
    sent: list[str] = []

    def on_cursor(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    def on_driver(statement: Any, sql: str) -> None:
        sent.append(sql)

    engine = session.bind.sync_engine if session.bind is not None else None
    assert engine is not None
    event.listen(engine, "before_cursor_execute", on_cursor)
    direct.listen(on_driver)
    try:
        with orm_statements() as given:
            yield given, sent
    finally:
        event.remove(engine, "before_cursor_execute", on_cursor)
        direct.remove(on_driver)


async def _person_counts(session: AsyncSession, campaign_id: int, person_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(CampaignPersonCount.period, CampaignPersonCount.awards).where(
            CampaignPersonCount.campaign_id == campaign_id, CampaignPersonCount.person_id == person_id
        )
    )
    return {period: awards for period, awards in rows.all()}


async def _slice(session: AsyncSession, campaign_id: int, day: str) -> tuple[int | None, int, int]:
    row = (
        await session.scalars(
            select(CampaignDay)
            .where(CampaignDay.campaign_id == campaign_id, CampaignDay.day == day, CampaignDay.slice == 0)
            .execution_options(populate_existing=True)
        )
    ).one()
    return row.cap_fen, row.spent_fen, row.awards


async def test_a_code_makes_awards_up_to_its_limit_per_role(db: Database) -> None:
    slug = await create_tenant(db)
    campaign = await running_campaign(db, slug)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        assert [await repo.claim_code(s, tenant, campaign.id, 7, "consumer", 3) for _ in range(4)] == [1, 2, 3, None]
        assert await repo.claim_code(s, tenant, campaign.id, 7, "store", 3) == 1
        assert await repo.claim_code(s, tenant, campaign.id, 7, "consumer", 5) == 4  # a raised limit
        assert await repo.claim_code(s, tenant, campaign.id, 8, "consumer", 1) == 1
        assert await repo.claim_code(s, tenant, campaign.id, 8, "consumer", 1) is None
        counts = await s.execute(
            select(CampaignCodeCount.code_serial, CampaignCodeCount.role, CampaignCodeCount.awards)
        )
        assert sorted(counts.all()) == [(7, "consumer", 4), (7, "store", 1), (8, "consumer", 1)]


@pytest.mark.parametrize(
    "limits",
    [
        {DAY: 2, "total": 3},
        {DAY: 2, "total": None},
        {DAY: None, "total": 3},
        {DAY: None, "total": None},
        {"total": 2},
        {DAY: None},
    ],
)
async def test_a_person_is_counted_in_each_period_while_below_its_limit(
    db: Database, limits: dict[str, int | None]
) -> None:
    """Against a model of the statement: each period's row is made at 1 or gets 1 while below its
    limit; True when every period took it; a refused period leaves the others counted."""
    slug = await create_tenant(db)
    campaign = await running_campaign(db, slug)
    expected: dict[str, int] = {}
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        for _ in range(5):
            took = True
            for period, limit in limits.items():
                if limit is None or expected.get(period, 0) < limit:
                    expected[period] = expected.get(period, 0) + 1
                else:
                    took = False
            assert await repo.claim_person(s, tenant, campaign.id, 42, limits) is took
            assert await _person_counts(s, campaign.id, 42) == expected
        assert await _person_counts(s, campaign.id, 43) == {}


async def test_the_person_limits_of_one_scan_do_not_leak_into_the_next(db: Database) -> None:
    """The statement's variants share parameter names: another variant next sees only its own."""
    slug = await create_tenant(db)
    campaign = await running_campaign(db, slug)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        assert await repo.claim_person(s, tenant, campaign.id, 1, {DAY: 1, "total": 1})
        assert not await repo.claim_person(s, tenant, campaign.id, 1, {DAY: 1, "total": 1})
        assert await repo.claim_person(s, tenant, campaign.id, 1, {DAY: None, "total": None})
        assert not await repo.claim_person(s, tenant, campaign.id, 1, {DAY: 9, "total": 2})
        assert await _person_counts(s, campaign.id, 1) == {DAY: 3, "total": 2}


async def test_spend_slices_take_a_cost_while_both_quotas_have_room(db: Database) -> None:
    slug = await create_tenant(db)
    campaign = await running_campaign(db, slug)
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        total_cap, _, _ = await _slice(s, campaign.id, repo.TOTAL)
        assert total_cap is not None and total_cap > 1_000
        assert await repo.spend_slices(s, tenant, campaign.id, DAY, 0, 100, 60)
        assert await _slice(s, campaign.id, DAY) == (100, 60, 1)
        assert await _slice(s, campaign.id, repo.TOTAL) == (total_cap, 60, 1)
        # the day's quota has no room: refused, the total counted (the caller's savepoint undoes it)
        assert not await repo.spend_slices(s, tenant, campaign.id, DAY, 0, 100, 50)
        assert await _slice(s, campaign.id, DAY) == (100, 60, 1)
        assert await _slice(s, campaign.id, repo.TOTAL) == (total_cap, 110, 2)
        assert await repo.spend_slices(s, tenant, campaign.id, DAY, 0, 100, 40)
        assert await _slice(s, campaign.id, DAY) == (100, 100, 2)
        # a day with no cap, the total's quota short by one
        other = "2030-01-02"
        assert not await repo.spend_slices(s, tenant, campaign.id, other, 0, None, total_cap - 150 + 1)
        assert await _slice(s, campaign.id, other) == (None, total_cap - 149, 1)
        assert await _slice(s, campaign.id, repo.TOTAL) == (total_cap, 150, 3)
        assert await repo.spend_slices(s, tenant, campaign.id, other, 0, None, total_cap - 150)
        assert await _slice(s, campaign.id, repo.TOTAL) == (total_cap, total_cap, 4)


def _award(tenant: int, campaign_id: int, prize_id: int, n: int) -> dict[str, Any]:
    return {
        "tenant_id": tenant, "campaign_id": campaign_id, "prize_id": prize_id, "scan_ref": f"scan:{n}",
        "person_id": 1, "code_serial": 1000 + n, "role": "consumer", "seq": 1, "kind": "points",
        "prize_name": "5积分", "amount_fen": 0, "points": 5, "cost_fen": 60, "fallback": False, "reason": "drawn",
        "journal_id": None, "day": DAY, "local_hour": 9, "region_code": None,
        "created_at": dt.datetime(2030, 1, 1, 1, tzinfo=dt.UTC),
    }  # fmt: skip


async def test_an_award_is_written_with_its_spend_only_when_both_slices_take_it(db: Database) -> None:
    slug = await create_tenant(db)
    campaign = await running_campaign(db, slug)
    async with system(db, slug) as ctx:
        s, tenant, prize = ctx.session, ctx.tenant_id, campaign.prizes[0].id
        with statements(db) as ran:
            made = await repo.spend_slices_and_award(
                s, tenant, campaign.id, DAY, 0, 100, 60, _award(tenant, campaign.id, prize, 1)
            )
        assert len(ran) == (1 if db.engine.dialect.name == "postgresql" else 2)
        assert made is not None and await _slice(s, campaign.id, DAY) == (100, 60, 1)
        written = await s.get(CampaignAward, made)
        assert written is not None and (written.scan_ref, written.cost_fen, written.points) == ("scan:1", 60, 5)
        async with s.begin_nested():  # the day's quota has no room: no award
            refused = await repo.spend_slices_and_award(
                s, tenant, campaign.id, DAY, 0, 100, 50, _award(tenant, campaign.id, prize, 2)
            )
            assert refused is None
        assert await repo.award_by_scan(s, campaign.id, "scan:2") is None
        with pytest.raises(TenancyError):  # an award of another brand's
            await repo.spend_slices_and_award(
                s, tenant, campaign.id, DAY, 0, 100, 1, _award(tenant + 1, campaign.id, prize, 3)
            )


async def test_a_prize_is_taken_while_its_stock_and_its_own_budget_last(db: Database) -> None:
    slug = await create_tenant(db)
    campaign = await running_campaign(db, slug, prizes=PRIZES)
    async with system(db, slug) as ctx:
        s = ctx.session
        stocked, budgeted, fallback = (await repo.prizes_of(s, [campaign.id]))[campaign.id]
        assert [await repo.take_prize(s, stocked.id, 100) for _ in range(3)] == [True, True, False]
        assert [await repo.take_prize(s, budgeted.id, 100) for _ in range(3)] == [True, True, False]
        assert await repo.take_prize(s, budgeted.id, 50)
        assert not await repo.take_prize(s, budgeted.id, 1)
        assert await repo.take_prize(s, fallback.id, 0)
        shown = (await repo.prizes_of(s, [campaign.id]))[campaign.id]
        taken = [(p.stock_left, p.spent_fen, p.awarded) for p in shown]
        assert taken == [(0, 200, 2), (None, 250, 3), (None, 0, 1)]


async def test_the_draws_statements_are_built_once_and_run_as_one_statement_each(db: Database) -> None:
    slug = await create_tenant(db)
    campaign = await running_campaign(db, slug, prizes=PRIZES)
    now = dt.datetime(2030, 1, 1, 8, 0, tzinfo=dt.UTC)
    keys = [CounterKey(starts_at=now, span=span, subject="person", key="p1") for span in ("minute", "hour", "day")]
    async with system(db, slug) as ctx:
        s, tenant = ctx.session, ctx.tenant_id
        prize = (await repo.prizes_of(s, [campaign.id]))[campaign.id][0]
        rounds = []
        for n in range(2):
            with traced(s) as (given, sent):
                await repo.claim_code(s, tenant, campaign.id, 5, "consumer", 9)
                await repo.claim_person(s, tenant, campaign.id, 5, {DAY: 9, "total": None})
                await repo.spend_slices(s, tenant, campaign.id, DAY, 0, None, 1)
                await repo.take_prize(s, prize.id, 0)
                assert await _count_scans(s, tenant, keys) == {("person", k.span): n + 1 for k in keys}
            assert all(is_prebuilt(statement) for statement in given)
            assert len(given) == len(sent) == 5  # two rows of slices, two of person counts: one statement each
            rounds.append(given)
        assert all(a is b for a, b in zip(*rounds, strict=True))


async def test_the_draws_counters_refuse_another_brands_rows_and_prizes(db: Database) -> None:
    slug, other = await create_tenant(db), await create_tenant(db)
    campaign = await running_campaign(db, slug, prizes=PRIZES)
    async with system(db, slug) as ctx:
        prize = (await repo.prizes_of(ctx.session, [campaign.id]))[campaign.id][0]
        tenant = ctx.tenant_id
    async with system(db, other) as ctx:
        s = ctx.session
        with pytest.raises(TenancyError):
            await repo.claim_code(s, tenant, campaign.id, 5, "consumer", 9)
        with pytest.raises(TenancyError):
            await repo.claim_person(s, tenant, campaign.id, 5, {DAY: 9, "total": None})
        with pytest.raises(TenancyError):
            await repo.spend_slices(s, tenant, campaign.id, DAY, 0, None, 1)
        with pytest.raises(TenancyError):
            await _count_scans(s, tenant, [CounterKey(dt.datetime.now(dt.UTC), "minute", "person", "p")])
        assert not await repo.take_prize(s, prize.id, 0)  # not this brand's prize: nothing taken
    async with system(db, slug) as ctx:
        stock_left = await ctx.session.scalar(select(CampaignPrize.stock_left).where(CampaignPrize.id == prize.id))
        assert stock_left == 2
