"""窜货报表: diversion findings with filters (status, region, date, dealer), a map of where the
goods were found, Excel export, and confirm/dismiss per finding."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from nicegui import ui

from yima.geo import service as geo
from yima.partners import service as partners
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Column, CursorPager, DataTable, Row, RowAction, local_time, page_header
from yima.platform.ctx import Ctx
from yima.trace import rules
from yima.trace import service as trace
from yima.trace.console.common import STATUSES
from yima.trace.permissions import DIVERSION_WRITE, TRACE_READ
from yima.trace.schemas import DiversionFilter, DiversionRead, DiversionUpdate

MAP_POINTS = 2000
COLUMNS = [
    Column("found_at", Text("发现时间", "Found at")),
    Column("status_name", Text("状态", "Status")),
    Column("dealer", Text("经销商", "Dealer")),
    Column("serial", Text("单元", "Unit"), kind="mono"),
    Column("region", Text("发现地区", "Found in")),
    Column("distance_km", Text("距经营区域 km", "Distance km"), align="right"),
    Column("source", Text("来源", "Source")),
    Column("note", Text("备注", "Note"), kind="wrap"),
]


async def _rows(page: ConsolePage, ctx: Ctx, found: list[DiversionRead]) -> list[Row]:
    dealers = await partners.lookup_dealers(ctx, {d.dealer_id for d in found})
    regions = await geo.regions_by_codes(ctx, {d.region_code for d in found})
    rows = []
    for d in found:
        dealer, region = dealers.get(d.dealer_id), regions.get(d.region_code)
        rows.append(
            {
                "id": d.id,
                "found_at": local_time(ctx, d.found_at),
                "status": d.status,
                "status_name": page.text(STATUSES[d.status]),
                "dealer": f"{dealer.code} {dealer.name}" if dealer else str(d.dealer_id),
                "serial": d.serial,
                "region": region.full_name if region else d.region_code,
                "distance_km": "—" if d.distance_km is None else f"{d.distance_km:,.1f}",
                "source": page.t(*rules.DIVERSION_SOURCES.get(d.source, (d.source, d.source))),
                "note": d.note,
            }
        )
    return rows


def _map_options(points: list[DiversionRead]) -> dict[str, Any]:
    """A scatter of lon/lat (ECharts bundled with NiceGUI; no base map is shipped, so the axes
    are degrees), each point sized by its distance from the territory."""
    data = [[p.lon, p.lat, p.distance_km or 0, p.serial] for p in points if p.lat is not None and p.lon is not None]
    return {
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "value", "name": "lon", "min": 73, "max": 135},
        "yAxis": {"type": "value", "name": "lat", "min": 18, "max": 54},
        "series": [{"type": "scatter", "data": data, "symbolSize": 10, "itemStyle": {"color": "#C8102E"}}],
    }


@console_page(
    "/trace/diversions",
    label=Text("窜货报表", "Diversion report"),
    area=nav.TRACE,
    icon="report",
    permission=TRACE_READ.name,
    order=20,
)
async def diversions_page(page: ConsolePage) -> None:
    t = page.t
    header = page_header(
        t("窜货报表", "Diversion report"),
        t("在经销商经营区域之外扫码或签收的商品", "Goods scanned or signed for outside their dealer's territory"),
    )
    filters: dict[str, Any] = {}
    with ui.row().classes("w-full items-end gap-2"):
        status = ui.select({k: page.text(v) for k, v in STATUSES.items()}, label=t("状态", "Status"), clearable=True)
        region = ui.input(t("地区代码", "Region code")).props("dense clearable").classes("w-36")
        since = ui.input(t("起始日期", "From"), placeholder="2024-01-01").props("dense clearable").classes("w-36")
        until = ui.input(t("截止日期", "To"), placeholder="2024-12-31").props("dense clearable").classes("w-36")
        dealer = ui.number(t("经销商 ID", "Dealer id"), min=1, precision=0).props("dense clearable").classes("w-32")
    # A link (the regional manager's alert) may open the report already filtered.
    if page.query.get("status") in STATUSES:
        status.value = page.query["status"]
    if page.query.get("dealer", "").isdigit():
        dealer.value = int(page.query["dealer"])

    def current() -> DiversionFilter:
        def day(text: str | None) -> dt.datetime | None:
            return dt.datetime.fromisoformat(text).replace(tzinfo=page.tenant.zone) if text else None

        end = day(until.value)
        return DiversionFilter(
            status=status.value or None,
            region=(region.value or "").strip() or None,
            found_from=day(since.value),
            found_to=end + dt.timedelta(days=1) if end else None,
            dealer_id=int(dealer.value) if dealer.value else None,
        )

    async def load(ctx: Ctx, limit: int, before: int | None) -> list[Row]:
        return await _rows(page, ctx, await trace.list_diversions(ctx, filters["current"], limit, before))

    async def set_status(row: Row, value: str) -> None:
        done = await page.run(
            lambda ctx: trace.update_diversion(ctx, int(row["id"]), DiversionUpdate(status=value)),
            done=t("已更新", "Updated"),
        )
        if done:
            await pager.refresh()

    actions = []
    if page.can(DIVERSION_WRITE.name):
        actions = [
            RowAction(
                "confirm",
                "check",
                Text("确认窜货", "Confirm"),
                lambda r: set_status(r, "confirmed"),
                "row.status === 'open'",
            ),
            RowAction(
                "dismiss",
                "close",
                Text("驳回", "Dismiss"),
                lambda r: set_status(r, "dismissed"),
                "row.status === 'open'",
            ),
        ]
    chart = ui.echart(_map_options([])).classes("w-full h-96").props("data-testid=diversion-map")
    table = DataTable(page, COLUMNS, actions=actions)
    pager = CursorPager(page, table, load)

    async def apply() -> None:
        try:
            filters["current"] = current()
        except ValueError:
            ui.notify(t("日期或地区代码格式不对", "A date or region code is malformed"), type="warning")
            return
        await pager.reload()
        outcome = await page.run(lambda ctx: trace.list_diversions(ctx, filters["current"], MAP_POINTS, None))
        if outcome:
            chart.options.update(_map_options(outcome.value))
            chart.update()
        query = {k: v for k, v in filters["current"].model_dump(mode="json").items() if v is not None}
        export.props(f'href="/api/v1/trace/diversions/export?{urlencode(query)}"')

    with header:
        ui.button(t("筛选", "Filter"), icon="filter_list", on_click=apply).props("data-testid=diversion-filter")
        export = ui.button(t("导出 Excel", "Export"), icon="download").props("flat")
    await apply()
