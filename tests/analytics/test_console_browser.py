"""The 渠道库存 page in a real browser against the live demo server: a dealer receives bottles
(logistics API), a consumer scans one; the finance user sees the dealer's in/consumed/stock and
goods age in the table and the chart, groups by product and region, and reads it in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page, sign_in
from tests.live import LiveServer
from yima.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
BOTTLES = 5
DEALER = "D-CD-001"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser) as fresh:
        yield fresh


def _received_and_scanned(live: LiveServer) -> None:
    """Bottles no other test uses, received by the dealer; the first scanned by a consumer."""
    urls = live.yima("codes", "sample", "--tenant", "demo", "--level", "bottle", "--count", "40").split()[-BOTTLES:]
    creds = live.client_credentials("demo", ["logistics:write", "partners:read"])
    token = httpx.post(f"{live.url}/oauth/token", data={"grant_type": "client_credentials", **creds}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    dealers = httpx.get(f"{live.url}/api/v1/partners/dealers", params={"q": DEALER}, headers=headers).json()
    [dealer] = [d for d in dealers["items"] if d["code"] == DEALER]
    receipt = {"codes": urls, "receiver": {"kind": "dealer", "id": dealer["id"]}}
    answer = httpx.post(f"{live.url}/api/v1/trace/logistics/receipts", json=receipt, headers=headers)
    assert answer.status_code == 201, answer.text
    assert httpx.get(live.url + urlparse(urls[0]).path).status_code == 200  # 开瓶扫码


def _shot(page: Page, name: str) -> None:
    page.wait_for_timeout(1500)  # the chart's bars grow in
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"analytics-{name}.png"), full_page=True)


def _choose(page: Page, test_id: str, option: str) -> None:
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_finance_reads_the_channel_inventory(live: LiveServer, page: Page) -> None:
    _received_and_scanned(live)
    console = f"{live.url}/console"
    page.goto(f"{console}/analytics/channel-inventory")
    sign_in(page, "finance", DEMO_PASSWORD)
    expect(page).to_have_url(f"{console}/analytics/channel-inventory")
    expect(page.locator(".q-drawer").get_by_text("渠道库存", exact=True)).to_be_visible()

    table = page.get_by_test_id("inventory-table")
    row = table.locator("tr", has=page.get_by_role("cell", name=DEALER, exact=True))
    expect(row).to_contain_text("成都蓉城酒业有限公司")
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    received, shipped, consumed, stock, fresh = (int(c.replace(",", "")) for c in cells[2:7])
    assert received >= BOTTLES and consumed >= 1 and stock == received - shipped - consumed
    assert fresh >= BOTTLES - 1  # received today: 0–30 days
    expect(page.get_by_test_id("total-stock")).to_be_visible()
    expect(page.get_by_test_id("inventory-chart").locator("canvas").first).to_be_visible()
    expect(page.get_by_test_id("diversion-summary").locator("table")).to_be_visible()
    _shot(page, "dealers")

    _choose(page, "inventory-group", "商品")
    expect(table.locator("thead")).to_contain_text("商品")
    expect(table.locator("tbody tr").last).to_contain_text("合计")
    _choose(page, "inventory-group", "地区")
    expect(page.get_by_test_id("inventory-level")).to_be_visible()
    expect(table).to_contain_text("成都市")
    _choose(page, "inventory-level", "省")
    expect(table).to_contain_text("四川省")
    _shot(page, "regions")

    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Channel inventory", exact=True).first).to_be_visible()
    expect(table.locator("thead")).to_contain_text(re.compile("In \\(bottles\\).*Stock"))
    _shot(page, "en")
