"""The logistics phone pages in a real browser (Debian's Chromium) against the live demo server:
sign in, scan pallets into a warehouse with a handheld scanner's Enter, then ship them."""

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
    with fresh_page(browser, width=390, height=844, is_mobile=True, has_touch=True) as fresh:
        yield fresh


def _scan(page: Page, code: str) -> None:
    page.fill("#f-scan", code)
    page.press("#f-scan", "Enter")


def test_warehouse_staff_scan_pallets_in_and_ship_them(live: LiveServer, page: Page) -> None:
    out = live.yima("codes", "sample", "--tenant", "demo", "--level", "pallet", "--face", "outer", "--count", "6")
    pallets = out.split()[4:6]  # two the other tests leave alone

    page.goto(f"{live.url}/m/trace/warehouse-in")
    expect(page.get_by_role("heading", name="请先登录")).to_be_visible()
    page.get_by_role("link", name="员工登录").click()
    expect(page).to_have_url(re.compile(r"/console/login"))
    sign_in(page, "operator", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/m/trace/warehouse-in$"))  # signing in leads back to the page
    expect(page.get_by_role("heading", name="入库")).to_be_visible()

    page.goto(f"{live.url}/m/trace")
    page.get_by_role("link", name=re.compile("^入库")).click()
    expect(page.get_by_role("heading", name="入库")).to_be_visible()
    expect(page.locator("#f-codes")).to_be_hidden()  # the script replaced the textarea by the scan list
    page.select_option("#f-warehouse", label="WH-RH-C01 仁怀中心仓")
    for code in [*pallets, pallets[0], "NOTACODE"]:
        _scan(page, code)
    expect(page.locator("[data-scan-note]")).to_have_text("已加入：NOTACODE")
    summary = page.locator("[data-scan-summary]")
    expect(summary).to_have_text("共 3 个码：托 2，其中 1 个有问题")
    expect(page.locator("[data-code=NOTACODE] .error")).to_contain_text("无法识别")
    page.get_by_role("button", name="移除 NOTACODE").click()
    expect(summary).to_have_text("共 2 个码：托 2")

    page.reload()  # the list survives a reload (sessionStorage) until it is recorded
    expect(summary).to_have_text("共 2 个码：托 2")
    page.select_option("#f-warehouse", label="WH-RH-C01 仁怀中心仓")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trace-warehouse-in.png"), full_page=True)
    page.get_by_role("button", name="提交入库").click()
    expect(page.get_by_role("heading", name="入库已记录")).to_be_visible()
    expect(page.get_by_text("共 2 个码，所含下级随之记录")).to_be_visible()

    page.goto(f"{live.url}/m/trace/ship")
    expect(summary).to_have_text("清单为空")  # the recorded list was forgotten
    page.select_option("#f-source", label="WH-RH-C01 仁怀中心仓")
    page.select_option("#f-destination", label="D-CD-001 成都蓉城酒业有限公司")
    for code in pallets:
        _scan(page, code)
    expect(summary).to_have_text("共 2 个码：托 2")
    page.get_by_role("button", name="提交出库发货").click()
    expect(page.get_by_role("heading", name="出库发货已记录")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "trace-shipped.png"), full_page=True)
