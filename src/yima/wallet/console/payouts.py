"""提现记录 Payouts: withdrawals and where they stand at the provider, retry; reconciliation
reports (对账) with every payout that did not match."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nicegui import ui

from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    FormDialog,
    RowAction,
    filter_input,
    filter_select,
    local_time,
    page_header,
)
from yima.platform.ctx import Ctx
from yima.platform.types import MAX_ID
from yima.wallet import service
from yima.wallet.console.common import PAYOUT_STATUSES, STATUS_COLORS, fail_reason, label, money
from yima.wallet.permissions import WALLET_READ, WALLET_WRITE
from yima.wallet.schemas import PayoutFilter, PayoutRead, ReconciliationCreate, ReconciliationRead

COLUMNS = [
    Column("id", Text("编号", "No."), kind="mono"),
    Column("person_id", Text("用户", "Person"), kind="mono"),
    Column("money", Text("金额", "Amount"), align="right"),
    Column("fee_money", Text("服务费", "Fee"), align="right"),
    Column("status_tag", Text("状态", "Status"), kind="tags", tag_colors=STATUS_COLORS),
    Column("out_batch_no", Text("批次号", "Batch"), kind="mono"),
    Column("time", Text("申请时间", "Requested")),
    Column("fail_code", Text("失败原因", "Reason")),
    Column("provider_error", Text("渠道异常", "Provider problem")),
]
REPORT_COLUMNS = [
    Column("id", Text("编号", "No."), kind="mono"),
    Column("period", Text("期间", "Period")),
    Column("state", Text("状态", "Status")),
    Column("checked", Text("核对笔数", "Checked"), align="right"),
    Column("matched", Text("一致", "Matched"), align="right"),
    Column("problems", Text("差异", "Problems"), align="right"),
]
LINE_COLUMNS = [
    Column("verdict_name", Text("结果", "Verdict")),
    Column("out_detail_no", Text("明细单号", "Detail no."), kind="mono"),
    Column("ours", Text("我方", "Ours"), align="right"),
    Column("theirs", Text("渠道", "Provider"), align="right"),
    Column("statuses", Text("状态（我方 / 渠道）", "Status (ours / provider)")),
]
VERDICTS = {
    "missing": Text("渠道无此笔", "Missing at provider"),
    "amount_mismatch": Text("金额不符", "Amount differs"),
    "status_mismatch": Text("结果不符", "Outcome differs"),
    "pending": Text("处理中", "Pending"),
    "unexpected": Text("我方无此笔", "Unknown to us"),
    "matched": Text("一致", "Matched"),
    "unknown": Text("未知", "Unknown"),
}
REPORT_STATES = {"running": Text("进行中", "Running"), "done": Text("已完成", "Done"), "failed": Text("失败", "Failed")}


@console_page(
    "/wallet/payouts",
    label=Text("提现与对账", "Payouts"),
    area=nav.FINANCE,
    icon="payments",
    permission=WALLET_READ.name,
    order=30,
)
async def payouts_page(page: ConsolePage) -> None:
    view = PayoutsView(page)
    await view.pager.reload()
    await view.reports.reload()


class PayoutsView:
    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        self._reports: dict[int, ReconciliationRead] = {}
        self.filters: dict[str, Any] = {"status": None, "person_id": None}
        t = page.t
        write = page.can(WALLET_WRITE.name)
        header = page_header(
            t("提现与对账", "Payouts"),
            t(
                "用户提现到微信零钱：待发送 → 处理中 → 已到账 / 失败（失败的资金退回钱包）",
                "Withdrawals to WeChat balance: requested → at the provider → paid / failed (money back)",
            ),
        )
        with header:
            ui.button(t("刷新", "Refresh"), icon="refresh", on_click=self.refresh).props("outline")
        with ui.row().classes("w-full items-center gap-3"):
            statuses = {None: t("全部状态", "All statuses")} | {k: page.text(v) for k, v in PAYOUT_STATUSES.items()}
            filter_select(statuses, t("状态", "Status"), self._status, width="w-40")
            filter_input(t("用户编号", "Person id"), self._person)
        retry = RowAction("retry", "replay", Text("重试", "Retry"), self.retry, when="row.status !== 'succeeded'")
        table = DataTable(page, COLUMNS, actions=[retry] if write else [])
        table.table.mark("payouts")
        self.pager = CursorPager(page, table, self.load)

        with ui.row().classes("w-full items-end justify-between mt-4"):
            ui.label(t("对账", "Reconciliation")).classes("text-lg font-medium")
            if write:
                ui.button(t("发起对账", "Reconcile"), icon="fact_check", on_click=self.reconcile).mark("reconcile")
        view = RowAction("open", "visibility", Text("查看差异", "Problems"), self.show_lines, when="row.problems > 0")
        reports = DataTable(page, REPORT_COLUMNS, actions=[view])
        reports.table.mark("reconciliations")
        self.reports = CursorPager(page, reports, self.load_reports, limit=10)

    async def _status(self, value: Any) -> None:
        self.filters["status"] = value
        await self.pager.reload()

    async def _person(self, value: str | None) -> None:
        text = (value or "").strip()
        self.filters["person_id"] = int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None
        await self.pager.reload()

    async def refresh(self) -> None:
        await self.pager.refresh()
        await self.reports.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        return [
            self._row(ctx, p) for p in await service.list_payouts(ctx, PayoutFilter(**self.filters), limit, before_id)
        ]

    def _row(self, ctx: Ctx, payout: PayoutRead) -> dict[str, Any]:
        return payout.model_dump(mode="json") | {
            "money": money(payout.amount),
            "fee_money": money(payout.fee),
            "status_tag": [label(self.page, PAYOUT_STATUSES, payout.status)],
            "out_batch_no": payout.out_batch_no or "—",
            "time": local_time(ctx, payout.requested_at),
            "fail_code": fail_reason(self.page, payout.fail_code),
            "provider_error": payout.provider_error or "",
        }

    async def retry(self, row: dict[str, Any]) -> None:
        t = self.page.t
        if await self.page.run(lambda ctx: service.retry_payout(ctx, row["id"]), done=t("已重试", "Retried")):
            await self.pager.reload()

    async def load_reports(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_reconciliations(ctx, limit, before_id)
        self._reports = {r.id: r for r in rows}
        return [self._report_row(ctx, r) for r in rows]

    def _report_row(self, ctx: Ctx, report: ReconciliationRead) -> dict[str, Any]:
        return {
            "id": report.id,
            "period": f"{local_time(ctx, report.since)} – {local_time(ctx, report.until)}",
            "state": label(self.page, REPORT_STATES, report.status),
            "checked": report.checked,
            "matched": report.matched,
            "problems": report.problems,
        }

    def reconcile(self) -> None:
        page, t = self.page, self.page.t

        async def start() -> bool:
            if not span.value or not 1 <= span.value <= 90:
                ui.notify(t("请填写 1 到 90 天", "Give 1 to 90 days"), type="warning")
                return False
            days = int(span.value)
            period = ReconciliationCreate(since=dt.datetime.now(dt.UTC) - dt.timedelta(days=days))
            ok = await page.run(
                lambda ctx: service.start_reconciliation(ctx, period),
                done=t("对账已开始，稍后点刷新查看结果", "Started; refresh in a moment for the result"),
            )
            if ok:
                await self.reports.reload()
            return bool(ok)

        with FormDialog(page, t("发起对账", "Reconcile"), start, submit=t("开始", "Start")) as form:
            span = ui.number(t("最近几天的提现", "Payouts of the last days"), value=7, min=1, max=90, precision=0)
            span.props("outlined dense").classes("w-full")
        form.open()

    def show_lines(self, row: dict[str, Any]) -> None:
        page, t = self.page, self.page.t
        report = self._reports.get(row["id"])
        if report is None:
            return
        rows = [
            line.model_dump()
            | {
                "verdict_name": label(page, VERDICTS, line.verdict),
                "ours": money(line.ours_amount),
                "theirs": money(line.theirs_amount),
                "statuses": f"{line.ours_status or '—'} / {line.theirs_status or '—'}",
                "id": n,
            }
            for n, line in enumerate(report.lines)
        ]

        async def close() -> bool:
            return True

        title = t(f"对账差异 · #{report.id}", f"Problems · #{report.id}")
        with FormDialog(page, title, close, submit=t("关闭", "Close"), cancel=False, width="52rem") as form:
            table = DataTable(page, LINE_COLUMNS)
            table.set_rows(rows)
        form.open()
