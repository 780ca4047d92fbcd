"""风控 Risk control: the brand's rules (counters per person, device, address and network over a
minute, an hour and a day; serial bursts; distance from the territory; the blacklist response)
and the blacklist (add, remove). The review queue of held scans is the scans context's page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from nicegui import ui

from yima.campaigns import service
from yima.campaigns.permissions import RISK_MANAGE, RISK_READ, RISK_WRITE
from yima.campaigns.risk import BLACKLIST_KINDS, DECISION_WORDS, SPANS, SUBJECTS
from yima.campaigns.schemas import (
    BlacklistEntryCreate,
    BlacklistEntryFilter,
    BlacklistEntryRead,
    RiskSettings,
    RiskSettingsUpdate,
)
from yima.platform.console import ConsolePage, Text, console_page, nav, register_error_texts
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    FormDialog,
    RowAction,
    confirm,
    filter_input,
    filter_select,
    local_time,
    page_header,
    text_field,
)
from yima.platform.ctx import Ctx

register_error_texts(
    {
        "already_blacklisted": Text("已在黑名单中", "already blacklisted"),
        "below_shorter_window": Text("不能小于更短时间窗的上限", "below the shorter window's limit"),
        "past": Text("已过期", "already past"),
    }
)
SUBJECT_NAMES = {
    "person": Text("同一用户", "One person"),
    "device": Text("同一设备", "One device"),
    "ip": Text("同一IP地址", "One IP address"),
    "net": Text("同一网段（/24）", "One network (/24)"),
}
SPAN_NAMES = {"minute": Text("每分钟", "A minute"), "hour": Text("每小时", "An hour"), "day": Text("每天", "A day")}
KIND_NAMES = {
    "person": Text("用户ID", "Person id"),
    "phone": Text("手机号", "Phone"),
    "device": Text("设备ID", "Device id"),
    "ip": Text("IP地址或网段", "IP address or block"),
    "serial": Text("码序号", "Code serial"),
}
COLUMNS = [
    Column("kind_name", Text("类型", "Kind")),
    Column("value", Text("值", "Value"), kind="mono", max_width="16rem"),
    Column("reason", Text("原因", "Reason"), kind="wrap"),
    Column("expires", Text("到期", "Expires")),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors={"已过期": "grey", "Expired": "grey"}),
    Column("created_by", Text("添加人", "Added by")),
    Column("created", Text("添加时间", "Added")),
]


def settings_update(form: Mapping[str, Any]) -> RiskSettingsUpdate:
    """The form's values (``RiskSettings.model_dump()`` edited in place; an emptied number is a
    rule switched off) as the update the service takes."""

    def limit(value: Any) -> int | None:
        return None if value in (None, "") else round(float(value))

    def rule(values: Mapping[str, Any], key: str = "limit") -> dict[str, Any]:
        number = values.get(key)
        return {key: (None if number in (None, "") else float(number)) if key == "km" else limit(number),
                "response": values.get("response")}  # fmt: skip

    document: dict[str, Any] = {s: {w: rule(form[s][w]) for w in SPANS} for s in SUBJECTS}
    document |= {
        "enabled": bool(form["enabled"]),
        "serial_burst": rule(form["serial_burst"]),
        "far_from_territory": rule(form["far_from_territory"], "km"),
        "blacklist_response": form["blacklist_response"],
    }
    return RiskSettingsUpdate.model_validate(document)


def entry_row(page: ConsolePage, ctx: Ctx, entry: BlacklistEntryRead) -> dict[str, Any]:
    active = Text("生效中", "Active") if entry.active else Text("已过期", "Expired")
    return entry.model_dump(mode="json") | {
        "kind_name": page.text(KIND_NAMES[entry.kind]),
        "expires": local_time(ctx, entry.expires_at) if entry.expires_at else page.t("永久", "Never"),
        "status": [page.text(active)],
        "created": local_time(ctx, entry.created_at),
    }


def _responses(page: ConsolePage) -> dict[str, str]:
    return {d: page.t(*words) for d, words in DECISION_WORDS.items()}


def _rule_inputs(page: ConsolePage, values: dict[str, Any], label: str, key: str = "limit") -> None:
    ui.number(label, min=1).bind_value(values, key).props("outlined dense clearable").classes("w-28")
    ui.select(_responses(page)).bind_value(values, "response").props("outlined dense").classes("w-36")


@console_page(
    "/campaigns/risk", label=Text("风控", "Risk control"), area=nav.MARKETING, icon="shield",
    permission=RISK_READ.name, order=30,
)  # fmt: skip
async def risk_page(page: ConsolePage) -> None:
    t = page.t
    page_header(
        t("风控", "Risk control"),
        t("扫码抽奖的风险控制：计数规则、连续序号、异地扫码、黑名单；命中后分级处理（正常、降级、审核、拒绝）",
          "Risk control of scan draws: counters, serial bursts, distance, blacklists; graded responses"),
    )  # fmt: skip
    outcome = await page.run(service.get_risk_settings)
    if outcome:
        SettingsForm(page, outcome.value).draw()
    await BlacklistView(page).draw()


class SettingsForm:
    def __init__(self, page: ConsolePage, settings: RiskSettings) -> None:
        self.page, self.form = page, settings.model_dump()

    def draw(self) -> None:
        t, form = self.page.t, self.form
        hint = t("超过上限即触发；清空则关闭该规则", "More than the limit triggers the response; empty: off")
        with ui.card().classes("w-full gap-2").props("data-testid=risk-settings"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label(t("风控规则", "Rules")).classes("text-base font-medium")
                ui.switch(t("启用风控", "Risk control on")).bind_value(form, "enabled")
            ui.label(hint).classes("text-sm text-grey-7")
            for subject in SUBJECTS:
                with ui.row().classes("items-center gap-2 no-wrap"):
                    ui.label(self.page.text(SUBJECT_NAMES[subject])).classes("w-36")
                    for span in SPANS:
                        _rule_inputs(self.page, form[subject][span], self.page.text(SPAN_NAMES[span]))
            with ui.row().classes("items-center gap-2 no-wrap"):
                ui.label(t("连续序号集中扫码", "Serial bursts")).classes("w-36")
                _rule_inputs(self.page, form["serial_burst"], t("近期相邻码数", "Nearby serials"))
                ui.label(t("远离销售区域", "Far from territory")).classes("w-32 text-right")
                _rule_inputs(self.page, form["far_from_territory"], t("公里", "km"), "km")
            with ui.row().classes("items-center gap-2"):
                ui.label(t("黑名单命中", "Blacklisted")).classes("w-36")
                ui.select(_responses(self.page)).bind_value(form, "blacklist_response").props("outlined dense")
            if self.page.can(RISK_MANAGE.name):
                ui.button(t("保存规则", "Save rules"), icon="save", on_click=self.save)

    async def save(self) -> None:
        done = self.page.t("已保存，立即生效", "Saved; in effect now")
        await self.page.run(lambda ctx: service.update_risk_settings(ctx, settings_update(self.form)), done=done)


class BlacklistView:
    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        self.filters: dict[str, Any] = {"kind": None, "q": None}

    async def draw(self) -> None:
        t, page = self.page.t, self.page
        write = page.can(RISK_WRITE.name)
        with ui.card().classes("w-full gap-2"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label(t("黑名单", "Blacklist")).classes("text-base font-medium")
                if write:
                    ui.button(t("添加", "Add"), icon="add", on_click=self.add)
            with ui.row().classes("w-full items-center gap-3"):
                kinds = {None: t("全部类型", "All kinds")} | {k: page.text(v) for k, v in KIND_NAMES.items()}
                filter_select(kinds, t("类型", "Kind"), self._setter("kind"), width="w-40")
                filter_input(t("值", "Value"), self._setter("q"))
            remove = RowAction("remove", "delete", Text("移出黑名单", "Remove"), self.remove)
            table = DataTable(page, COLUMNS, actions=[remove] if write else [])
            table.table.mark("blacklist")
            self.pager = CursorPager(page, table, self.load)
        await self.pager.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        entries = await service.list_blacklist(ctx, BlacklistEntryFilter(**self.filters), limit, before_id)
        return [entry_row(self.page, ctx, e) for e in entries]

    def _setter(self, key: str) -> Any:
        async def set_filter(value: Any) -> None:
            self.filters[key] = value
            await self.pager.reload()

        return set_filter

    def add(self) -> None:
        t = self.page.t
        labels = {"kind": t("类型", "Kind"), "value": t("值", "Value"), "reason": t("原因", "Reason"),
                  "expires_at": t("有效天数", "Days")}  # fmt: skip

        async def save() -> bool:
            days = float(expiry.value) if expiry.value not in (None, "") else None
            until = dt.datetime.now(dt.UTC) + dt.timedelta(days=days) if days else None

            async def create(ctx: Ctx) -> BlacklistEntryRead:
                data = BlacklistEntryCreate(kind=kind.value, value=value.value, reason=reason.value, expires_at=until)
                return await service.add_blacklist_entry(ctx, data)

            done = t("已加入黑名单，立即生效", "Blacklisted; in effect now")
            ok = await self.page.run(create, done=done, fields=labels)
            if ok:
                await self.pager.reload()
            return bool(ok)

        with FormDialog(self.page, t("加入黑名单", "Blacklist"), save, submit=t("添加", "Add")) as form:
            form.body.props("data-testid=blacklist-dialog")
            kinds = {k: self.page.text(v) for k, v in KIND_NAMES.items() if k in BLACKLIST_KINDS}
            kind = ui.select(kinds, value="ip", label=labels["kind"]).props("outlined dense").classes("w-full")
            value = text_field(t("值（如 203.0.113.0/24、13812345678）", "Value (e.g. 203.0.113.0/24)"))
            reason = text_field(labels["reason"])
            expiry = ui.number(t("有效天数（空：永久）", "Days in force (empty: until removed)"), min=1)
            expiry.props("outlined dense").classes("w-full")
        form.open()

    async def remove(self, row: dict[str, Any]) -> None:
        t = self.page.t
        question = t(f"将 {row['value']} 移出黑名单？", f"Remove {row['value']} from the blacklist?")
        if await confirm(self.page, question, ok=t("移出", "Remove")):
            done = t("已移出", "Removed")
            if await self.page.run(lambda ctx: service.remove_blacklist_entry(ctx, int(row["id"])), done=done):
                await self.pager.refresh()
