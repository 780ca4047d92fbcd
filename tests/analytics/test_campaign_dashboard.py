"""活动实时看板: campaign_dashboard merges the campaign's awards and the scans that took part,
through the service and over HTTP (permission, tenant isolation, bad regions)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from tests.campaigns.factories import add_award, local_days, running_campaign
from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.scans.factories import add_campaign_scan
from yima.analytics import service as analytics
from yima.analytics.console import campaigns as console
from yima.analytics.service.campaigns import day_window, first_shown
from yima.campaigns import service as campaigns
from yima.campaigns.schemas import CampaignRead
from yima.platform.console import nav
from yima.platform.console.page import registered_pages
from yima.platform.ctx import Actor, Ctx
from yima.platform.db.session import Database
from yima.platform.errors import Forbidden, Invalid

PRIZES = [
    {"name": "1元红包", "kind": "cash", "amount_fen": 100, "weight": 1000, "stock": 50},
    {"name": "5积分", "kind": "points", "points": 5, "fallback": True, "weight": 0},
]
CASH, POINTS = 0, 1


async def started_days_ago(db: Database, slug: str, days: int, **overrides: Any) -> CampaignRead:
    starts = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    return await running_campaign(db, slug, prizes=PRIZES, starts_at=starts, **overrides)


async def seeded(db: Database) -> tuple[str, CampaignRead, list[str]]:
    """A campaign three days old: scans and awards today, yesterday and before it began."""
    slug = await create_tenant(db)
    campaign = await started_days_ago(db, slug, 3)
    days = today, yesterday, before = await local_days(db, slug, 0, 1, 30)
    scans: list[dict[str, Any]] = [
        {"day": today, "hour": 9, "person_id": 1, "region_code": "510104"},
        {"day": today, "hour": 9, "person_id": 2, "region_code": "510107"},
        {"day": today, "hour": 10, "person_id": 2, "outcome": "held", "risk_decision": "review",
         "review_state": "pending"},
        {"day": yesterday, "hour": 9, "person_id": 3, "region_code": "513401"},
        {"day": yesterday, "hour": 23, "person_id": 4, "region_code": "110105", "outcome": "rejected",
         "risk_decision": "reject"},
        {"day": before, "person_id": 5, "region_code": "510104"},
    ]  # fmt: skip
    for values in scans:
        await add_campaign_scan(db, slug, campaign.id, **values)
    await add_award(db, slug, campaign, 1, day=today, hour=9, region_code="510104", prize=CASH)
    await add_award(db, slug, campaign, 2, day=today, hour=9, region_code="510107", prize=POINTS)
    await add_award(db, slug, campaign, 3, day=yesterday, hour=9, region_code="513401", prize=CASH)
    await add_award(db, slug, campaign, 5, day=before, region_code="510104", prize=CASH)
    return slug, campaign, days


class TestCampaignDashboard:
    async def test_kpis_hours_days_regions_and_prizes_merge_scans_and_awards(self, db: Database) -> None:
        slug, campaign, (today, _, _) = await seeded(db)
        async with system(db, slug) as ctx:
            dash = await analytics.campaign_dashboard(ctx, campaign.id)

        assert (dash.campaign_id, dash.name, dash.state, dash.today) == (campaign.id, campaign.name, "running", today)
        k = dash.kpis
        assert (k.scans, k.scanners, k.awards, k.winners, k.fallback_awards, k.win_rate) == (6, 5, 4, 4, 1, 0.6667)
        assert (k.cash_fen, k.budget_fen, k.daily_cap_fen) == (300, 1_000_000, None)
        assert (k.today_scans, k.today_awards, k.today_winners) == (3, 2, 2)
        assert (k.held_for_review, k.review_rejected, k.risk_rejected) == (1, 0, 1)
        assert dash.outcomes == {"awarded": 4, "held": 1, "rejected": 1}

        assert [h.hour for h in dash.hours] == list(range(24))
        hours = {h.hour: (h.scans, h.awards, h.prev_scans, h.prev_awards) for h in dash.hours}
        assert {hour: n for hour, n in hours.items() if any(n)} == {9: (2, 2, 1, 1), 10: (1, 0, 0, 0), 23: (0, 0, 1, 0)}
        assert dash.hours[9].spent_fen == 100

        # The daily window starts the day the campaign began (three days ago), not before.
        assert [d.day for d in dash.days] == (await local_days(db, slug, 3, 2, 1, 0))
        assert [(d.scans, d.scanners, d.awards, d.winners, d.spent_fen, d.held, d.rejected) for d in dash.days] == [
            (0, 0, 0, 0, 0, 0, 0),
            (0, 0, 0, 0, 0, 0, 0),
            (2, 2, 1, 1, 100, 0, 1),
            (3, 2, 2, 2, 100, 1, 0),
        ]

        # Provinces from the district codes, most scans first; the not-located last.
        assert dash.region is None
        assert [(r.code, r.name, r.scans, r.awards, r.spent_fen) for r in dash.regions] == [
            ("510000", "四川省", 4, 4, 300),
            ("110000", "北京市", 1, 0, 0),
            (None, None, 1, 0, 0),
        ]
        assert [(p.name, p.stock, p.stock_left) for p in dash.prizes] == [("1元红包", 50, 50), ("5积分", None, None)]

    async def test_a_picked_province_shows_its_cities(self, db: Database) -> None:
        slug, campaign, _ = await seeded(db)
        async with system(db, slug) as ctx:
            dash = await analytics.campaign_dashboard(ctx, campaign.id, region="510000")
        assert (dash.region, dash.region_name) == ("510000", "四川省")
        assert [(r.code, r.name, r.scans, r.awards) for r in dash.regions] == [
            ("510100", "成都市", 3, 3),
            ("513400", "凉山彝族自治州", 1, 1),
        ]
        assert dash.kpis.scans == 6  # the KPIs stay the whole campaign's

    @pytest.mark.parametrize("region", ["510100", "990000"])
    async def test_a_region_that_is_not_a_province_is_refused(self, db: Database, region: str) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, prizes=PRIZES)
        async with system(db, slug) as ctx:
            with pytest.raises(Invalid) as refused:
                await analytics.campaign_dashboard(ctx, campaign.id, region=region)
        assert [d.code for d in refused.value.details] == ["not_a_province"]

    async def test_draws_show_as_spend_against_the_budget_and_todays_cap(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, prizes=PRIZES, budget_fen=1_000, daily_cap_fen=500)
        async with system(db, slug) as ctx:
            for n in range(3):
                await campaigns.draw_prize(ctx, campaign.id, f"s{n}", n + 1, n + 1, rng=random.Random(n))
            dash = await analytics.campaign_dashboard(ctx, campaign.id)
            hour = ctx.local(ctx.now()).hour
        k = dash.kpis
        assert (k.awards, k.spent_fen, k.budget_used, k.today_spent_fen, k.daily_cap_fen) == (3, 300, 0.3, 300, 500)
        assert (k.today_awards, k.today_winners, k.scans, k.win_rate) == (3, 3, 0, None)
        assert dash.hours[hour].awards == 3 or dash.hours[(hour + 1) % 24].awards == 3  # the clock may turn
        assert [d.day for d in dash.days] == [dash.today]  # published today
        assert [(p.stock_left, p.awarded, p.spent_fen) for p in dash.prizes] == [(47, 3, 300), (None, 0, 0)]

    async def test_staff_without_campaigns_read_are_refused(self, db: Database) -> None:
        slug = await create_tenant(db)
        campaign = await running_campaign(db, slug, prizes=PRIZES)
        analyst = Actor(kind="staff", name="analyst", permissions=frozenset({"analytics:read", "scans:read"}))
        async with system(db, slug) as ctx:
            with pytest.raises(Forbidden):
                await analytics.campaign_dashboard(replace(ctx, actor=analyst), campaign.id)


class TestDayWindow:
    def test_an_ended_campaign_shows_its_last_fourteen_days(self) -> None:
        ctx = Ctx(session=None)  # type: ignore[arg-type]
        now = ctx.now()
        campaign = CampaignRead.model_construct(
            starts_at=now - dt.timedelta(days=60), ends_at=None, ended_at=now - dt.timedelta(days=30), published_at=now
        )
        first, last = day_window(ctx, campaign)
        end = ctx.local(now - dt.timedelta(days=30)).date()
        assert (first, last) == ((end - dt.timedelta(days=13)).isoformat(), end.isoformat())

    def test_a_campaign_past_its_end_shows_up_to_its_end(self) -> None:
        ctx = Ctx(session=None)  # type: ignore[arg-type]
        ends = ctx.now() - dt.timedelta(days=2)
        campaign = CampaignRead.model_construct(starts_at=None, ends_at=ends, ended_at=None, published_at=None)
        end = ctx.local(ends).date()
        assert day_window(ctx, campaign) == ((end - dt.timedelta(days=13)).isoformat(), end.isoformat())

    def test_the_chart_starts_when_the_campaign_began_or_had_figures(self) -> None:
        first = "2026-03-01"
        assert first_shown(first, None, []) == first
        assert first_shown(first, "2026-03-10", []) == "2026-03-10"
        assert first_shown(first, "2026-03-10", ["2026-02-20", "2026-03-08", "2026-03-12"]) == "2026-03-08"
        assert first_shown(first, "2026-02-01", ["2026-03-05"]) == first


class TestConsolePage:
    def test_the_page_is_in_the_analytics_area_for_campaign_readers(self) -> None:
        [spec] = [s for s in registered_pages() if s.nav.path == console.PATH]
        assert spec.nav.area == nav.ANALYTICS and spec.nav.permission == "campaigns:read"

    async def test_the_charts_show_the_figures(self, db: Database) -> None:
        slug, campaign, _ = await seeded(db)
        async with system(db, slug) as ctx:
            dash = await analytics.campaign_dashboard(ctx, campaign.id)
        page: Any = SimpleNamespace(t=lambda zh, en: en, text=lambda text: text.en)
        hourly = console.hourly_options(page, dash)
        assert hourly["xAxis"]["data"] == [str(h) for h in range(24)]
        names = [s["name"] for s in hourly["series"]]
        assert names == ["Scans today", "Awards today", "Scans yesterday", "Awards yesterday", "Spent today (yuan)"]
        assert hourly["series"][4]["data"] == [h.spent_fen / 100 for h in dash.hours]
        assert hourly["series"][0]["data"][9] == {"value": 2, "label": {"show": True, "position": "top"}}
        regions = console.region_options(page, dash)  # the most scans on top: last on a category axis
        assert regions["yAxis"]["data"] == ["Not located", "北京市", "四川省"]
        assert [s["data"] for s in regions["series"][:2]] == [[1, 1, 4], [0, 0, 4]]
        assert regions["series"][2]["data"] == [r.spent_fen / 100 for r in reversed(dash.regions)]
        assert console.budget_options(page, dash)["series"][0]["data"][0]["value"] == 0
        assert [r["left"] for r in console.prize_rows(page, dash)] == ["50", "unlimited"]


DASHBOARD = "/api/v1/analytics/campaigns/{}/dashboard"


class TestApi:
    async def test_the_dashboard_over_http(self, db: Database, client: httpx.AsyncClient) -> None:
        slug, campaign, (today, _, _) = await seeded(db)
        headers = await bearer(client, await create_client(db, slug, ["campaigns:read"]))
        found = await client.get(DASHBOARD.format(campaign.id), headers=headers)
        assert found.status_code == 200, found.text
        body = found.json()
        assert (body["today"], body["kpis"]["scans"], body["kpis"]["awards"]) == (today, 6, 4)
        assert [r["code"] for r in body["regions"]] == ["510000", "110000", None]
        cities = await client.get(DASHBOARD.format(campaign.id), params={"region": "510000"}, headers=headers)
        assert [r["name"] for r in cities.json()["regions"]] == ["成都市", "凉山彝族自治州"]

    async def test_permission_other_brands_and_bad_regions(self, db: Database, client: httpx.AsyncClient) -> None:
        slug, campaign, _ = await seeded(db)
        url = DASHBOARD.format(campaign.id)
        assert (await client.get(url)).status_code == 401
        analysts = await bearer(client, await create_client(db, slug, ["analytics:read"]))
        refused = await client.get(url, headers=analysts)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
        other = await bearer(client, await create_client(db, await create_tenant(db), ["campaigns:read"]))
        assert (await client.get(url, headers=other)).status_code == 404
        ours = await bearer(client, await create_client(db, slug, ["campaigns:read"]))
        for region, code in (("51", "string_pattern_mismatch"), ("510100", "not_a_province")):
            bad = await client.get(url, params={"region": region}, headers=ours)
            assert bad.status_code == 422 and bad.json()["error"]["details"][0]["code"] == code, bad.text
