"""活动实时看板 in a real browser against the live demo server: the marketing staff open the demo
campaign's dashboard from its page, see its KPIs, charts and prizes with real numbers, watch the
numbers move when new scans win (no reload), drill into a province and read it in English."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser import ARTIFACTS, fresh_page, sign_in
from tests.identity.factories import system
from tests.live import LiveServer
from tests.scans.factories import add_campaign_scan
from yima.analytics.console.campaigns import REFRESH_SECONDS
from yima.campaigns import service as campaigns
from yima.campaigns.demo import NAME
from yima.campaigns.rules import ScanContext
from yima.campaigns.schemas import CampaignCreate, CampaignFilter, PrizeIn
from yima.demo import DEMO_PASSWORD
from yima.platform.db.session import Database

pytestmark = pytest.mark.browser
T = TypeVar("T")
REGION = "510104"  # 成都市锦江区


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser) as fresh:
        yield fresh


def in_live_database(live: LiveServer, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` on the live server's database (in a thread: Playwright's sync API holds this
    one's event loop)."""

    async def run() -> T:
        db = Database(live.env["YIMA_DATABASE_URL"])
        try:
            return await work(db)
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


async def demo_campaign(db: Database) -> int:
    async with system(db, "demo") as ctx:
        [found] = await campaigns.list_campaigns(ctx, CampaignFilter(q=NAME), 10, None)
    return found.id


def winning_scans(live: LiveServer, campaign_id: int, count: int) -> None:
    """``count`` consumers in Chengdu scan codes of their own and win (the draw itself, and the
    scan records the scan flow writes beside it)."""

    async def work(db: Database) -> None:
        for _ in range(count):
            person, serial = random.randrange(10**12, 10**13), random.randrange(10**12, 10**13)
            async with system(db, "demo") as ctx:
                now = ctx.local(ctx.now())
                scan = ScanContext(local_time=now, region_code=REGION)
                await campaigns.draw_prize(ctx, campaign_id, f"dash-{serial}", person, serial, scan=scan)
            day, hour = now.date().isoformat(), now.hour
            await add_campaign_scan(db, "demo", campaign_id, day=day, hour=hour, person_id=person, region_code=REGION)

    in_live_database(live, work)


def number(locator: Locator) -> int:
    return int(locator.inner_text().replace(",", ""))


def _shot(page: Page, name: str) -> None:
    page.wait_for_timeout(1000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"campaign-dashboard-{name}.png"), full_page=True)


def test_marketing_watches_the_campaign_live(live: LiveServer, page: Page) -> None:
    campaign_id = in_live_database(live, demo_campaign)
    winning_scans(live, campaign_id, 2)
    console = f"{live.url}/console"
    page.goto(f"{console}/campaigns/builder?id={campaign_id}")
    sign_in(page, "operator", DEMO_PASSWORD)
    page.get_by_test_id("campaign-dashboard").click()  # 看板, from the campaign's page
    expect(page).to_have_url(f"{console}/analytics/campaigns?id={campaign_id}")
    expect(page.locator(".q-drawer").get_by_text("活动看板", exact=True)).to_be_visible()

    awards, scans = page.get_by_test_id("kpi-awards-value"), page.get_by_test_id("kpi-scans-value")
    expect(awards).to_have_text(re.compile(r"^[\d,]+$"))
    before_awards, before_scans = number(awards), number(scans)
    assert before_awards >= 2 and before_scans >= 2
    expect(page.get_by_test_id("kpi-spent")).to_contain_text("预算 20,000.00")
    expect(page.get_by_test_id("dashboard-budget").locator("svg")).to_contain_text("预算已用")
    expect(page.get_by_test_id("dashboard-hourly").locator("svg")).to_contain_text("今日扫码")
    expect(page.get_by_test_id("dashboard-daily").locator("svg")).to_contain_text("中奖")
    regions = page.get_by_test_id("dashboard-regions").locator("svg")
    expect(regions).to_contain_text("四川省")
    expect(page.get_by_test_id("dashboard-prizes")).to_contain_text("88元大红包")
    _shot(page, "zh")

    page.evaluate("window.__stillHere = true")  # gone if the page were reloaded
    winning_scans(live, campaign_id, 3)
    wait = (REFRESH_SECONDS + 10) * 1000
    expect(awards).to_have_text(f"{before_awards + 3:,}", timeout=wait)
    expect(scans).to_have_text(f"{before_scans + 3:,}", timeout=wait)
    assert page.evaluate("window.__stillHere") is True

    page.get_by_test_id("dashboard-region").click()
    page.get_by_role("option", name="四川省", exact=True).click()
    expect(regions).to_contain_text("成都市")
    expect(page.get_by_text("地区分布 · 四川省")).to_be_visible()
    _shot(page, "sichuan")

    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Campaign dashboard", exact=True).first).to_be_visible()
    expect(page.get_by_test_id("kpi-winners")).to_contain_text("Winners")
    expect(page.get_by_test_id("dashboard-hourly").locator("svg")).to_contain_text("Scans today")
    _shot(page, "en")


def test_a_campaign_without_scans_shows_zeros(live: LiveServer, page: Page) -> None:
    """A draft with nothing drawn yet: every figure is zero and the charts still draw."""
    starts = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    prize = PrizeIn(name="10积分", kind="points", points=10, fallback=True)
    draft = CampaignCreate(name="下月活动（看板测试）", budget_fen=10_000, starts_at=starts, prizes=[prize])

    async def create(db: Database) -> int:
        async with system(db, "demo") as ctx:
            return (await campaigns.create_campaign(ctx, draft)).id

    campaign_id = in_live_database(live, create)
    page.goto(f"{live.url}/console/analytics/campaigns?id={campaign_id}")
    sign_in(page, "finance", DEMO_PASSWORD)
    expect(page.get_by_test_id("kpi-scans-value")).to_have_text("0")
    expect(page.get_by_test_id("kpi-win-rate-value")).to_have_text("—")
    expect(page.get_by_test_id("dashboard-cap")).to_contain_text("无每日上限")
    expect(page.get_by_test_id("dashboard-hourly").locator("svg")).to_contain_text("今日扫码")
