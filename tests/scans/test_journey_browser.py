"""Issue 5's acceptance in a real browser (Debian's Chromium) on the live demo server: a consumer
scans a demo bottle, draws, claims the red packet with a phone number and the SMS code (read from
the development sink's log line), withdraws it through the sandbox provider; then the brand's
operator sees the scan on the campaign's live dashboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page, sign_in
from tests.live import LiveServer
from tests.members.factories import new_phone
from yima.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
PHONE_VIEW = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser, **PHONE_VIEW, is_mobile=True, has_touch=True) as fresh:
        yield fresh


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser) as fresh:
        yield fresh


def _cash_draw(live: LiveServer, page: Page) -> None:
    """Open demo bottles the demo's own scans left alone until one offers the draw and pays cash."""
    urls = live.yima("codes", "sample", "--tenant", "demo", "--level", "bottle", "--face", "inner", "--count", "400")
    for url in urls.split()[300:]:
        page.goto(live.url + urlsplit(url).path)
        expect(page.get_by_role("heading", name="正品验证通过")).to_be_visible()
        if not page.get_by_role("button", name="立即抽奖").count():
            continue  # another product's bottle: no campaign runs on it
        page.get_by_role("button", name="立即抽奖").click()
        if page.locator("[data-claim]").count():
            return
    raise AssertionError("no demo bottle drew a cash prize")


def test_a_consumer_scans_wins_claims_and_withdraws(live: LiveServer, phone: Page, desk: Page) -> None:
    _cash_draw(live, phone)
    expect(phone.get_by_role("heading", name="恭喜中奖")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "scan-won.png"), full_page=True)
    won = int(phone.locator(".amount-lg").inner_text().replace("¥", "").replace(",", "").replace(".", ""))

    phone.get_by_role("link", name="领取红包").click()
    expect(phone.locator("[data-balance]")).to_have_attribute("data-balance", str(won))
    number = new_phone()
    phone.get_by_label("手机号").fill(number)
    phone.get_by_role("button", name="获取验证码").click()
    phone.get_by_label("短信验证码").fill(live.sms_code(number))
    phone.get_by_role("button", name="验证并领取").click()
    expect(phone.get_by_text("奖励已领取")).to_be_visible()

    phone.get_by_role("button", name="提现").click()
    expect(phone.get_by_text("提现申请已提交")).to_be_visible()
    expect(phone.locator("[data-balance]")).to_have_attribute("data-balance", "0")
    payouts = phone.locator("[data-payouts] li")
    expect(payouts.first).to_contain_text(re.compile("处理中|已到账"))
    for _ in range(20):  # the sandbox provider pays within a few seconds of the job running
        if "已到账" in payouts.first.inner_text():
            break
        phone.wait_for_timeout(500)
        phone.reload()
    expect(payouts.first).to_contain_text("已到账")
    phone.screenshot(path=str(ARTIFACTS / "scan-withdrawn.png"), full_page=True)

    desk.goto(f"{live.url}/console/login")
    sign_in(desk, "operator", DEMO_PASSWORD)
    desk.goto(f"{live.url}/console/analytics/campaigns")
    expect(desk.get_by_test_id("kpi-scans-value")).not_to_have_text("—")
    scans = int(desk.get_by_test_id("kpi-scans-value").inner_text().replace(",", ""))
    assert scans > 100  # the demo's day and a half, and this journey
    desk.screenshot(path=str(ARTIFACTS / "campaign-dashboard.png"), full_page=True)
