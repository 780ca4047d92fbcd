"""The wallet's console in a real browser against a real server (the demo brand, sandbox
payouts): the overview with a funding recorded through its dialog, the journals, the payouts
with a reconciliation run by the server's own worker."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page, sign_in
from tests.live import LiveServer
from yima.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
SEED = """
import asyncio
from yima import contexts
from yima.identity.permissions import cli_context
from yima.platform.db.session import Database
from yima.settings import get_settings
from yima.wallet import service as wallet

async def main():
    contexts.load()
    db = Database(get_settings().database_url)
    async with cli_context(db, "demo") as ctx:
        budget = await wallet.budget_of(ctx, "demo", "welcome")
        for person, amount in ((70001, 888), (70002, 1288)):
            await wallet.award(ctx, budget.id, person, amount, "开瓶扫码红包", f"browser-{person}")
        await wallet.request_withdrawal(ctx, 70001, 800, "browser-w1", openid="o-browser-70001")
        await wallet.request_withdrawal(ctx, 70002, 1000, "browser-w2", openid="sandbox-fail-70002")
    await db.dispose()

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def seeded(live: LiveServer) -> None:
    """Two winners of the demo budget; one withdrawal paid, one declined by the sandbox."""
    result = subprocess.run([sys.executable, "-c", SEED], env=live.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    live.yima("wallet", "process", "--tenant", "demo")


@pytest.fixture
def page(browser: Browser, live: LiveServer, seeded: None) -> Iterator[Page]:
    with fresh_page(browser) as page:
        page.goto(f"{live.url}/console/login")
        sign_in(page, "finance", DEMO_PASSWORD)
        expect(page).to_have_url(f"{live.url}/console/")
        yield page


def test_the_overview_and_a_funding_recorded(live: LiveServer, page: Page) -> None:
    page.locator(".q-drawer").get_by_text("资金总览", exact=True).click()
    expect(page).to_have_url(f"{live.url}/console/wallet")
    expect(page.get_by_text("账平：所有流水借贷平衡")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="开瓶扫码红包（演示）")).to_be_visible()
    funded = page.locator("[data-testid=stat-funded], .q-card").filter(has_text="充值累计")
    before = funded.inner_text()
    page.get_by_role("button", name="充值登记").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("金额（元）").fill("1000.50")
    dialog.get_by_label("银行流水号（同一流水只入账一次）").fill(f"BANK-{uuid.uuid4().hex[:8]}")
    dialog.get_by_role("button", name="登记").click()
    expect(page.get_by_text("充值已登记")).to_be_visible()
    expect(funded).not_to_have_text(before)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wallet-balances.png"), full_page=True)


def test_the_journals_show_every_entry(live: LiveServer, page: Page) -> None:
    page.goto(f"{live.url}/console/wallet/journals")
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="提现失败退回").first).to_contain_text("SANDBOX_DECLINED")
    expect(rows.filter(has_text="奖励入账").first).to_contain_text("开瓶扫码红包（演示）")
    page.screenshot(path=str(ARTIFACTS / "wallet-journals.png"), full_page=True)


def test_payouts_and_a_reconciliation(live: LiveServer, page: Page) -> None:
    page.goto(f"{live.url}/console/wallet/payouts")
    expect(page.get_by_role("row").filter(has_text="70001")).to_contain_text("已到账")
    expect(page.get_by_role("row").filter(has_text="70002")).to_contain_text("失败")
    expect(page.get_by_role("row").filter(has_text="70002")).to_contain_text("沙箱模拟失败（SANDBOX_DECLINED）")
    page.get_by_role("button", name="发起对账").click()
    page.locator(".q-dialog").get_by_role("button", name="开始").click()
    expect(page.get_by_text("对账已开始")).to_be_visible()
    reports = page.locator("[data-testid=reconciliations], .q-table").last
    for _ in range(20):  # the server's worker fills the report
        page.get_by_role("button", name="刷新").click()
        if "已完成" in reports.inner_text():
            break
        page.wait_for_timeout(500)
    expect(reports.get_by_role("row").nth(1)).to_contain_text("已完成")
    page.screenshot(path=str(ARTIFACTS / "wallet-payouts.png"), full_page=True)
