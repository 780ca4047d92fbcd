"""渠道库存: channel inventory in bottles per dealer, store, product or region — received, shipped,
consumed, stock and its goods age (货龄) in a table and a bar chart stacked by age — and the
diversion (窜货) counts grouped the same way. Figures come from the analytics service."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.analytics import service as analytics
from yima.analytics.permissions import ANALYTICS_READ
from yima.analytics.schemas import DiversionSummary, InventoryFilter, InventoryReport
from yima.catalog import service as catalog
from yima.catalog.schemas import ProductFilter
from yima.partners import service as partners
from yima.partners.schemas import DealerFilter
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Column, DataTable, page_header
from yima.platform.ctx import Ctx

CHART_BARS = 20  # the holders with the most stock; the table lists all
OPTIONS = 500  # dealers and products offered in the filters
GROUPS = {
    "dealer": Text("经销商", "Dealer"),
    "store": Text("门店", "Store"),
    "product": Text("商品", "Product"),
    "region": Text("地区", "Region"),
}
LEVELS = {"city": Text("市", "City"), "province": Text("省", "Province")}
AGES = {
    "0-30": Text("0–30 天", "0–30 days"),
    "31-90": Text("31–90 天", "31–90 days"),
    "91-180": Text("91–180 天", "91–180 days"),
    "180+": Text("180 天以上", "Over 180 days"),
}
AGE_COLORS = {"0-30": "#2E7D32", "31-90": "#F9A825", "91-180": "#EF6C00", "180+": "#C62828"}
FIGURES = [
    Column("received", Text("入（瓶）", "In (bottles)"), align="right"),
    Column("shipped", Text("出（瓶）", "Out"), align="right"),
    Column("consumed", Text("消费（开瓶）", "Consumed"), align="right"),
    Column("stock", Text("库存", "Stock"), align="right"),
]
DIVERSION_COLUMNS = [
    Column("open", Text("待处理", "Open"), align="right"),
    Column("confirmed", Text("已确认", "Confirmed"), align="right"),
    Column("dismissed", Text("已驳回", "Dismissed"), align="right"),
    Column("total", Text("合计", "Total"), align="right"),
]


def _name_columns(group: str) -> list[Column]:
    return [Column("code", Text("编码", "Code"), kind="mono"), Column("name", GROUPS[group])]


def _inventory_rows(page: ConsolePage, report: InventoryReport) -> list[dict[str, Any]]:
    total = report.total.model_copy(update={"name": page.t("合计", "Total")})
    return [
        {
            "key": row.key,
            "code": row.code or "",
            "name": row.name,
            **{f.name: f"{getattr(row, f.name):,}" for f in FIGURES},
            **{f"age_{bucket}": f"{row.age.get(bucket, 0):,}" for bucket in report.buckets},
        }
        for row in [*report.rows, total]
    ]


def _diversion_rows(page: ConsolePage, summary: DiversionSummary) -> list[dict[str, Any]]:
    total = summary.total.model_copy(update={"name": page.t("合计", "Total")})
    return [
        {"key": r.key, "name": r.name, **{c.name: f"{getattr(r, c.name):,}" for c in DIVERSION_COLUMNS}}
        for r in [*summary.rows, total]
    ]


def chart_options(page: ConsolePage, report: InventoryReport) -> dict[str, Any]:
    """Bars of the stock per row (the ``CHART_BARS`` largest), stacked by 货龄."""
    rows = [r for r in report.rows if r.stock > 0][:CHART_BARS]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 48, "right": 16, "top": 36, "bottom": 72},
        "xAxis": {"type": "category", "data": [r.name for r in rows], "axisLabel": {"rotate": 30, "interval": 0}},
        "yAxis": {"type": "value", "name": page.t("瓶", "bottles")},
        "series": [
            {
                "name": page.text(AGES[bucket]),
                "type": "bar",
                "stack": "stock",
                "barMaxWidth": 48,
                "data": [r.age.get(bucket, 0) for r in rows],
                "itemStyle": {"color": AGE_COLORS[bucket]},
            }
            for bucket in report.buckets
        ],
    }


async def _choices(page: ConsolePage) -> tuple[dict[Any, str], dict[Any, str]]:
    """The dealers and products the filters offer (None: all)."""
    dealers: dict[Any, str] = {None: page.t("全部经销商", "All dealers")}
    products: dict[Any, str] = {None: page.t("全部商品", "All products")}

    async def load(ctx: Ctx) -> None:
        if ctx.actor.can("partners:read"):
            for d in await partners.list_dealers(ctx, DealerFilter(), OPTIONS, None):
                dealers[d.id] = f"{d.code} {d.name}"
        if ctx.actor.can("catalog:read"):
            for p in await catalog.list_products(ctx, ProductFilter(), OPTIONS, None):
                products[p.id] = f"{p.sku} · {p.name}"

    await page.run(load)
    return dealers, products


@console_page(
    "/analytics/channel-inventory",
    label=Text("渠道库存", "Channel inventory"),
    area=nav.ANALYTICS,
    icon="inventory_2",
    permission=ANALYTICS_READ.name,
    order=10,
)
async def channel_inventory_page(page: ConsolePage) -> None:
    t = page.t
    header = page_header(
        t("渠道库存", "Channel inventory"),
        t(
            "经销商与门店手中的瓶数：入 − 出 − 消费（开瓶扫码），按货龄分段；以及窜货统计",
            "Bottles held by dealers and stores: in − out − consumed (opened and scanned), by goods age; "
            "and diversion counts",
        ),
    )
    dealers, products = await _choices(page)
    with ui.row().classes("w-full items-end gap-2"):
        named = {k: page.text(v) for k, v in GROUPS.items()}
        group = ui.select(named, value="dealer", label=t("维度", "Group by"))
        group.props("dense outlined data-testid=inventory-group").classes("w-36")
        levels = {k: page.text(v) for k, v in LEVELS.items()}
        level = ui.select(levels, value="city", label=t("地区级别", "Region level"))
        level.props("dense outlined data-testid=inventory-level").classes("w-32")
        dealer = ui.select(dealers, value=None, label=t("经销商", "Dealer"), with_input=True)
        dealer.props("dense outlined data-testid=inventory-dealer").classes("w-64")
        product = ui.select(products, value=None, label=t("商品", "Product"), with_input=True)
        product.props("dense outlined data-testid=inventory-product").classes("w-64")
    level.bind_visibility_from(group, "value", backward=lambda v: v == "region")
    lagging = ui.label(
        t(
            "消费扫码正在后台补录，消费与库存数可能暂时偏高/偏低，稍后刷新即可",
            "Consumer scans are still being taken in by a background job; consumed figures may lag — refresh shortly",
        )
    ).classes("text-sm text-orange-9")
    lagging.props("data-testid=inventory-lagging")
    lagging.set_visibility(False)
    totals = ui.row().classes("w-full gap-4")
    chart = ui.echart({"series": []}).classes("w-full h-96").props("data-testid=inventory-chart")
    inventory = ui.column().classes("w-full gap-1").props("data-testid=inventory-table")
    ui.label(t("窜货统计", "Diversions")).classes("text-lg font-medium text-grey-9 q-mt-md")
    diversions = ui.column().classes("w-full gap-1").props("data-testid=diversion-summary")

    def current() -> InventoryFilter:
        return InventoryFilter(
            group=group.value, region_level=level.value, dealer_id=dealer.value, product_id=product.value
        )

    async def figures(ctx: Ctx) -> tuple[InventoryReport, DiversionSummary]:
        f = current()
        return await analytics.channel_inventory(ctx, f), await analytics.diversion_summary(ctx, f)

    async def apply() -> None:
        outcome = await page.run(figures)
        if not outcome:
            return
        report, summary = outcome.value
        lagging.set_visibility(not report.consumption_current)
        totals.clear()
        with totals:
            for f in FIGURES:
                with ui.card().classes("gap-0 px-4 py-2").props(f"data-testid=total-{f.name} flat bordered"):
                    ui.label(page.text(f.label)).classes("text-xs text-grey-7")
                    ui.label(f"{getattr(report.total, f.name):,}").classes("text-xl font-medium")
        chart.options.clear()
        chart.options.update(chart_options(page, report))
        chart.update()
        ages = [Column(f"age_{b}", AGES[b], align="right") for b in report.buckets]
        inventory.clear()
        with inventory:
            DataTable(page, [*_name_columns(report.group), *FIGURES, *ages], row_key="key").set_rows(
                _inventory_rows(page, report)
            )
        diversions.clear()
        with diversions:
            names = [Column("name", GROUPS[summary.group])]
            DataTable(page, [*names, *DIVERSION_COLUMNS], row_key="key").set_rows(_diversion_rows(page, summary))

    for field in (group, level, dealer, product):
        field.on_value_change(apply)
    with header:
        ui.button(t("刷新", "Refresh"), icon="refresh", on_click=apply).props("data-testid=inventory-refresh")
    await apply()
