"""The 会员 console pages in a real browser against a real server: the demo members listed with
masked phones, a member opened, their tags changed; the SMS log opens."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page, sign_in
from tests.live import LiveServer
from yima.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser, live: LiveServer) -> Iterator[Page]:
    with fresh_page(browser) as page:
        page.goto(f"{live.url}/console/login")
        sign_in(page, "operator", DEMO_PASSWORD)
        expect(page).to_have_url(f"{live.url}/console/")
        yield page


def test_members_are_listed_masked_and_tagged(live: LiveServer, page: Page) -> None:
    page.locator(".q-drawer").get_by_text("会员列表", exact=True).click()
    expect(page).to_have_url(f"{live.url}/console/members/persons")
    expect(page.get_by_role("row").nth(1)).to_be_visible()  # the demo's consumers come first (newest)
    page.get_by_label("标签").fill("团购")
    row = page.get_by_role("row").filter(has_text="137****1005")
    expect(row).to_contain_text("VIP4")
    expect(row).to_contain_text("团购")
    expect(page.get_by_text("13700001005")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "members-persons.png"), full_page=True)

    page.get_by_label("标签").fill("宴席客户")
    expect(page.get_by_role("row").filter(has_text="137****1002")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="137****1005")).to_have_count(0)
    page.get_by_role("row").filter(has_text="137****1002").locator("[data-action=open]").click()
    expect(page).to_have_url(re.compile(r".*/console/members/person\?id=\d+$"))
    expect(page.get_by_role("row").filter(has_text="+8613700001002")).to_be_visible()
    tags = page.get_by_test_id("member-tags")  # Quasar puts it on the select's input
    tags.fill("品鉴会")
    tags.press("Enter")
    tags.press("Escape")  # close the options menu
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "members-person.png"), full_page=True)
    page.reload()
    expect(page.get_by_text("品鉴会")).to_be_visible()


def test_the_sms_log_opens(live: LiveServer, page: Page) -> None:
    page.goto(f"{live.url}/console/members/sms")
    expect(page.get_by_text("验证码短信的发送结果（不含验证码本身）")).to_be_visible()
