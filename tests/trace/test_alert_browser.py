"""The diversion alert in a real browser (Debian's Chromium) on the live demo server: the demo's
Chongqing sign-fors of a 成都 dealer's goods (a pallet, and the rebates demo's case) reach the
south-west manager's bell, and a message opens the report filtered to that dealer."""

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
def page(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser) as fresh:
        yield fresh


def test_the_regional_manager_is_alerted_and_opens_the_report(live: LiveServer, page: Page) -> None:
    page.goto(f"{live.url}/console/login")
    sign_in(page, "southwest", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live.url}/console/")
    bell = page.locator("a[aria-label^='消息']")
    # The worker delivers the demo's DiversionFound shortly after the server starts.
    for _ in range(20):
        if bell.locator(".q-badge").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(bell.locator(".q-badge")).to_have_text("2")  # the trace demo's pallet, the rebates demo's case

    bell.click()
    expect(page).to_have_url(f"{live.url}/console/identity/notifications")
    row = page.locator("tbody tr").filter(has_text="窜货提醒：成都蓉城酒业有限公司 的货物出现在").first
    expect(row).to_contain_text("重庆市")
    expect(row).to_contain_text("未读")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=True)
    row.locator("[data-action=open]").click()

    expect(page).to_have_url(re.compile(r"/console/trace/diversions\?dealer=\d+&status=open$"))
    report = page.locator("tbody tr").filter(has_text="D-CD-001 成都蓉城酒业有限公司")
    expect(report.first).to_contain_text("门店签收")
    expect(page.locator("a[aria-label='消息'] .q-badge")).to_have_count(0)  # read now
