"""短信记录 The SMS log: every code handed to the provider (never the code), phones masked, with
the provider's error code when it refused — why a person got no SMS."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.members import service
from yima.members.permissions import MEMBERS_READ
from yima.members.schemas import SmsFilter
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

STATUSES = {"sent": Text("已发送", "Sent"), "failed": Text("失败", "Failed"), "sending": Text("发送中", "Sending")}
COLUMNS = [
    Column("created", Text("时间", "Time")),
    Column("phone", Text("手机号", "Phone"), kind="mono"),
    Column("purpose", Text("用途", "Purpose")),
    Column("provider", Text("服务商", "Provider")),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors={"失败": "negative", "Failed": "negative"}),
    Column("error_code", Text("错误码", "Error code"), kind="mono"),
]


@console_page(
    "/members/sms",
    label=Text("短信记录", "SMS log"),
    area=nav.MEMBERS,
    icon="sms",
    permission=MEMBERS_READ.name,
    order=90,
)
async def sms_page(page: ConsolePage) -> None:
    t = page.t
    filters: dict[str, Any] = {"phone": None, "status": None}
    page_header(
        t("短信记录", "SMS log"), t("验证码短信的发送结果（不含验证码本身）", "How each code SMS went (never the code)")
    )

    async def load(ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_sms(ctx, SmsFilter(**filters), limit, before_id)
        return [
            m.model_dump(mode="json")
            | {
                "created": local_time(ctx, m.created_at),
                "status": [page.text(STATUSES.get(m.status, Text(m.status, m.status)))],
                "error_code": m.error_code or "—",
            }
            for m in rows
        ]

    def setter(key: str) -> Any:
        async def set_filter(value: Any) -> None:
            filters[key] = value
            await pager.reload()

        return set_filter

    with ui.row().classes("w-full items-center gap-3"):
        filter_input(t("手机号（完整号码）", "Phone (full number)"), setter("phone"))
        filter_select({None: t("全部状态", "All statuses")} | {k: page.text(v) for k, v in STATUSES.items()},
                      t("状态", "Status"), setter("status"), width="w-36")  # fmt: skip
    table = DataTable(page, COLUMNS)
    table.table.mark("sms")
    pager = CursorPager(page, table, load)
    await pager.reload()
