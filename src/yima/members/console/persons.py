"""会员 Members: every person of the brand (One ID), newest first, phones masked; search by phone,
filter by level or tag; each row opens the person."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.members import service
from yima.members.console.common import IDENTITY_KINDS, LEVELS
from yima.members.permissions import MEMBERS_READ
from yima.members.schemas import PersonFilter, PersonSummary
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    RowAction,
    filter_input,
    filter_select,
    local_time,
    page_header,
)
from yima.platform.ctx import Ctx

COLUMNS = [
    Column("id", Text("编号", "Id"), kind="mono"),
    Column("phone", Text("手机号", "Phone"), kind="mono"),
    Column("level_name", Text("等级", "Level")),
    Column("tags", Text("标签", "Tags"), kind="tags"),
    Column("kinds", Text("身份", "Identities"), kind="tags"),
    Column("first_seen", Text("首次访问", "First seen")),
]


@console_page(
    "/members/persons",
    label=Text("会员列表", "Member list"),
    area=nav.MEMBERS,
    icon="groups",
    permission=MEMBERS_READ.name,
    order=10,
)
async def persons_page(page: ConsolePage) -> None:
    view = PersonsView(page)
    await view.pager.reload()


class PersonsView:
    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        self.filters: dict[str, Any] = {"phone": None, "tag": None, "level": None, "merged": False}
        t = page.t
        page_header(
            t("会员", "Members"),
            t(
                "同一个人的访客身份、手机号与微信身份归为一个会员（One ID）；列表中手机号已脱敏",
                "One person per human (One ID): visitor ids, phones and WeChat ids; phones masked in lists",
            ),
        )
        with ui.row().classes("w-full items-center gap-3"):
            filter_input(t("手机号（完整号码）", "Phone (full number)"), self._set("phone"))
            filter_input(t("标签", "Tag"), self._set("tag"), width="w-40")
            filter_select(
                {None: t("全部等级", "All levels"), **LEVELS}, t("等级", "Level"), self._set("level"), width="w-36"
            )
            filter_select(
                {None: t("有效会员", "Current"), True: t("已合并", "Merged")},
                t("状态", "Status"),
                self._set("merged"),
                width="w-36",
            )
        actions = [RowAction("open", "open_in_new", Text("查看", "Open"), self.open)]
        table = DataTable(page, COLUMNS, actions=actions)
        table.table.mark("persons")
        self.pager = CursorPager(page, table, self.load)

    def _set(self, key: str) -> Any:
        async def set_filter(value: Any) -> None:
            self.filters[key] = bool(value) if key == "merged" else value
            await self.pager.reload()

        return set_filter

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_persons(ctx, PersonFilter(**self.filters), limit, before_id)
        return [self._row(ctx, p) for p in rows]

    def _row(self, ctx: Ctx, person: PersonSummary) -> dict[str, Any]:
        return {
            "id": person.id,
            "phone": person.phone or "—",
            "level_name": LEVELS.get(person.level, f"VIP{person.level}"),
            "tags": person.tags,
            "kinds": [self.page.text(IDENTITY_KINDS[k]) for k in person.identity_kinds],
            "first_seen": local_time(ctx, person.first_seen_at),
        }

    def open(self, row: dict[str, Any]) -> None:
        ui.navigate.to(f"/members/person?id={row['id']}")
