"""实物奖品发货 in a real browser against the live demo server: a consumer of the demo brand won a
gift and gave the address; the operator finds it among those to ship and ships it with a
tracking number; it moves to the shipped ones."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page, sign_in
from tests.campaigns.factories import running_campaign
from tests.identity.factories import system
from tests.live import LiveServer
from tests.members.factories import new_phone
from tests.scans.factories import GIFTS
from yima.campaigns import service as campaigns
from yima.campaigns.rules import ScanContext
from yima.campaigns.service import gifts
from yima.demo import DEMO_PASSWORD
from yima.platform.db.session import Database

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser) as fresh:
        yield fresh


def _a_gift_to_ship(live: LiveServer, recipient: str) -> None:
    """A demo consumer's gift with its address: drawn in a gift campaign of the demo brand, ended
    at once (no other test's scan draws in it)."""

    async def work() -> None:
        db = Database(live.env["YIMA_DATABASE_URL"])
        try:
            campaign = await running_campaign(db, "demo", name=f"实物奖品 {recipient}", prizes=GIFTS)
            person, serial = random.randrange(10**12, 10**13), random.randrange(10**12, 10**13)
            address = gifts.GiftAddress(recipient_name=recipient, phone=new_phone(), address="成都市锦江区春熙路 8 号")
            async with system(db, "demo") as ctx:
                scan = ScanContext(local_time=ctx.local(ctx.now()))
                award = await campaigns.draw_prize(ctx, campaign.id, f"gift-{serial}", person, serial, scan=scan)
                await campaigns.end_campaign(ctx, campaign.id)
                await gifts.submit_gift_address(ctx, person, award.id, address)
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:  # in a thread: Playwright's sync API holds this one's event loop
        pool.submit(asyncio.run, work()).result()


def test_the_operator_ships_a_gift(live: LiveServer, page: Page) -> None:
    _a_gift_to_ship(live, "王五收")
    page.goto(f"{live.url}/console/scans/gifts")
    sign_in(page, "operator", DEMO_PASSWORD)
    expect(page.locator(".q-drawer").get_by_text("实物奖品发货", exact=True)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="王五收")
    expect(row).to_contain_text("春熙路 8 号")
    row.locator("[data-action=ship]").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("快递公司").fill("顺丰")
    dialog.get_by_label("快递单号").fill("SF9876543210")
    dialog.get_by_role("button", name="发货", exact=True).click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_text("已发货").first).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="王五收")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_test_id("gift-state").click()
    page.get_by_role("option", name="已发货").click()
    expect(page.get_by_role("row").filter(has_text="王五收")).to_contain_text("SF9876543210")
    page.screenshot(path=str(ARTIFACTS / "scans-gifts.png"), full_page=True)
