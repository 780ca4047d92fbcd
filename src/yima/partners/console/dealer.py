"""经销商详情 A dealer: its facts, its territory (经营区域) with an editor, and its stores."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.geo import service as geo
from yima.partners import service
from yima.partners.console.common import ACTIVE_COLORS, RegionPicker, active_tag, labels
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import DealerRead, StoreFilter, StoreRead
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Column, DataTable, local_time, page_header
from yima.platform.ctx import Ctx

STORE_COLUMNS = [
    Column("code", Text("编码", "Code"), kind="mono"),
    Column("name", Text("名称", "Name")),
    Column("region", Text("区域", "Region")),
    Column("inside", Text("经营区域内", "In territory"), kind="tags", tag_colors={"否": "negative", "No": "negative"}),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors=ACTIVE_COLORS),
]
STORES_SHOWN = 200


@console_page(
    "/partners/dealer",
    label=Text("经销商详情", "Dealer"),
    area=nav.CHANNEL,
    icon="handshake",
    permission=PARTNERS_READ.name,
    in_nav=False,
)
async def dealer_page(page: ConsolePage) -> None:
    raw = page.query.get("id", "")
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        page_header(page.t("没有这个经销商", "No such dealer"))
        return
    outcome = await page.run(lambda ctx: _load(ctx, int(raw)))
    if not outcome:
        page_header(page.t("没有这个经销商", "No such dealer"))
        return
    dealer, stores, (created, updated) = outcome.value
    t = page.t
    facts = [(t("创建", "Created"), created), (t("更新", "Updated"), updated)]
    with page_header(f"{dealer.name}", dealer.code):
        ui.link(t("返回经销商列表", "Back to dealers"), "/partners/dealers")
    with ui.grid(columns=2).classes("w-full gap-4"):
        with ui.card().classes("w-full gap-2"):
            ui.label(t("基本信息", "Details")).classes("text-base font-medium")
            for label, value in _facts(page, dealer) + facts:
                with ui.row().classes("gap-2 text-sm no-wrap"):
                    ui.label(label).classes("text-grey-7 w-20 shrink-0")
                    ui.label(value)
        with ui.card().classes("w-full gap-3"):
            await TerritoryEditor(page, dealer).start()
    ui.label(t(f"门店（{dealer.store_count}）", f"Stores ({dealer.store_count})")).classes("text-lg font-medium")
    table = DataTable(page, STORE_COLUMNS)
    table.table.mark("dealer-stores")
    table.set_rows([store_row(page, s) for s in stores])


async def _load(ctx: Ctx, dealer_id: int) -> tuple[DealerRead, list[StoreRead], tuple[str, str]]:
    dealer = await service.get_dealer(ctx, dealer_id)
    stores = await service.list_stores(ctx, StoreFilter(dealer_id=dealer_id), STORES_SHOWN, None)
    return dealer, stores[:STORES_SHOWN], (local_time(ctx, dealer.created_at), local_time(ctx, dealer.updated_at))


def _facts(page: ConsolePage, dealer: DealerRead) -> list[tuple[str, str]]:
    t = page.t
    return [
        (t("状态", "Status"), active_tag(page, dealer.active)[0]),
        (t("联系人", "Contact"), dealer.contact_name or "—"),
        (t("电话", "Phone"), dealer.phone or "—"),
        (t("地址", "Address"), dealer.address or "—"),
        (t("所在地", "Seat"), f"{dealer.region_name} ({dealer.region_code})" if dealer.region_code else "—"),
        (t("级别", "Level"), t("一级经销商", "Dealer") if dealer.level == 1 else t("分销商", "Sub-distributor")),
    ]


def store_row(page: ConsolePage, store: StoreRead) -> dict[str, Any]:
    t = page.t
    inside = {True: [t("是", "Yes")], False: [t("否", "No")], None: []}[store.in_dealer_territory]
    return {
        "id": store.id,
        "code": store.code,
        "name": store.name,
        "region": store.region_name or "—",
        "inside": inside,
        "status": active_tag(page, store.active),
    }


class TerritoryEditor:
    """The territory as removable chips, a region picker to add one, and a save button."""

    def __init__(self, page: ConsolePage, dealer: DealerRead) -> None:
        self.page, self.dealer = page, dealer
        self.regions: dict[str, str] = {r.code: r.name for r in dealer.territory}
        self.write = page.can(PARTNERS_WRITE.name)
        t = page.t
        ui.label(t("经营区域", "Territory")).classes("text-base font-medium")
        ui.label(
            t(
                "可销售的省、市或区县；列出的区域包含其下级区域。区域外的扫码与签收视为窜货。",
                "Provinces, cities or districts it may sell in; a region includes those under it. Scans "
                "and sign-fors outside are diversion.",
            )
        ).classes("text-sm text-grey-7")
        self.chips = ui.row().classes("gap-1").mark("territory")
        self.picker: RegionPicker | None = None
        if self.write:
            self.picker = RegionPicker(page)
            with ui.row().classes("gap-2"):
                ui.button(t("添加区域", "Add region"), icon="add", on_click=self.add).props("outline").mark(
                    "territory-add"
                )
                self.save_button = ui.button(t("保存经营区域", "Save territory"), icon="save", on_click=self.save)
                self.save_button.mark("territory-save")
        self._draw()

    async def start(self) -> None:
        if self.picker:
            await self.picker.start()

    def _draw(self) -> None:
        self.chips.clear()
        with self.chips:
            if not self.regions:
                ui.label(self.page.t("未设置：所有扫码都在区域外", "Not set: every scan is outside")).classes(
                    "text-sm text-negative"
                )
            for code, name in sorted(self.regions.items()):
                chip = ui.chip(f"{name} · {code}", removable=self.write, color="blue-1", text_color="blue-10")
                chip.on("remove", lambda _, c=code: self.remove(c))

    def remove(self, code: str) -> None:
        self.regions.pop(code, None)
        self._draw()

    async def add(self) -> None:
        code = self.picker.value if self.picker else None
        if not code:
            ui.notify(self.page.t("请先选择省、市或区县", "Choose a province, city or district first"), type="warning")
            return
        outcome = await self.page.run(lambda ctx: geo.get_region(ctx, code))
        if outcome:
            self.regions[code] = outcome.value.full_name
            self._draw()

    async def save(self) -> None:
        codes = sorted(self.regions)
        outcome = await self.page.run(
            lambda ctx: service.set_territory(ctx, self.dealer.id, codes),
            done=self.page.t("经营区域已保存", "Territory saved"),
            fields=labels(self.page),
        )
        if outcome:
            self.regions = {r.code: r.name for r in outcome.value.regions}
            self._draw()
