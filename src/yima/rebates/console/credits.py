"""返利明细: every rebate credit of the brand, each with why its receiver got it (or did not)."""

from __future__ import annotations

from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import page_header
from yima.rebates.console.common import CreditList
from yima.rebates.permissions import REBATES_READ


@console_page(
    "/rebates/credits", label=Text("返利明细", "Rebate credits"), area=nav.CHANNEL, icon="receipt_long",
    permission=REBATES_READ.name, order=61,
)  # fmt: skip
async def credits_page(page: ConsolePage) -> None:
    page_header(
        page.t("返利明细", "Rebate credits"),
        page.t(
            "每一笔返利的发放、暂扣、释放或没收，及其原因", "Every rebate paid, held, released or forfeited, and why"
        ),
    )
    await CreditList(page).pager.reload()
