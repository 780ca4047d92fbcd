"""资金总览 Balances: what the brand paid in, holds, gave to budgets, owes in wallets, paid out
and was charged in fees; the budgets, with allocation, release and close; funding."""

from __future__ import annotations

import uuid
from typing import Any

from nicegui import ui

from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    FormDialog,
    RowAction,
    confirm,
    page_header,
    text_field,
)
from yima.platform.ctx import Ctx
from yima.wallet import service
from yima.wallet.console.common import money, parse_amount, stat
from yima.wallet.permissions import WALLET_READ, WALLET_WRITE
from yima.wallet.schemas import AccountFilter, AccountRead, BudgetCreate

COLUMNS = [
    Column("name", Text("预算", "Budget")),
    Column("owner", Text("所属", "Owner"), kind="mono"),
    Column("amount", Text("余额", "Balance"), align="right"),
    Column("state", Text("状态", "State"), kind="tags", tag_colors={"已结束": "grey-6", "Closed": "grey-6"}),
]
OWNERS = {
    "campaign": Text("扫码活动", "Campaign"),
    "rebate_policy": Text("返利政策", "Rebate policy"),
    "display_task": Text("陈列任务", "Display task"),
    "other": Text("其他", "Other"),
}


@console_page(
    "/wallet",
    label=Text("资金总览", "Balances"),
    area=nav.FINANCE,
    icon="account_balance",
    permission=WALLET_READ.name,
    order=10,
)
async def balances_page(page: ConsolePage) -> None:
    view = BalancesView(page)
    await view.refresh()


