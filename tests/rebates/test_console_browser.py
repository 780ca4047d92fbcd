"""The rebates' console pages in a real browser against the live demo server: the operator sees
the demo policies, opens the BbC one with its budget, outcome and credits (each with why),
creates, activates, pauses and edits a policy; the metrics page draws, in Chinese and in English."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page, sign_in
from tests.live import LiveServer
from yima.demo import DEMO_PASSWORD
from yima.rebates.demo import BB, BBC

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser) as fresh:
        yield fresh


def _signed_in(page: Page, live: LiveServer, login: str, path: str) -> None:
    page.goto(f"{live.url}/console{path}")
    sign_in(page, login, DEMO_PASSWORD)
    expect(page).to_have_url(f"{live.url}/console{path}")


def test_the_operator_reads_a_policy_and_creates_another(live: LiveServer, page: Page) -> None:
    _signed_in(page, live, "operator", "/rebates/policies")
    expect(page.locator(".q-drawer").get_by_text("返利政策", exact=True)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=BB)).to_be_visible()
    page.get_by_role("row").filter(has_text=BBC).click()
    expect(page.get_by_text("发放结果")).to_be_visible()
    outcome = page.locator(".q-card").filter(has_text="已发放")
    expect(outcome.first).to_contain_text("14.00")  # four bottles: store 2.00, dealer 1.00 and salesman 0.50 each
    credits = page.get_by_role("row").filter(has_text="消费者扫了您登记的商品")
    expect(credits.first).to_be_visible()
    expect(page.get_by_role("link", name="预算流水与充值（资金）")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "rebates-policy.png"), full_page=True)

    page.goto(f"{live.url}/console/rebates/policy")
    name = f"双向红包 {uuid.uuid4().hex[:6]}"
    page.get_by_label("政策名称").fill(name)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("草稿", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name=name).or_(page.get_by_text(name, exact=True)).first).to_be_visible()
    page.get_by_role("button", name="启用").click()
    expect(page.get_by_text("生效中", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="编辑")).to_have_count(0)  # an active policy is paused to be edited
    page.get_by_role("button", name="暂停").click()
    expect(page.get_by_text("已暂停", exact=False).first).to_be_visible()
    page.get_by_role("button", name="编辑").click()
    renamed = f"{name} 改"
    page.get_by_label("政策名称").fill(renamed)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name=renamed).or_(page.get_by_text(renamed, exact=True)).first).to_be_visible()
    expect(page.get_by_role("button", name="恢复")).to_be_visible()


def test_the_metrics_page_draws_and_reads_in_english(live: LiveServer, page: Page) -> None:
    _signed_in(page, live, "finance", "/analytics/channel")
    expect(page.get_by_text("门店扫码率").first).to_be_visible()
    expect(page.get_by_text("返利成本 · 按经销商")).to_be_visible()
    cost = page.locator(".q-card").filter(has_text="返利成本（元）").first
    expect(cost).to_contain_text("19.00")  # BbC 14.00 paid + Bb 5.00 released
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text("Rebate cost by dealer")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "rebates-metrics.png"), full_page=True)
