"""全生命周期: paste any printed code and see its whole life as a timeline — its own events and
those of the case and pallet it sat in, its parents and children, who holds it now."""

from __future__ import annotations

import datetime as dt

from nicegui import ui

from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import page_header
from yima.trace import rules
from yima.trace import service as trace
from yima.trace.console.common import LEVELS, PARTIES, STEPS
from yima.trace.permissions import TRACE_READ
from yima.trace.schemas import Holder, LifecycleEvent, UnitLifecycle


@console_page(
    "/trace/lifecycle",
    label=Text("全生命周期", "Lifecycle"),
    area=nav.TRACE,
    icon="timeline",
    permission=TRACE_READ.name,
    order=10,
)
async def lifecycle_page(page: ConsolePage) -> None:
    t = page.t
    page_header(
        t("全生命周期", "Lifecycle"),
        t("粘贴瓶、箱或托的任意印刷码，查看其完整物流轨迹", "Paste any printed code of a bottle, case or pallet"),
    )
    result = ui.column().classes("w-full")

    async def look_up() -> None:
        text = (field.value or "").strip()
        if not text:
            return
        outcome = await page.run(lambda ctx: trace.unit_lifecycle(ctx, text), fields={"code": t("码", "Code")})
        result.clear()
        if outcome:
            with result:
                _show(page, outcome.value)

    with ui.row().classes("w-full items-center gap-2 no-wrap"):
        field = ui.input(t("码", "Code"), value=page.query.get("code", "")).props("outlined dense clearable autofocus")
        field.classes("grow font-mono").props("data-testid=lifecycle-input")
        field.on("keydown.enter", look_up)
        ui.button(t("查询", "Look up"), icon="search", on_click=look_up).props("data-testid=lifecycle-button")
    if page.query.get("code"):
        await look_up()


def _named(page: ConsolePage, words: dict[str, Text], key: str | None) -> str:
    return page.text(words[key]) if key in words else (key or "—")


def party(page: ConsolePage, uri: str | None) -> str:
    found = rules.parse_party(uri)
    return f"{page.text(PARTIES[found[0]])} #{found[1]}" if found else (uri or "—")


def _holder(page: ConsolePage, holder: Holder | None) -> str:
    t = page.t
    if holder is None:
        return t("（尚无物流记录）", "(no logistics event yet)")
    parts = [
        f"{page.text(PARTIES[kind])} #{value}"
        for kind, value in (
            ("dealer", holder.dealer_id),
            ("store", holder.store_id),
            ("warehouse", holder.warehouse_id),
        )
        if value
    ]
    where = party(page, holder.place) if holder.place else t("在途", "on the road")
    return f"{' · '.join(parts) or '—'} ({where})"


def _local(page: ConsolePage, moment: dt.datetime) -> str:
    return moment.astimezone(page.tenant.zone).strftime("%Y-%m-%d %H:%M:%S")


def _show(page: ConsolePage, life: UnitLifecycle) -> None:
    t = page.t
    with ui.card().classes("w-full gap-3").props("data-testid=lifecycle"):
        with ui.row().classes("items-center gap-3"):
            ui.label(f"{_named(page, LEVELS, life.level)} {life.serial}").classes("text-xl font-medium")
            ui.badge(life.state).props("outline")
            if life.diverted:
                ui.badge(t("窜货", "Diverted"), color="negative").props("data-testid=diverted")
        facts = [
            (t("商品", "Product"), f"{life.product_sku} · {life.product_name}" if life.product_sku else "—"),
            (t("生产批号", "Lot"), life.lot or "—"),
            (t("生产日期", "Production date"), life.production_date.isoformat() if life.production_date else "—"),
            (t("码包", "Batch"), f"#{life.batch_id}"),
            (t("当前持有", "Held by"), _holder(page, life.holder)),
            (t("下级数量", "Children"), str(life.children_count)),
        ]
        with ui.grid(columns=3).classes("w-full gap-x-8 gap-y-2"):
            for label, value in facts:
                with ui.column().classes("gap-0"):
                    ui.label(label).classes("text-xs text-grey-7")
                    ui.label(value).classes("text-sm").props(f"data-testid=fact-{label}")
        ui.label(life.epc).classes("text-xs font-mono text-grey-7 break-all")
        for title, units in ((t("所在包装", "Packed in"), life.parents), (t("包含", "Holds"), life.children)):
            if units:
                with ui.row().classes("items-center gap-2"):
                    ui.label(title).classes("text-xs text-grey-7")
                    for unit in units:
                        target = page.url(f"/trace/lifecycle?code={unit.epc}")
                        ui.link(f"{_named(page, LEVELS, unit.level)} {unit.serial}", target).classes("text-sm")
    with ui.timeline(side="right").classes("w-full").props("data-testid=timeline"):
        for event in reversed(life.events):
            _entry(page, event)
        if not life.events:
            ui.label(t("暂无事件", "No events yet")).classes("text-grey-7")


def _entry(page: ConsolePage, event: LifecycleEvent) -> None:
    t = page.t
    step = _named(page, STEPS, event.biz_step)
    if event.action == "DELETE" and event.biz_step is None:
        step = t("拆箱", "Unpacked")
    inherited = event.inherited_from
    subtitle = _local(page, event.event_time)
    icon = "subdirectory_arrow_right" if inherited else "radio_button_checked"
    with ui.timeline_entry(title=step, subtitle=subtitle, icon=icon, color="grey" if inherited else "primary"):
        lines = []
        if inherited is not None:
            unit = f"{_named(page, LEVELS, inherited.level)} {inherited.serial}"
            lines.append(t(f"继承自{unit}", f"Inherited from {unit}"))
        if event.sources:
            lines.append(t("从 ", "From ") + ", ".join(party(page, s) for s in event.sources))
        if event.destinations:
            lines.append(t("到 ", "To ") + ", ".join(party(page, d) for d in event.destinations))
        if event.biz_location:
            lines.append(t("地点 ", "At ") + party(page, event.biz_location))
        if event.disposition:
            lines.append(t("状态 ", "Disposition ") + event.disposition)
        for line in lines:
            ui.label(line).classes("text-sm")
