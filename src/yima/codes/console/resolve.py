"""码查询 Resolve: paste anything printed (QR content, URL, GS1 Digital Link, 防伪码, a previous
vendor's code) and see what the code system knows of it."""

from __future__ import annotations

from nicegui import ui

from yima.codes import service as codes
from yima.codes.console.batches import batch_path
from yima.codes.console.common import FACES, LEVELS, UNIT_COLORS, UNIT_STATES, badge, named
from yima.codes.permissions import CODES_READ
from yima.codes.schemas import ResolvedCode
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import page_header

INPUT_KINDS = {
    "token": Text("二维码内容（码串）", "Token"),
    "digital_link": Text("GS1 数字链接", "GS1 Digital Link"),
    "anti_fake": Text("防伪码", "Anti-counterfeit number"),
    "legacy": Text("旧系统码", "Legacy code"),
}


@console_page(
    "/codes/resolve",
    label=Text("码查询", "Look up a code"),
    area=nav.PRODUCTS,
    icon="manage_search",
    permission=CODES_READ.name,
    order=50,
)
async def resolve_page(page: ConsolePage) -> None:
    t = page.t
    page_header(
        t("码查询", "Look up a code"),
        t(
            "粘贴任意印刷内容：二维码网址或码串、GS1 数字链接、防伪码、旧系统码",
            "Paste anything printed: a QR URL or token, a GS1 Digital Link, an anti-counterfeit number, a legacy code",
        ),
    )
    result = ui.column().classes("w-full")

    async def look_up() -> None:
        text = (field.value or "").strip()
        if not text:
            return
        outcome = await page.run(lambda ctx: codes.resolve(ctx, text), fields={"code": t("码", "Code")})
        result.clear()
        if outcome:
            with result:
                _show(page, outcome.value)

    with ui.row().classes("w-full items-center gap-2 no-wrap"):
        field = ui.input(t("码", "Code")).props("outlined dense clearable autofocus").classes("grow font-mono")
        field.on("keydown.enter", look_up)
        field.props("data-testid=resolve-input")
        ui.button(t("查询", "Look up"), icon="search", on_click=look_up).props("data-testid=resolve-button")


def _show(page: ConsolePage, code: ResolvedCode) -> None:
    t = page.t
    with ui.card().classes("w-full gap-3").props("data-testid=resolved"):
        with ui.row().classes("items-center gap-3"):
            ui.label(t(f"序列号 {code.serial}", f"Serial {code.serial}")).classes("text-xl font-medium")
            badge(page, UNIT_STATES, UNIT_COLORS, code.state).props("data-testid=unit-state")
            if code.block_reason:
                ui.label(t(f"原因：{code.block_reason}", f"Reason: {code.block_reason}")).classes("text-negative")
        product = (
            f"{code.product.sku} · {code.product.name}" if code.product else t("（未激活，尚无商品）", "(none yet)")
        )
        facts = [
            (t("输入类型", "Input"), named(page, INPUT_KINDS, code.input_kind)),
            (t("层级", "Level"), named(page, LEVELS, code.level)),
            (
                t("码面", "Face"),
                named(page, FACES, code.face) if code.face else t("（防伪码：整个单元）", "(the unit)"),
            ),
            (t("商品", "Product"), product),
            ("GTIN", code.product.gtin or "—" if code.product else "—"),
            (t("生产批号", "Lot"), code.lot or "—"),
            (t("生产日期", "Production date"), code.production_date.isoformat() if code.production_date else "—"),
            (t("下级数量", "Children"), str(code.children_count)),
        ]
        with ui.grid(columns=4).classes("w-full gap-x-8 gap-y-2"):
            for label, value in facts:
                with ui.column().classes("gap-0"):
                    ui.label(label).classes("text-xs text-grey-7")
                    ui.label(value).classes("text-sm")
        with ui.row().classes("items-center gap-2"):
            ui.label(t("码包", "Batch")).classes("text-xs text-grey-7")
            ui.link(f"#{code.batch_id}", batch_path(code.batch_id)).props("data-testid=resolved-batch")
        if code.parents:
            with ui.row().classes("items-center gap-2"):
                ui.label(t("所在包装", "Packed in")).classes("text-xs text-grey-7")
                for parent in code.parents:
                    ui.chip(f"{named(page, LEVELS, parent.level)} {parent.serial}").props("dense square")
        if code.url:
            with ui.column().classes("gap-0"):
                ui.label(t("印刷网址", "Printed URL")).classes("text-xs text-grey-7")
                ui.label(code.url).classes("text-sm font-mono break-all")
