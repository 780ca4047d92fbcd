"""The partners' console pages in a real browser against a real server: the demo dealers, a
dealer's territory edited with the region picker, the stores, and an import refused row by row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page, sign_in
from tests.live import LiveServer
from tests.partners.factories import workbook
from yima.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser, live: LiveServer) -> Iterator[Page]:
    with fresh_page(browser) as page:
        page.goto(f"{live.url}/console/login")
        sign_in(page, "operator", DEMO_PASSWORD)
        expect(page).to_have_url(f"{live.url}/console/")
        yield page


def test_dealers_and_a_territory_edited_with_the_picker(live: LiveServer, page: Page) -> None:
    page.locator(".q-drawer").get_by_text("经销商", exact=True).click()
    expect(page).to_have_url(f"{live.url}/console/partners/dealers")
    row = page.get_by_role("row").filter(has_text="D-GZ-001")
    expect(row).to_contain_text("广东省 广州市")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "partners-dealers.png"), full_page=True)

    row.locator("[data-action=open]").click()
    expect(page).to_have_url(f"{live.url}/console/partners/dealer?id=5")
    expect(page.get_by_text("广州羊城佳酿商贸有限公司")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="S-GZ-0001")).to_be_visible()
    page.locator("[data-testid=region-province], .q-select").first.click()
    page.get_by_role("option", name="广东省").click()
    page.locator(".q-select").nth(1).click()
    page.get_by_role("option", name="佛山市").click()
    page.get_by_role("button", name="添加区域").click()
    expect(page.get_by_text("广东省 佛山市 · 440600")).to_be_visible()
    page.get_by_role("button", name="保存经营区域").click()
    expect(page.get_by_text("经营区域已保存")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "partners-dealer.png"), full_page=True)
    page.reload()
    expect(page.get_by_text("广东省 佛山市 · 440600")).to_be_visible()


def test_stores_are_listed_with_their_dealers(live: LiveServer, page: Page) -> None:
    page.goto(f"{live.url}/console/partners/stores")
    row = page.get_by_role("row").filter(has_text="S-CD-0001")
    expect(row).to_contain_text("D-CD-001 · 成都蓉城酒业有限公司")
    expect(row).to_contain_text("四川省 成都市 锦江区")
    page.get_by_label("搜索编码、名称、店主或地址").fill("陆家嘴")
    expect(page.get_by_role("row").filter(has_text="S-CD-0001")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="S-SH-0002")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "partners-stores.png"), full_page=True)


def test_an_import_with_problems_shows_each_by_row(live: LiveServer, page: Page, tmp_path: Path) -> None:
    page.goto(f"{live.url}/console/partners/import?kind=stores")
    bad = tmp_path / "stores.xlsx"
    bad.write_bytes(
        workbook("stores", [["S-X1", "新店", "D-NONE"], ["S-X1", "", "D-CD-001", None, None, None, "朝阳区"]])
    )
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_text("发现 4 处问题，未导入任何数据")).to_be_visible()
    problems = page.locator(".q-table").last
    expect(problems.get_by_role("row")).to_have_count(5)  # the header and four problems
    expect(problems).to_contain_text("经销商不存在")
    expect(problems).to_contain_text("有多个同名区域")
    page.screenshot(path=str(ARTIFACTS / "partners-import-errors.png"), full_page=True)


def test_a_new_store_gets_its_region_from_the_address(live: LiveServer, page: Page) -> None:
    page.goto(f"{live.url}/console/partners/stores")
    page.get_by_role("button", name="新建门店").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("编码（如 S-CD-0001）").fill("S-CD-9001")
    dialog.get_by_label("名称", exact=True).fill("太古里精品酒行")
    dialog.get_by_label("经销商", exact=True).click()
    page.get_by_role("option", name="D-CD-001 · 成都蓉城酒业有限公司").click()
    dialog.get_by_label("地址", exact=True).fill("成都市锦江区中纱帽街 8 号")
    dialog.get_by_label("纬度", exact=True).fill("30.655")
    dialog.get_by_label("经度", exact=True).fill("104.08")
    dialog.get_by_label("区域代码（可留空，按地址或经纬度自动识别）").fill("5101")
    dialog.get_by_role("button", name="创建").click()
    expect(page.get_by_text("区域代码: 格式不正确")).to_be_visible()
    dialog.get_by_label("区域代码（可留空，按地址或经纬度自动识别）").fill("")
    dialog.get_by_role("button", name="创建").click()
    expect(page.locator(".q-dialog")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="S-CD-9001")
    expect(row).to_contain_text("四川省 成都市 锦江区")

    row.locator("[data-action=edit]").click()
    page.locator(".q-dialog").get_by_label("地址", exact=True).fill("重庆市渝中区邹容路 1 号")
    page.locator(".q-dialog").get_by_role("button", name="保存").click()
    row = page.get_by_role("row").filter(has_text="S-CD-9001")
    expect(row).to_contain_text("重庆市 渝中区")
    expect(row).to_contain_text("区域外")  # outside its dealer's territory


def test_warehouses_and_their_locations(live: LiveServer, page: Page) -> None:
    page.goto(f"{live.url}/console/partners/warehouses")
    row = page.get_by_role("row").filter(has_text="WH-RH-C01")
    expect(row).to_contain_text("中心仓")
    expect(row).to_contain_text("贵州省 遵义市 仁怀市")
    row.locator("[data-action=locations]").click()
    dialog = page.locator(".q-dialog")
    expect(dialog.get_by_role("row").filter(has_text="A-01")).to_be_visible()
    dialog.get_by_label("编码（如 A-01）").fill("C-09")
    dialog.get_by_label("名称", exact=True).fill("C 区 · 退货")
    dialog.get_by_role("button", name="添加库位").click()
    expect(dialog.get_by_role("row").filter(has_text="C-09")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "partners-warehouse-locations.png"), full_page=True)
