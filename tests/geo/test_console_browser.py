"""The regions page in a real browser: cascade to a district, locate a point, parse an address,
search by name, in both languages; a read-only role may use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import fresh_page, sign_in
from tests.live import LiveServer
from yima.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser, height=1000) as fresh:
        yield fresh


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_an_auditor_browses_locates_parses_and_searches(live: LiveServer, page: Page) -> None:
    page.goto(f"{live.url}/console/login")
    sign_in(page, "auditor", DEMO_PASSWORD)
    page.wait_for_url(f"{live.url}/console/")
    page.get_by_role("link", name="行政区划").click()
    expect(page.get_by_text("国家标准 GB/T 2260")).to_be_visible()

    choose(page, "省份", "浙江省")
    choose(page, "城市", "杭州市")
    choose(page, "区县", "西湖区")
    expect(page.get_by_text("浙江省 杭州市 西湖区", exact=True)).to_be_visible()
    expect(page.get_by_text("330106", exact=True)).to_be_visible()

    choose(page, "省份", "北京市")  # one city-level entry (市辖区): chosen for the person
    expect(page.get_by_label("城市")).to_have_value("市辖区")
    expect(page.get_by_text("北京市 市辖区", exact=True)).to_be_visible()

    page.get_by_role("button", name="定位").click()
    expect(page.get_by_text("330106 浙江省 杭州市 西湖区 · 距中心点")).to_be_visible()
    page.get_by_role("button", name="解析").click()
    expect(page.get_by_text("详细地址: 文三路 90 号 · 置信度 1.0")).to_be_visible()

    page.get_by_label("按名称搜索，如 西湖").fill("西湖")
    expect(page.get_by_role("cell", name="江西省 南昌市 西湖区")).to_be_visible()

    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Locate: the district nearest a point (by centroid)")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Centroid")).to_be_visible()
