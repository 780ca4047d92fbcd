"""award_stats: one campaign's awards for the live dashboard, grouped in the database."""

from __future__ import annotations

import random

import pytest

from tests.campaigns.factories import add_award, local_days, running_campaign
from tests.identity.factories import create_tenant, system
from yima.campaigns import service as campaigns
from yima.platform.db.session import Database
from yima.platform.errors import NotFound

PRIZES = [
    {"name": "2元红包", "kind": "cash", "amount_fen": 200, "weight": 1000, "stock": 5},
    {"name": "保温杯", "kind": "gift", "cost_fen": 1500, "weight": 0, "stock": 3},
    {"name": "5积分", "kind": "points", "points": 5, "fallback": True, "weight": 0},
]
CASH, GIFT, POINTS = 0, 1, 2


class TestAwardStats:
    async def test_totals_days_hours_and_regions_are_grouped_from_the_awards(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, prizes=PRIZES)
        today, yesterday, old = await local_days(db, slug, 0, 1, 20)
        await add_award(db, slug, campaign, 1, day=today, hour=9, region_code="510104", prize=CASH)
        await add_award(db, slug, campaign, 1, day=today, hour=9, region_code="510107", prize=POINTS)
        await add_award(db, slug, campaign, 2, day=today, hour=21, region_code="510104", prize=GIFT)
        await add_award(db, slug, campaign, 3, day=yesterday, hour=9, prize=CASH, amount_fen=300)
        await add_award(db, slug, campaign, 4, day=old, hour=8, region_code="110105", prize=CASH)
        other = await running_campaign(db, slug, prizes=PRIZES)  # not counted
        await add_award(db, slug, other, 9, day=today, hour=9, prize=CASH)

        async with system(db, slug) as ctx:
            stats = await campaigns.award_stats(ctx, campaign.id, yesterday)

        assert (stats.campaign_id, stats.state, stats.today) == (campaign.id, "running", today)
        assert stats.total.model_dump() == {
            "awards": 5, "winners": 4, "cost_fen": 200 + 1500 + 300 + 200, "cash_fen": 700, "fallback_awards": 1,
        }  # fmt: skip
        assert [(d.day, d.awards, d.winners, d.cost_fen, d.cash_fen, d.fallback_awards) for d in stats.days] == [
            (yesterday, 1, 1, 300, 300, 0),
            (today, 3, 2, 1700, 200, 1),
        ]
        assert [(h.day, h.hour, h.awards, h.cost_fen) for h in stats.hours] == [
            (yesterday, 9, 1, 300),
            (today, 9, 2, 200),
            (today, 21, 1, 1500),
        ]
        regions = {r.region_code: (r.awards, r.cost_fen) for r in stats.regions}  # since the start
        assert regions == {"510104": (2, 1700), "510107": (1, 0), "110105": (1, 200), None: (1, 300)}

    async def test_draws_move_the_prizes_the_budget_and_todays_pacing(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, prizes=PRIZES, daily_cap_fen=100_000)
        async with system(db, slug) as ctx:
            for n in range(3):
                await campaigns.draw_prize(ctx, campaign.id, f"scan-{n}", n + 1, n + 1, rng=random.Random(n))
            stats = await campaigns.award_stats(ctx, campaign.id, "2000-01-01")
        money = (stats.spent_fen, stats.paced_today_fen, stats.budget_fen, stats.daily_cap_fen)
        assert money == (600, 600, 1_000_000, 100_000)
        assert [(p.name, p.stock, p.stock_left, p.awarded, p.spent_fen) for p in stats.prizes] == [
            ("2元红包", 5, 2, 3, 600),
            ("保温杯", 3, 3, 0, 0),
            ("5积分", None, None, 0, 0),
        ]
        assert [(d.day, d.awards, d.winners) for d in stats.days] == [(stats.today, 3, 3)]

    async def test_a_campaign_without_awards_has_zeros(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, prizes=PRIZES)
        async with system(db, slug) as ctx:
            stats = await campaigns.award_stats(ctx, campaign.id, "2000-01-01")
        assert stats.total.awards == stats.total.winners == stats.paced_today_fen == 0
        assert stats.days == stats.hours == stats.regions == []
        assert [p.awarded for p in stats.prizes] == [0, 0, 0]

    async def test_another_brands_campaign_is_not_found(self, db: Database) -> None:
        slug, other = await create_tenant(db), await create_tenant(db)
        campaign = await running_campaign(db, slug, prizes=PRIZES)
        await add_award(db, slug, campaign, 1, day=(await local_days(db, slug, 0))[0])
        async with system(db, other) as ctx:
            with pytest.raises(NotFound):
                await campaigns.award_stats(ctx, campaign.id, "2000-01-01")
