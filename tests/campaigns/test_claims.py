"""claim_limits: the code's and the person's limits claimed together, as the draw claims them
(in a savepoint that a refusal undoes): one statement on PostgreSQL (a data-modifying CTE per
upsert), claim_code then claim_person elsewhere — the same awards, the same counts written."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.campaigns.factories import running_campaign
from tests.harness import delete_brand, is_prebuilt, orm_statements, statements
from tests.identity.factories import create_tenant, system
from yima.campaigns import repository as repo
from yima.campaigns.models import CampaignCodeCount, CampaignPersonCount
from yima.campaigns.repository import Claimed
from yima.platform import caches
from yima.platform.db import direct
from yima.platform.db.session import Database
from yima.platform.db.tenancy import TenancyError

DAY, NEXT_DAY = "2030-01-01", "2030-01-02"


class _Undone(Exception):
    def __init__(self, claimed: Claimed) -> None:
        self.claimed = claimed


async def claim(
    s: AsyncSession, tenant: int, campaign_id: int, serial: int, periods: dict[str, int | None], *,
    code_limit: int = 1, person: int = 42, role: str = "consumer",
) -> Claimed:  # fmt: skip
    """claim_limits as the draw runs it: a refusal of either undoes both with the savepoint."""
    try:
        async with direct.savepoint(s):
            found = await repo.claim_limits(s, tenant, campaign_id, serial, role, code_limit, person, periods)
            if found.seq is None or not found.person_ok:
                raise _Undone(found)
    except _Undone as undone:
        return seen(undone.claimed)
    return seen(found)


def seen(claimed: Claimed) -> Claimed:
    """What the claims found, without the award id reserved with them (test_award_ids_are_reserved)."""
    return replace(claimed, award_id=None)


async def code_counts(s: AsyncSession) -> list[tuple[int, int, str, int]]:
    count = CampaignCodeCount
    rows = await s.execute(select(count.campaign_id, count.code_serial, count.role, count.awards))
    return sorted((int(c), int(serial), role, awards) for c, serial, role, awards in rows.all())


async def person_counts(s: AsyncSession) -> list[tuple[int, int, str, int]]:
    count = CampaignPersonCount
    rows = await s.execute(select(count.campaign_id, count.person_id, count.period, count.awards))
    return sorted((int(c), int(person), period, awards) for c, person, period, awards in rows.all())


class TestClaimLimits:
    async def test_a_code_makes_its_awards_up_to_its_limit(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug)
        periods: dict[str, int | None] = {DAY: None, "total": None}
        async with system(db, slug) as ctx:
            s, tenant, c = ctx.session, ctx.tenant_id, campaign.id
            assert await claim(s, tenant, c, 7, periods) == Claimed(1, True)
            assert await claim(s, tenant, c, 7, periods) == Claimed(None, False)  # limit 1: refused
            assert await claim(s, tenant, c, 7, periods, code_limit=2) == Claimed(2, True)
            assert await claim(s, tenant, c, 7, periods, code_limit=2) == Claimed(None, False)
            assert await claim(s, tenant, c, 7, periods, role="store") == Claimed(1, True)  # a role of its own
            assert await code_counts(s) == [(c, 7, "consumer", 2), (c, 7, "store", 1)]
            assert await person_counts(s) == [(c, 42, DAY, 3), (c, 42, "total", 3)]  # refusals undone

    async def test_a_person_limited_per_day_is_refused_another_code_that_day_and_counted_the_next(
        self, db: Database
    ) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug)
        async with system(db, slug) as ctx:
            s, tenant, c = ctx.session, ctx.tenant_id, campaign.id
            assert await claim(s, tenant, c, 1, {DAY: 1, "total": None}) == Claimed(1, True)
            # the code took it, the person did not: the savepoint undoes the code's count too
            assert await claim(s, tenant, c, 2, {DAY: 1, "total": None}) == Claimed(1, False)
            assert await claim(s, tenant, c, 3, {NEXT_DAY: 1, "total": None}) == Claimed(1, True)
            assert await code_counts(s) == [(c, 1, "consumer", 1), (c, 3, "consumer", 1)]
            assert await person_counts(s) == [(c, 42, DAY, 1), (c, 42, NEXT_DAY, 1), (c, 42, "total", 2)]

    async def test_a_person_limited_in_total_is_refused_on_any_day_past_it(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug)
        async with system(db, slug) as ctx:
            s, tenant, c = ctx.session, ctx.tenant_id, campaign.id
            assert await claim(s, tenant, c, 1, {DAY: None, "total": 2}) == Claimed(1, True)
            assert await claim(s, tenant, c, 2, {DAY: None, "total": 2}) == Claimed(1, True)
            assert await claim(s, tenant, c, 3, {NEXT_DAY: None, "total": 2}) == Claimed(1, False)
            assert await claim(s, tenant, c, 4, {NEXT_DAY: 5, "total": 2}, person=43) == Claimed(1, True)
            assert await person_counts(s) == [
                (c, 42, DAY, 2), (c, 42, "total", 2), (c, 43, NEXT_DAY, 1), (c, 43, "total", 1),
            ]  # fmt: skip

    @pytest.mark.parametrize(
        "periods",
        [
            {DAY: 2, "total": 3},
            {DAY: 2, "total": None},
            {DAY: None, "total": 3},
            {DAY: None, "total": None},
            {"total": 2},
            {DAY: None},
        ],
    )
    async def test_every_variant_claims_as_claim_code_then_claim_person(
        self, db: Database, periods: dict[str, int | None]
    ) -> None:
        """Against a model of the pair: the code's count and the person's periods each take the
        award while below their limit; both are kept only when all took it."""
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug)
        code, person = 0, dict.fromkeys(periods, 0)
        async with system(db, slug) as ctx:
            s, tenant, c = ctx.session, ctx.tenant_id, campaign.id
            for _ in range(5):
                seq = code + 1 if code < 4 else None
                person_ok = seq is not None and all(v is None or person[p] < v for p, v in periods.items())
                assert await claim(s, tenant, c, 9, periods, code_limit=4) == Claimed(seq, person_ok)
                if person_ok:
                    code, person = code + 1, {p: n + 1 for p, n in person.items()}
            assert await code_counts(s) == ([(c, 9, "consumer", code)] if code else [])
            assert await person_counts(s) == sorted((c, 42, p, n) for p, n in person.items() if n)

    async def test_a_refusal_leaves_what_the_caller_undoes(self, db: Database) -> None:
        """Without the savepoint: PostgreSQL counts the person even when the code refused (the
        caller's savepoint undoes it); elsewhere the person's claim is not made."""
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug)
        periods: dict[str, int | None] = {DAY: 1, "total": None}
        async with system(db, slug) as ctx:
            s, tenant, c = ctx.session, ctx.tenant_id, campaign.id
            assert seen(await repo.claim_limits(s, tenant, c, 5, "consumer", 1, 42, periods)) == Claimed(1, True)
            assert seen(await repo.claim_limits(s, tenant, c, 5, "consumer", 1, 42, periods)) == Claimed(None, False)
            counted = 2 if db.backend == "postgresql" else 1
            assert await person_counts(s) == [(c, 42, DAY, 1), (c, 42, "total", counted)]
            assert await code_counts(s) == [(c, 5, "consumer", 1)]

    async def test_award_ids_are_reserved_with_the_claims_on_postgresql(self, db: Database) -> None:
        """So that another context's statement naming the award can go with its insert (the
        scan record's outcome): each claim takes the award's next id; elsewhere the insert gives it."""
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug)
        periods: dict[str, int | None] = {DAY: None, "total": None}
        async with system(db, slug) as ctx:
            s, tenant, c = ctx.session, ctx.tenant_id, campaign.id
            first = await repo.claim_limits(s, tenant, c, 11, "consumer", 1, 42, periods)
            second = await repo.claim_limits(s, tenant, c, 12, "consumer", 1, 42, periods)
            if db.backend != "postgresql":
                assert first.award_id is None and second.award_id is None
                return
            assert first.award_id is not None and second.award_id is not None
            assert second.award_id > first.award_id
            award = {"tenant_id": tenant, "campaign_id": c, "prize_id": campaign.prizes[0].id, "scan_ref": "s-12",
                     "person_id": 42, "code_serial": 12, "role": "consumer", "seq": 1, "kind": "points",
                     "prize_name": "p", "amount_fen": 0, "points": 1, "cost_fen": 0, "fallback": True,
                     "reason": "drawn", "day": DAY, "local_hour": 9, "created_at": ctx.now()}  # fmt: skip
            assert await repo.insert_award(s, award | {"id": second.award_id}) == second.award_id
            assert await repo.insert_award(s, award | {"scan_ref": "s-11", "code_serial": 11}) > second.award_id


class TestStatements:
    async def test_one_statement_on_postgresql_built_once_two_elsewhere(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug)
        periods: dict[str, int | None] = {DAY: 3, "total": None}
        postgres = db.backend == "postgresql"
        async with system(db, slug) as ctx:
            s, tenant, c = ctx.session, ctx.tenant_id, campaign.id
            await repo.claim_limits(s, tenant, c, 1, "consumer", 1, 42, periods)  # the session's first statements
            rounds: list[list[Any]] = []
            for serial in (2, 3):
                with statements(db) as sent, orm_statements() as given:
                    claimed = await repo.claim_limits(s, tenant, c, serial, "consumer", 1, 42, periods)
                assert seen(claimed) == Claimed(1, True)
                assert sent == (["WITH"] if postgres else ["INSERT", "INSERT"])
                assert all(is_prebuilt(statement) for statement in given)
                rounds.append(given)
            assert all(a is b for a, b in zip(*rounds, strict=True))
            with statements(db) as sent:
                claimed = await repo.claim_limits(s, tenant, c, 3, "consumer", 1, 42, periods)
            assert seen(claimed) == Claimed(None, False)
            assert sent == (["WITH"] if postgres else ["INSERT"])  # elsewhere: no person claim after a refusal


class TestTenancy:
    async def test_each_brand_counts_its_own_and_a_claim_naming_another_is_refused(self, db: Database) -> None:
        slug, other = await create_tenant(db), await create_tenant(db)
        mine, theirs = await running_campaign(db, slug), await running_campaign(db, other)
        periods: dict[str, int | None] = {DAY: 1, "total": 1}
        async with system(db, slug) as ctx:
            tenant = ctx.tenant_id
            assert await claim(ctx.session, tenant, mine.id, 7, periods) == Claimed(1, True)
        async with system(db, other) as ctx:
            s = ctx.session
            with pytest.raises(TenancyError):
                await repo.claim_limits(s, tenant, mine.id, 7, "consumer", 1, 42, periods)
            assert await code_counts(s) == [] and await person_counts(s) == []  # the other brand's unseen
            # the same code serial and person id: this brand's own counters, from 1
            assert await claim(s, ctx.tenant_id, theirs.id, 7, periods) == Claimed(1, True)
            assert await code_counts(s) == [(theirs.id, 7, "consumer", 1)]
        async with system(db, slug) as ctx:
            assert await code_counts(ctx.session) == [(mine.id, 7, "consumer", 1)]
            assert await person_counts(ctx.session) == [(mine.id, 42, DAY, 1), (mine.id, 42, "total", 1)]


class TestConcurrency:
    async def test_concurrent_claims_of_one_code_by_one_person_stop_at_the_lower_limit(
        self, engine_db: Database
    ) -> None:
        """Real transactions at once, committed: a claim waits for the one holding the code's row,
        then sees its count (the code allows 5, the person 3 in total)."""
        caches.clear_all()
        slug = "campaign-race-claims"
        periods: dict[str, int | None] = {DAY: None, "total": 3}
        gate = asyncio.Semaphore(8 if engine_db.backend == "sqlite" else 30)

        async def one(campaign_id: int) -> Claimed:
            async with gate, system(engine_db, slug) as ctx:
                return await claim(ctx.session, ctx.tenant_id, campaign_id, 7, periods, code_limit=5)

        try:
            await create_tenant(engine_db, slug)
            campaign = await running_campaign(engine_db, slug)
            found = await asyncio.gather(*(one(campaign.id) for _ in range(40)))
            assert sorted(f.seq for f in found if f.person_ok) == [1, 2, 3]
            assert sum(1 for f in found if not f.person_ok) == 37
            async with system(engine_db, slug) as ctx:
                c = campaign.id
                assert await code_counts(ctx.session) == [(c, 7, "consumer", 3)]
                assert await person_counts(ctx.session) == [(c, 42, DAY, 3), (c, 42, "total", 3)]
        finally:
            await delete_brand(engine_db, slug)
            caches.clear_all()
