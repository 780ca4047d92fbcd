"""The catalog's console pages in a real browser against a real server: the demo products, search,
a new product (with a wrong GTIN first), packaging specs, and an Excel import refused with its
per-row report, then accepted."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page, sign_in
from tests.catalog.factories import HEADER, PNG, workbook
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


def test_products_search_create_edit_and_image(live: LiveServer, page: Page, tmp_path: Path) -> None:
    page.locator(".q-drawer").get_by_text("商品", exact=True).click()
    expect(page).to_have_url(f"{live.url}/console/catalog/products")
    expect(page.get_by_role("cell", name="CSH-1985-500")).to_be_visible()
    expect(page.get_by_text("赤水河 · 1985 纪念酒 53%vol 500ml")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalog-products.png"), full_page=True)

    page.get_by_label("搜索 SKU、名称或 GTIN").fill("金樽")
    expect(page.get_by_role("cell", name="CSH-1985-500")).to_have_count(0)
    expect(page.get_by_role("cell", name="CSH-JZ-500", exact=True)).to_be_visible()
    page.get_by_label("搜索 SKU、名称或 GTIN").fill("")

    # A wrong check digit is named on the form, and nothing is created.
    sku = f"CSH-T{uuid.uuid4().hex[:5].upper()}"
    page.get_by_role("button", name="新建商品").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("SKU").fill(sku)
    dialog.get_by_label("名称").fill("赤水河 · 品鉴装 53%vol 100ml")
    dialog.get_by_label("GTIN").fill("6975123009993")
    dialog.get_by_role("button", name="创建").click()
    expect(page.get_by_text("GTIN: GTIN 校验位错误")).to_be_visible()
    page.wait_for_timeout(500)  # the notification's fade-in
    page.screenshot(path=str(ARTIFACTS / "catalog-product-gtin-error.png"))
    dialog.get_by_label("GTIN").fill("6975123009992")
    dialog.get_by_role("button", name="创建").click()
    expect(page.locator(".q-dialog")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text=sku)
    expect(row).to_contain_text("06975123009992")

    row.locator("[data-action=edit]").click()
    page.locator(".q-dialog").get_by_label("分类").fill("品鉴酒")
    page.locator(".q-dialog").get_by_role("button", name="保存").click()
    expect(page.get_by_role("row").filter(has_text=sku)).to_contain_text("品鉴酒")

    # An image uploaded in the dialog shows in the list, served through the API with the cookie.
    image = tmp_path / "bottle.png"
    image.write_bytes(PNG)
    row.locator("[data-action=image]").click()
    page.locator(".q-dialog input[type=file]").set_input_files(str(image))
    expect(page.locator(".q-dialog")).to_have_count(0)
    thumbnail = page.get_by_role("row").filter(has_text=sku).locator("img")
    expect(thumbnail).to_have_attribute("src", re.compile(r"^/api/v1/catalog/products/\d+/image"))
    assert page.evaluate("src => fetch(src).then(r => r.status)", thumbnail.get_attribute("src")) == 200


def test_packaging_specs_show_the_faces_of_each_level(live: LiveServer, page: Page) -> None:
    page.goto(f"{live.url}/console/catalog/specs")
    row = page.get_by_role("row").filter(has_text="GP-12x500")
    expect(row).to_contain_text("12 瓶/箱 · 50 箱/托")
    expect(row).to_contain_text("内码")
    page.screenshot(path=str(ARTIFACTS / "catalog-specs.png"), full_page=True)


def test_an_import_with_problems_shows_each_by_row_then_a_good_one_imports(
    live: LiveServer, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{live.url}/console/catalog/import")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        workbook(
            [
                ["IMP-1", "导入一", "6975123001018", "", "", "JX-6x500"],
                ["IMP-1", "", "", "", "", "NOPE"],
            ],
            header=HEADER,
        )
    )
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_text("发现 4 处问题，未导入任何数据")).to_be_visible()
    problems = page.locator(".q-table").last
    expect(problems.get_by_role("row")).to_have_count(5)  # the header and four problems
    expect(problems.get_by_role("row").nth(1)).to_contain_text("GTIN 校验位错误")
    expect(problems).to_contain_text("包装规格不存在")
    page.screenshot(path=str(ARTIFACTS / "catalog-import-errors.png"), full_page=True)

    good = tmp_path / "good.xlsx"
    sku = f"IMP-{uuid.uuid4().hex[:6].upper()}"
    good.write_bytes(workbook([[sku, "导入一", "", "500ml", "导入测试", "JX-6x500"]]))
    page.locator("input[type=file]").set_input_files(str(good))
    expect(page.get_by_text("已导入 1 行，新建 1")).to_be_visible()
    expect(page.locator(".q-table")).to_be_hidden()  # no problem table when all is well
    page.goto(f"{live.url}/console/catalog/products")
    expect(page.get_by_role("cell", name=sku)).to_be_visible()
