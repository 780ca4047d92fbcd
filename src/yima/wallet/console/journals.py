"""资金流水 Journals: every movement with its entries (each account's side and balance after),
newest first, by kind or by account (``?account=`` opens one account's)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    filter_input,
    filter_select,
    local_time,
    page_header,
)
from yima.platform.ctx import Ctx
from yima.platform.types import MAX_ID
from yima.wallet import rules, service
from yima.wallet.console.common import ACCOUNT_KINDS, JOURNAL_KINDS, label, money
from yima.wallet.permissions import WALLET_READ
from yima.wallet.schemas import JournalFilter, JournalRead

COLUMNS = [
    Column("id", Text("编号", "No."), kind="mono"),
    Column("time", Text("时间", "Time")),
    Column("kind_name", Text("类型", "Kind")),
    Column("money", Text("金额", "Amount"), align="right"),
    Column("entries", Text("分录（账户 · 发生额 · 余额）", "Entries (account · amount · balance)"), kind="wrap"),
    Column("memo", Text("摘要", "Memo")),
    Column("actor", Text("操作人", "By")),
]


@console_page(
    "/wallet/journals",
    label=Text("资金流水", "Journals"),
    area=nav.FINANCE,
    icon="receipt_long",
    permission=WALLET_READ.name,
    order=20,
)
async def journals_page(page: ConsolePage) -> None:
    raw = page.query.get("account", "")
    account = int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else None
    view = JournalsView(page, account)
    await view.pager.reload()


class JournalsView:
    def __init__(self, page: ConsolePage, account: int | None) -> None:
        self.page = page
        self.filters: dict[str, Any] = {"kind": None, "account_id": account}
        t = page.t
        page_header(t("资金流水", "Journals"), t("每笔流水借贷相抵为零", "Every journal's entries sum to zero"))
        with ui.row().classes("w-full items-center gap-3"):
            kinds = {None: t("全部类型", "All kinds")} | {k: page.text(v) for k, v in JOURNAL_KINDS.items()}
            filter_select(kinds, t("类型", "Kind"), self._set("kind"), width="w-48")
            account_filter = filter_input(t("账户编号", "Account id"), self._account)
            account_filter.value = str(account) if account else ""
        table = DataTable(page, COLUMNS)
        table.table.mark("journals")
        self.pager = CursorPager(page, table, self.load)

    def _set(self, key: str) -> Any:
        async def set_filter(value: Any) -> None:
            self.filters[key] = value
            await self.pager.reload()

        return set_filter

    async def _account(self, value: str | None) -> None:
        text = (value or "").strip()
        self.filters["account_id"] = int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None
        await self.pager.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_journals(ctx, JournalFilter(**self.filters), limit, before_id)
        return [self._row(ctx, j) for j in rows]

    def _row(self, ctx: Ctx, journal: JournalRead) -> dict[str, Any]:
        page = self.page
        entries = "；".join(
            f"{e.account_name or label(page, ACCOUNT_KINDS, e.account_kind)}#{e.account_id} "
            f"{'+' if e.amount > 0 else '−'}{rules.yuan(abs(e.amount))} · {rules.yuan(e.balance_after)}"
            for e in journal.entries
        )
        return {
            "id": journal.id,
            "time": local_time(ctx, journal.created_at),
            "kind_name": label(page, JOURNAL_KINDS, journal.kind),
            "money": money(journal.amount),
            "entries": entries,
            "memo": journal.memo,
            "actor": journal.actor_name or journal.actor_kind,
        }
