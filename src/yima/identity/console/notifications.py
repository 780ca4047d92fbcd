"""消息 Messages: the signed-in person's inbox (站内消息), opened from the header's bell."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.identity import service
from yima.identity.permissions import SELF_READ
from yima.identity.schemas import NotificationRead
from yima.platform.console import ConsolePage, Text, console_page
from yima.platform.console.frame import INBOX_PATH
from yima.platform.console.widgets import Column, CursorPager, DataTable, RowAction, local_time, page_header
from yima.platform.ctx import Ctx

COLUMNS = [
    Column("at", Text("时间", "Time")),
    Column("state", Text("状态", "State"), kind="tags", tag_colors={"未读": "red", "Unread": "red"}),
    Column("title", Text("标题", "Title")),
    Column("body", Text("内容", "Message"), kind="wrap"),
]


def _row(page: ConsolePage, ctx: Ctx, message: NotificationRead) -> dict[str, Any]:
    return {
        "id": message.id,
        "at": local_time(ctx, message.created_at),
        "state": [] if message.read_at else [page.t("未读", "Unread")],
        "title": message.title.get(page.locale),
        "body": message.body.get(page.locale),
        "link": message.link,
    }


@console_page(INBOX_PATH, label=Text("消息", "Messages"), permission=SELF_READ.name, in_nav=False)
async def inbox_page(page: ConsolePage) -> None:
    with page_header(page.t("消息", "Messages"), page.t("需要您处理的提醒", "Alerts that need you")):
        ui.button(page.t("全部标为已读", "Mark all read"), icon="done_all", on_click=lambda: read(None)).props(
            "flat no-caps"
        )
    only_unread = ui.switch(page.t("只看未读", "Unread only"))

    async def load(ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        found = await service.list_notifications(ctx, bool(only_unread.value), limit, before_id)
        return [_row(page, ctx, m) for m in found]

    async def read(ids: list[int] | None) -> None:
        if await page.run(lambda ctx: service.read_notifications(ctx, ids)):
            await pager.refresh()

    async def open_link(row: dict[str, Any]) -> None:
        await read([int(row["id"])])
        ui.navigate.to(row["link"])  # a console path: navigate adds the mount

    actions = [
        RowAction("open", "open_in_new", Text("查看", "Open"), open_link, when="!!row.link"),
        RowAction(
            "read", "done", Text("标为已读", "Mark read"), lambda row: read([int(row["id"])]), when="row.state.length"
        ),
    ]
    table = DataTable(page, COLUMNS, actions=actions)
    pager = CursorPager(page, table, load)
    only_unread.on_value_change(pager.reload)
    await pager.reload()