class BalancesView:
    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        t = page.t
        self.write = page.can(WALLET_WRITE.name)
        header = page_header(
            t("资金总览", "Balances"),
            t(
                "品牌充值、预算、用户钱包与提现，均以复式记账，每笔流水借贷平衡",
                "Funding, budgets, wallets and payouts, all double-entry: every journal balances",
            ),
        )
        if self.write:
            with header, ui.row().classes("gap-2"):
                ui.button(t("新建预算", "New budget"), icon="add", on_click=self.new_budget).props("outline")
                ui.button(t("充值登记", "Record funding"), icon="savings", on_click=self.fund).mark("wallet-fund")
        self.figures = ui.row().classes("w-full gap-3")
        self.health = ui.label().classes("text-sm")
        ui.label(t("预算", "Budgets")).classes("text-lg font-medium mt-2")
        actions = [
            RowAction("journals", "receipt_long", Text("流水", "Journals"), self.journals),
            *(
                [
                    RowAction("allocate", "add_card", Text("分配资金", "Allocate"), self.allocate, when="!row.closed"),
                    RowAction("release", "undo", Text("回收资金", "Release"), self.release, when="!row.closed"),
                    RowAction("close", "block", Text("结束预算", "Close"), self.close, when="!row.closed"),
                ]
                if self.write
                else []
            ),
        ]
        table = DataTable(page, COLUMNS, actions=actions)
        table.table.mark("budgets")
        self.pager = CursorPager(page, table, self.load)

    async def refresh(self) -> None:
        outcome = await self.page.run(service.balance_summary)
        if outcome:
            s, t = outcome.value, self.page.t
            self.figures.clear()
            with self.figures:
                stat(t("充值累计", "Funded"), money(s.funded), mark="stat-funded")
                stat(
                    t("可用余额", "Brand cash"),
                    money(s.brand_cash),
                    t("未分配给预算", "not in a budget"),
                    mark="stat-cash",
                )
                stat(
                    t("预算余额", "In budgets"),
                    money(s.budgets),
                    t(f"{s.budget_count} 个预算", f"{s.budget_count} budgets"),
                )
                stat(
                    t("待提现", "In wallets"),
                    money(s.wallets),
                    t(f"{s.wallet_count} 个钱包", f"{s.wallet_count} wallets"),
                )
                stat(t("提现在途", "In transit"), money(s.in_transit))
                stat(t("已付出", "Paid out"), money(s.paid_out))
                stat(
                    t("平台服务费", "Fees"),
                    money(s.fee_income),
                    t(f"费率 {s.fee_bps / 100:g}%", f"rate {s.fee_bps / 100:g}%"),
                )
            ok = t("账平：所有流水借贷平衡，余额与分录一致", "Balanced: every journal sums to zero")
            self.health.set_text(ok if s.balanced else t("账不平！请联系技术支持", "NOT balanced: call support"))
            self.health.classes(replace="text-sm " + ("text-positive" if s.balanced else "text-negative"))
            if s.fees_ahead > s.brand_cash:
                ui.notify(
                    t(
                        f"可用余额不足以支付待提现资金的服务费（约 {money(s.fees_ahead)}），请充值",
                        f"Brand cash is below the fees the wallets will cost ({money(s.fees_ahead)})",
                    ),
                    type="warning",
                )
        await self.pager.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        return [self._row(b) for b in await service.list_accounts(ctx, AccountFilter(kind="budget"), limit, before_id)]

    def _row(self, budget: AccountRead) -> dict[str, Any]:
        owner = OWNERS.get(budget.owner_kind)
        return budget.model_dump(mode="json") | {
            "owner": f"{self.page.text(owner) if owner else budget.owner_kind} · {budget.owner_ref}",
            "amount": money(budget.balance),
            "state": [self.page.t("已结束", "Closed")] if budget.closed else [],
        }

    def journals(self, row: dict[str, Any]) -> None:
        ui.navigate.to(self.page.url(f"/wallet/journals?account={row['id']}"))

    def _amount_dialog(self, title: str, submit: str, action: Any, *, optional: bool = False) -> None:
        """A dialog asking for an amount in yuan; ``action(ctx, fen | None, key)`` moves the money.
        The key is made once per dialog, so a double submit moves the money once."""
        page, key = self.page, uuid.uuid4().hex

        async def save() -> bool:
            fen = None if optional and not (amount.value or "").strip() else parse_amount(page, amount.value)
            if fen is None and not optional:
                return False
            ok = await page.run(lambda ctx: action(ctx, fen, key), done=page.t("已完成", "Done"))
            if ok:
                await self.refresh()
            return bool(ok)

        hint = page.t("（留空：全部）", " (empty: all)") if optional else ""
        with FormDialog(page, title, save, submit=submit) as form:
            amount = text_field(page.t(f"金额（元）{hint}", f"Amount (yuan){hint}"))
            form.body.mark("amount-dialog")
        form.open()

    def fund(self) -> None:
        page, t = self.page, self.page.t

        async def save() -> bool:
            fen = parse_amount(page, amount.value)
            if fen is None:
                return False
            data = (fen, reference.value or "", memo.value or "")
            ok = await page.run(lambda ctx: service.fund_brand(ctx, *data), done=t("充值已登记", "Funding recorded"))
            if ok:
                await self.refresh()
            return bool(ok)

        with FormDialog(page, t("充值登记", "Record funding"), save, submit=t("登记", "Record")) as form:
            amount = text_field(t("金额（元）", "Amount (yuan)"))
            reference = text_field(t("银行流水号（同一流水只入账一次）", "Bank reference (counted once)"))
            memo = text_field(t("备注", "Memo"))
            form.body.mark("fund-dialog")
        form.open()

    def allocate(self, row: dict[str, Any]) -> None:
        t = self.page.t
        self._amount_dialog(
            t(f"分配资金 · {row['name']}", f"Allocate · {row['name']}"),
            t("分配", "Allocate"),
            lambda ctx, fen, key: service.allocate_budget(ctx, row["id"], fen, key),
        )

    def release(self, row: dict[str, Any]) -> None:
        t = self.page.t
        self._amount_dialog(
            t(f"回收资金 · {row['name']}", f"Release · {row['name']}"),
            t("回收", "Release"),
            lambda ctx, fen, key: service.release_budget(ctx, row["id"], fen, key),
            optional=True,
        )

    async def close(self, row: dict[str, Any]) -> None:
        t = self.page.t
        question = t(
            f"结束预算“{row['name']}”？余额将退回品牌可用余额，之后不再支付。",
            f"Close “{row['name']}”? What it holds returns to the brand; it pays nothing more.",
        )
        if await confirm(self.page, question, ok=t("结束", "Close")) and await self.page.run(
            lambda ctx: service.close_budget(ctx, row["id"]), done=t("预算已结束", "Budget closed")
        ):
            await self.refresh()

    def new_budget(self) -> None:
        page, t = self.page, self.page.t

        async def save() -> bool:
            values = {"owner_kind": kind.value, "owner_ref": ref.value, "name": name.value}
            ok = await page.run(
                lambda ctx: service.create_budget(ctx, BudgetCreate(**values)), done=t("预算已创建", "Budget opened")
            )
            if ok:
                await self.pager.reload()
            return bool(ok)

        with FormDialog(page, t("新建预算", "New budget"), save, submit=t("创建", "Create")) as form:
            kind = ui.select({k: page.text(v) for k, v in OWNERS.items()}, value="other", label=t("所属", "Owner"))
            kind.props("outlined dense").classes("w-full")
            ref = text_field(t("所属编号（如活动编号）", "Owner's id (e.g. the campaign's)"))
            name = text_field(t("名称", "Name"))
        form.open()
