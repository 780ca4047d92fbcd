"""会员详情 A person: level, tags (editable with members:write), every identity, and where a
merged person went."""

from __future__ import annotations

from nicegui import ui

from yima.members import service
from yima.members.console.common import IDENTITY_KINDS, LEVELS
from yima.members.permissions import MEMBERS_READ, MEMBERS_WRITE
from yima.members.schemas import PersonRead, PersonUpdate
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Column, DataTable, local_time, page_header
from yima.platform.ctx import Ctx

IDENTITY_COLUMNS = [
    Column("kind", Text("类型", "Kind")),
    Column("value", Text("值", "Value"), kind="mono"),
    Column("verified", Text("验证时间", "Verified")),
    Column("created", Text("关联时间", "Linked")),
]


@console_page(
    "/members/person",
    label=Text("会员详情", "Member"),
    area=nav.MEMBERS,
    icon="person",
    permission=MEMBERS_READ.name,
    in_nav=False,
)
async def person_page(page: ConsolePage) -> None:
    raw = page.query.get("id", "")
    outcome = await page.run(lambda ctx: _load(ctx, int(raw))) if raw.isdigit() and 0 < int(raw) < 2**63 else None
    if not outcome:
        page_header(page.t("没有这个会员", "No such member"))
        return
    person, times = outcome.value
    t = page.t
    with page_header(t(f"会员 {person.id}", f"Member {person.id}"), person.phone or t("未验证手机号", "No phone")):
        ui.link(t("返回会员列表", "Back to members"), "/members/persons")
    if person.merged_into_id is not None:
        with ui.row().classes("items-center gap-2 text-warning"):
            ui.icon("merge")
            ui.label(t("已合并到", "Merged into"))
            ui.link(f"{person.merged_into_id}", f"/members/person?id={person.merged_into_id}").mark("merged-into")
    with ui.grid(columns=2).classes("w-full gap-4"):
        with ui.card().classes("w-full gap-2"):
            ui.label(t("基本信息", "Details")).classes("text-base font-medium")
            facts = [
                (t("等级", "Level"), LEVELS.get(person.level, f"VIP{person.level}")),
                (t("新客", "New today"), t("是", "Yes") if person.is_new else t("否", "No")),
                (t("首次访问", "First seen"), times[0]),
                (t("合并时间", "Merged at"), times[1]),
            ]
            for label, value in facts:
                with ui.row().classes("gap-2 text-sm no-wrap"):
                    ui.label(label).classes("text-grey-7 w-20 shrink-0")
                    ui.label(value)
        with ui.card().classes("w-full gap-3"):
            ProfileEditor(page, person)
    ui.label(t("身份", "Identities")).classes("text-lg font-medium")
    table = DataTable(page, IDENTITY_COLUMNS)
    table.table.mark("identities")
    table.set_rows([
        {"id": n, "kind": page.text(IDENTITY_KINDS[i.kind]), "value": i.value, "verified": verified, "created": created}
        for n, (i, verified, created) in enumerate(zip(person.identities, times[2], times[3], strict=True))
    ])  # fmt: skip


async def _load(ctx: Ctx, person_id: int) -> tuple[PersonRead, tuple[str, str, list[str], list[str]]]:
    person = await service.get_person(ctx, person_id)
    times = (
        local_time(ctx, person.first_seen_at),
        local_time(ctx, person.merged_at),
        [local_time(ctx, i.verified_at) for i in person.identities],
        [local_time(ctx, i.created_at) for i in person.identities],
    )
    return person, times


class ProfileEditor:
    """Level and tags, saved together (members:write; read-only otherwise, and for merged persons)."""

    def __init__(self, page: ConsolePage, person: PersonRead) -> None:
        self.page, self.person = page, person
        t = page.t
        editable = page.can(MEMBERS_WRITE.name) and person.merged_into_id is None
        ui.label(t("等级与标签", "Level and tags")).classes("text-base font-medium")
        ui.label(t("营销活动可按等级与标签定向", "Campaigns can target levels and tags")).classes("text-sm text-grey-7")
        levels = LEVELS | ({person.level: f"VIP{person.level}"} if person.level not in LEVELS else {})
        self.level = ui.select(levels, value=person.level, label=t("等级", "Level"))
        self.level.props("outlined dense").classes("w-40")
        self.tags = ui.select(
            {tag: tag for tag in person.tags}, value=list(person.tags), multiple=True, label=t("标签", "Tags"),
            new_value_mode="add-unique",
        ).props("outlined dense use-chips use-input data-testid=member-tags").classes("w-full")  # fmt: skip
        for widget in (self.level, self.tags):
            widget.set_enabled(editable)
        if editable:
            ui.button(t("保存", "Save"), icon="save", on_click=self.save).mark("profile-save")

    async def save(self) -> None:
        data = PersonUpdate(level=self.level.value, tags=list(self.tags.value or []))
        await self.page.run(
            lambda ctx: service.update_person(ctx, self.person.id, data),
            done=self.page.t("已保存", "Saved"),
            fields={"level": self.page.t("等级", "Level"), "tags": self.page.t("标签", "Tags")},
        )
