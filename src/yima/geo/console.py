"""区域 Regions: browse GB/T 2260 regions by cascading selects, search them by name, locate a point
and parse an address."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.geo import service
from yima.geo.permissions import GEO_READ
from yima.geo.schemas import RegionRead
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Column, DataTable, filter_input, page_header

LEVELS = {"province": Text("省级", "Province"), "city": Text("地级", "City"), "district": Text("县级", "District")}
COLUMNS = [
    Column("code", Text("代码", "Code"), kind="mono"),
    Column("full_name", Text("名称", "Name")),
    Column("level", Text("级别", "Level"), kind="tags"),
    Column("centroid", Text("中心点", "Centroid"), kind="mono"),
]


def _centroid(region: RegionRead) -> str:
    return f"{region.lat:.4f}, {region.lon:.4f}" if region.lat is not None and region.lon is not None else "—"


def _card(title: str, icon: str) -> ui.card:
    card = ui.card().classes("w-full gap-3")
    with card, ui.row().classes("items-center gap-2 text-grey-8"):
        ui.icon(icon, size="20px")
        ui.label(title).classes("text-base font-medium")
    return card


@console_page(
    "/geo/regions", label=Text("行政区划", "Regions"), area=nav.SETTINGS, icon="map", permission=GEO_READ.name, order=50
)
async def regions_page(page: ConsolePage) -> None:
    page_header(
        page.t("行政区划", "Regions"),
        page.t(
            "国家标准 GB/T 2260 的省、市、区县及其中心点，用于经销商区域与窜货判定",
            "GB/T 2260 provinces, cities and districts with centroids, for dealer territories and diversion",
        ),
    )
    with ui.grid(columns=2).classes("w-full gap-4"):
        with _card(page.t("浏览", "Browse"), "account_tree"):
            await Cascade(page).start()
        with _card(page.t("工具", "Tools"), "build"):
            _tools(page)
    await _search(page)


class Cascade:
    """Province → city → district selects; the deepest choice is described below them."""

    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        t = page.t
        with ui.grid(columns=3).classes("w-full gap-2"):
            self.selects = [
                ui.select({}, label=label, with_input=True, on_change=lambda e, d=depth: self.chosen(d, e.value))
                .props("outlined dense clearable options-dense")
                .classes("w-full min-w-0")
                for depth, label in enumerate((t("省份", "Province"), t("城市", "City"), t("区县", "District")))
            ]
        self.detail = ui.column().classes("gap-1")

    async def start(self) -> None:
        await self._fill(0, None)

    async def _fill(self, depth: int, parent: str | None) -> None:
        outcome = await self.page.run(lambda ctx: service.children_of(ctx, parent))
        regions = outcome.value if outcome else []
        select = self.selects[depth]
        select.set_options({r.code: r.name for r in regions})
        select.set_visibility(bool(regions) or depth == 0)
        if len(regions) == 1:  # 北京 → 市辖区: nothing to choose
            select.set_value(regions[0].code)

    async def chosen(self, depth: int, code: str | None) -> None:
        for below in self.selects[depth + 1 :]:
            below.set_options({})
            below.set_value(None)
        parent = code or (self.selects[depth - 1].value if depth else None)
        await self._describe(parent)
        if code and depth + 1 < len(self.selects):
            await self._fill(depth + 1, code)

    async def _describe(self, code: str | None) -> None:
        self.detail.clear()
        if not code:
            return
        outcome = await self.page.run(lambda ctx: service.get_region(ctx, code))
        if not outcome:
            return
        region, t = outcome.value, self.page.t
        with self.detail:
            ui.label(region.full_name).classes("text-lg font-medium")
            rows = (
                (t("代码", "Code"), region.code),
                (t("级别", "Level"), self.page.text(LEVELS[region.level])),
                (t("中心点", "Centroid"), _centroid(region)),
            )
            for label, value in rows:
                with ui.row().classes("gap-2 text-sm"):
                    ui.label(label).classes("text-grey-7 w-16")
                    ui.label(value).classes("font-mono")


def _tools(page: ConsolePage) -> None:
    t = page.t
    ui.label(t("坐标定位：离该点最近的区县（按中心点）", "Locate: the district nearest a point (by centroid)")).classes(
        "text-sm text-grey-7"
    )
    with ui.row().classes("w-full items-center gap-2 no-wrap"):
        lat = ui.number(t("纬度", "Latitude"), value=30.259, min=-90, max=90).props("outlined dense").classes("w-36")
        lon = ui.number(t("经度", "Longitude"), value=120.13, min=-180, max=180).props("outlined dense").classes("w-36")
        locate_button = ui.button(t("定位", "Locate"), icon="my_location")
    located = ui.label().classes("text-sm")

    async def locate() -> None:
        if lat.value is None or lon.value is None:
            return
        outcome = await page.run(lambda ctx: service.locate(ctx, float(lat.value), float(lon.value)))
        if outcome:
            found, away = outcome.value, t("距中心点", "from centroid")
            located.set_text(
                f"{found.region.code} {found.region.full_name} · {away} {found.distance_km} km"
                if found.region
                else t("中国境外，无对应区县", "Outside China: no region")
            )

    locate_button.on_click(locate)
    ui.separator()
    ui.label(t("地址解析：识别地址中的省、市、区县", "Parse: the province, city and district in an address")).classes(
        "text-sm text-grey-7"
    )
    with ui.row().classes("w-full items-center gap-2 no-wrap"):
        address = ui.input(t("地址", "Address"), value="浙江省杭州市西湖区文三路 90 号").props("outlined dense")
        address.classes("grow")
        parse_button = ui.button(t("解析", "Parse"), icon="travel_explore")
    parsed_label = ui.label().classes("text-sm")

    async def parse() -> None:
        text = (address.value or "").strip()
        if not text:
            return
        outcome = await page.run(lambda ctx: service.parse_address(ctx, text))
        if outcome:
            parsed = outcome.value
            parsed_label.set_text(
                f"{parsed.code} {parsed.full_name} · {t('详细地址', 'detail')}: {parsed.detail or '—'} · "
                f"{t('置信度', 'confidence')} {parsed.confidence:.1f}"
                if parsed.code
                else t("未识别出区域", "No region found")
            )

    parse_button.on_click(parse)


async def _search(page: ConsolePage) -> None:
    async def search(q: str | None) -> None:
        if not q:
            table.set_rows([])
            return
        outcome = await page.run(lambda ctx: service.search_regions(ctx, q, limit=50))
        if outcome:
            table.set_rows([_row(page, r) for r in outcome.value])

    filter_input(page.t("按名称搜索，如 西湖", "Search by name, e.g. 西湖"), search, width="w-72")
    table = DataTable(page, COLUMNS, row_key="code")


def _row(page: ConsolePage, region: RegionRead) -> dict[str, Any]:
    level = page.text(LEVELS[region.level])
    return {"code": region.code, "full_name": region.full_name, "level": [level], "centroid": _centroid(region)}
