"""The codes pages in a real browser against a real server: an operator adds a supplier, generates
100,000 bottle codes (the key shown once, the job followed to 100%), exports and downloads the
print file, activates a range (every problem listed when it cannot), and looks a code up."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser import ARTIFACTS, fresh_page
from tests.live import LiveServer
from yima.codes.package import open_package, parse_key
from yima.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser, accept_downloads=True) as fresh:
        yield fresh


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"codes-{name}.png"), full_page=True)


def choose(page: Page, dialog: Locator, label: str, option: str) -> None:
    """Pick ``option`` in the Quasar select labelled ``label``."""
    dialog.get_by_label(label).click()
    page.get_by_role("option", name=option).click()


def take_key(page: Page, dialog: Locator) -> str:
    """The one-time key of a key dialog, once its job has finished."""
    expect(dialog.get_by_text("码包密钥只显示这一次")).to_be_visible()
    key = dialog.get_by_label("码包密钥").input_value()
    assert len(key.replace("-", "")) == 52
    expect(dialog.get_by_text("已完成 100%")).to_be_visible(timeout=120_000)
    shot(page, "key-dialog")
    dialog.get_by_role("button", name="我已妥善保存").click()
    expect(page.locator(".q-dialog")).to_have_count(0)
    return key


def test_operator_generates_exports_activates_and_looks_up_codes(live: LiveServer, page: Page) -> None:
    console = f"{live.url}/console"
    page.goto(f"{console}/codes/suppliers")
    page.fill("#login", "operator")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{console}/codes/suppliers")

    # A supplier, through the dialog.
    supplier = f"测试瓶盖厂 {uuid.uuid4().hex[:6]}"
    page.get_by_role("button", name="新建供应商").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("名称（如 茅台镇瓶盖厂）").fill(supplier)
    dialog.get_by_label("联系人与电话").fill("王经理 13800000000")
    dialog.get_by_role("button", name="创建").click()
    expect(page.get_by_role("cell", name=supplier)).to_be_visible()

    # 100,000 bottle codes: the key once, and the job followed to the end.
    page.locator(".q-drawer").get_by_text("码包", exact=True).click()
    expect(page).to_have_url(f"{console}/codes/batches")
    page.get_by_role("button", name="生成码包").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("数量（1 至 10,000,000）").fill("100000")
    choose(page, dialog, "供应商", supplier)
    dialog.get_by_role("button", name="生成").click()
    title = dialog.get_by_text(re.compile(r"码包 #\d+ 已创建"))
    expect(title).to_be_visible()
    batch_id = int(re.findall(r"\d+", title.inner_text())[0])
    take_key(page, dialog)
    row = page.locator("tr", has=page.get_by_role("cell", name=supplier))
    expect(row).to_contain_text("100,000")
    expect(row).to_contain_text("已生成")
    shot(page, "batches")

    # The batch's page: export a CSV for the supplier and download it with the session cookie.
    row.locator("[data-action=open]").click()
    expect(page).to_have_url(f"{console}/codes/batch?id={batch_id}")
    expect(page.get_by_test_id("count-quantity")).to_contain_text("100,000")
    page.get_by_role("button", name="导出").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_role("button", name="导出").click()
    key = take_key(page, dialog)
    exports = page.get_by_test_id("exports")
    expect(exports.locator("tbody tr")).to_have_count(2)
    with page.expect_download() as download_info:
        exports.locator("tbody tr").first.locator("[data-action=download]").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv.ymp")
    with open(download.path(), "rb") as package:
        text = b"".join(open_package(package, parse_key(key))).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 100_000
    first = int(rows[0]["serial"])

    # Activate the first 1,000 for a demo product.
    page.get_by_role("button", name="激活").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("结束序列号").fill(str(first + 999))
    choose(page, dialog, "商品", "CSH-JZ-500 · 赤水河 · 金樽 53%vol 500ml")
    dialog.get_by_label("生产批号").fill("L20261123")
    dialog.get_by_label("产线（如 灌装一线）").fill("灌装一线")
    shot(page, "activate-dialog")
    dialog.get_by_role("button", name="激活").click()
    expect(page.locator(".q-dialog")).to_have_count(0)
    expect(page.get_by_test_id("count-activated")).to_contain_text("1,000")
    expect(page.get_by_test_id("assignments")).to_contain_text("L20261123")
    shot(page, "batch")

    # The same range again, without the lot, is refused, and the dialog says why, range by range.
    page.get_by_role("button", name="激活").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("结束序列号").fill(str(first + 1999))
    choose(page, dialog, "商品", "CSH-JZ-500 · 赤水河 · 金樽 53%vol 500ml")
    dialog.get_by_role("button", name="激活").click()
    problems = dialog.get_by_test_id("problems")
    expect(problems).to_contain_text(f"已激活（serials {first}–{first + 999}: already activated (product ")
    shot(page, "activate-refused")
    dialog.get_by_role("button", name="取消").click()
    expect(page.get_by_test_id("count-activated")).to_contain_text("1,000")

    # Ten misprinted codes are voided; the supplier confirms it has the file.
    page.get_by_role("button", name="作废/拉黑码").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("起始序列号").fill(str(first + 1000))
    dialog.get_by_label("结束序列号").fill(str(first + 1009))
    dialog.get_by_role("button", name="确定").click()
    expect(page.get_by_test_id("count-voided")).to_contain_text("10")
    expect(page.get_by_test_id("blocks")).to_contain_text("印刷错误")
    # Two codes blacklisted by mistake are lifted again from the list; the void stays.
    page.get_by_role("button", name="作废/拉黑码").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("起始序列号").fill(str(first + 1010))
    dialog.get_by_label("结束序列号").fill(str(first + 1011))
    choose(page, dialog, "操作", "拉黑")
    dialog.get_by_role("button", name="确定").click()
    blocks = page.get_by_test_id("blocks")
    expect(blocks).to_contain_text("拉黑")
    blocks.locator("[data-action=lift]").click()
    page.locator(".q-dialog").get_by_role("button", name="解除拉黑").click()
    expect(blocks).not_to_contain_text("拉黑")
    expect(blocks).to_contain_text("印刷错误")
    page.get_by_role("button", name="标记已签收").click()
    expect(page.get_by_test_id("batch-state")).to_have_text("已签收")

    # Look up the 1st bottle's inner code by its printed URL, and the 2,000th by its 防伪码.
    page.goto(f"{console}/codes/resolve")
    page.get_by_label("码", exact=True).fill(rows[0]["inner_url"])
    page.get_by_role("button", name="查询").click()
    resolved = page.get_by_test_id("resolved")
    expect(resolved).to_contain_text(f"序列号 {first}")
    expect(resolved.get_by_test_id("unit-state")).to_have_text("已激活")
    expect(resolved).to_contain_text("L20261123")
    shot(page, "resolve")
    page.get_by_label("码", exact=True).fill(rows[1999]["anti_fake_code"])
    page.get_by_role("button", name="查询").click()
    expect(resolved.get_by_test_id("unit-state")).to_have_text("未激活")
    resolved.get_by_test_id("resolved-batch").click()
    expect(page).to_have_url(f"{console}/codes/batch?id={batch_id}")

    # English.
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_test_id("count-activated")).to_contain_text("Activated")
    shot(page, "batch-en")
