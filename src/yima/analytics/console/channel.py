"""返利看板 (channel metrics): scan rate per role against the seeds' norms, rebate cost by policy,
region and dealer, and the Bb rebates held, released and forfeited, over a period of local days.
Figures come from ``analytics.channel_metrics``; every one says how it is counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nicegui import ui

from yima.analytics import service
from yima.analytics.schemas import ChannelMetrics, CostRow, MetricsPeriod, ScanRate
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import page_header
from yima.platform.money import yuan
from yima.rebates.permissions import REBATES_READ

PATH = "/analytics/channel"
BARS = 15
ROLES = {"consumer": Text("消费者扫码率", "Consumer scan rate"), "store": Text("门店扫码率", "Store scan rate")}
WHY = {
    "consumer": Text(
        "消费者扫码的瓶数（去重）÷ 期间激活的瓶数", "Distinct bottles consumers scanned ÷ bottles activated"
    ),
    "store": Text(
        "门店开箱登记的箱数 ÷ 经销商和门店收货的箱数", "Cases stores registered ÷ cases dealers and stores received"
    ),
}
BB_STATES = {
    "held": Text("暂扣中", "Held"),
    "released": Text("已释放", "Released"),
    "forfeited": Text("已没收", "Forfeited"),
}
BB_COLORS = {"held": "#F9A825", "released": "#43A047", "forfeited": "#E53935"}


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def rate_options(page: ConsolePage, rates: list[ScanRate]) -> dict[str, Any]:
    """Each role's rate as a bar (percent), its norm as a shaded band."""
    names = [page.text(ROLES[r.role]) for r in rates]
    bars = [
        {"value": round((r.rate or 0) * 100, 2), "label": {"show": True, "position": "right", "formatter": "{c}%"},
         "itemStyle": {"color": "#43A047" if r.rate is not None and r.rate >= r.norm_low else "#1976D2"}}
        for r in rates
    ]  # fmt: skip
    norms = [
        [{"yAxis": i - 0.4, "xAxis": r.norm_low * 100}, {"yAxis": i + 0.4, "xAxis": r.norm_high * 100}]
        for i, r in enumerate(rates)
    ]
    return {
        "animation": False,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 110, "right": 48, "top": 16, "bottom": 24},
        "xAxis": {"type": "log", "min": 1, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": names},
        "series": [
            {"type": "bar", "name": page.t("扫码率", "Scan rate"), "data": bars, "barMaxWidth": 28,
             "markArea": {"itemStyle": {"color": "rgba(67,160,71,0.15)"}, "data": norms}},
        ],
    }  # fmt: skip


def cost_options(page: ConsolePage, rows: list[CostRow]) -> dict[str, Any]:
    """Horizontal bars of yuan paid, the largest on top."""
    shown = list(reversed(rows[:BARS]))
    return {
        "animation": False,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 150, "right": 64, "top": 8, "bottom": 24},
        "xAxis": {"type": "value", "name": page.t("元", "yuan")},
        "yAxis": {"type": "category", "data": [r.name for r in shown]},
        "series": [{"type": "bar", "data": [r.amount_fen / 100 for r in shown], "barMaxWidth": 22,
                    "itemStyle": {"color": "#C8102E"}, "label": {"show": True, "position": "right"}}],
    }  # fmt: skip


def bb_options(page: ConsolePage, metrics: ChannelMetrics) -> dict[str, Any]:
    """Bb held vs released vs forfeited, in yuan."""
    found = {s.state: s for s in metrics.bb}
    data = [
        {"name": page.text(BB_STATES[state]), "value": found[state].amount_fen / 100 if state in found else 0,
         "itemStyle": {"color": color}}
        for state, color in BB_COLORS.items()
    ]  # fmt: skip
    return {
        "animation": False,
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} (" + page.t("元", "yuan") + ") {d}%"},
        "legend": {"bottom": 0},
        "series": [{"type": "pie", "radius": ["40%", "70%"], "data": data, "label": {"formatter": "{b}\n{c}"}}],
    }


class MetricsView:
    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        t = page.t
        today = dt.datetime.now(page.tenant.zone).date()
        with ui.row().classes("w-full items-center gap-3"):
            self.since = ui.input(t("开始日期", "From"), value=(today - dt.timedelta(days=29)).isoformat())
            self.until = ui.input(t("结束日期", "To"), value=today.isoformat())
            for field, mark in ((self.since, "metrics-since"), (self.until, "metrics-until")):
                field.props("outlined dense type=date stack-label").mark(mark)
            ui.button(t("查询", "Show"), icon="refresh", on_click=self.refresh).mark("metrics-refresh")
        self.cards = ui.row().classes("w-full gap-3").mark("metrics-rates")
        with ui.row().classes("w-full gap-3 no-wrap items-stretch"):
            self.rates = self._chart(
                t("扫码率与标准（绿色区间）", "Scan rate and the norm (green band)"), "chart-rates"
            )
            self.bb = self._chart(t("Bb 防窜货返利：暂扣 / 释放 / 没收", "Bb: held / released / forfeited"), "chart-bb")
        with ui.row().classes("w-full gap-3 no-wrap items-stretch"):
            self.by_policy = self._chart(t("返利成本 · 按政策", "Rebate cost by policy"), "chart-policy")
            self.by_region = self._chart(t("返利成本 · 按地区", "Rebate cost by region"), "chart-region")
            self.by_dealer = self._chart(t("返利成本 · 按经销商", "Rebate cost by dealer"), "chart-dealer")

    @staticmethod
    def _chart(title: str, mark: str) -> ui.echart:
        with ui.card().classes("grow basis-0 gap-1").props("flat bordered"):
            ui.label(title).classes("text-base font-medium")
            return ui.echart({"series": []}, renderer="svg").classes("h-64 w-full").mark(mark)

    async def refresh(self) -> None:
        try:
            period = MetricsPeriod(since=self.since.value or None, until=self.until.value or None)
        except ValueError:
            ui.notify(self.page.t("请选择日期", "Choose the dates"), type="warning")
            return
        outcome = await self.page.run(lambda ctx: service.channel_metrics(ctx, period))
        if outcome:
            self.show(outcome.value)

    def show(self, m: ChannelMetrics) -> None:
        page, t = self.page, self.page.t
        self.cards.clear()
        with self.cards:
            for r in m.scan_rates:
                scanned = "—" if r.scanned is None else f"{r.scanned:,}"
                with ui.card().classes("grow gap-0 px-4 py-2").props("flat bordered").mark(f"rate-{r.role}"):
                    ui.label(page.text(ROLES[r.role])).classes("text-xs text-grey-7")
                    ui.label(percent(r.rate)).classes("text-2xl font-medium").mark(f"rate-{r.role}-value")
                    norm = f"{percent(r.norm_low)}–{percent(r.norm_high)}"
                    ui.label(t(f"{scanned} / {r.base:,} · 标准 {norm}", f"{scanned} / {r.base:,} · norm {norm}"))
                    ui.label(page.text(WHY[r.role])).classes("text-xs text-grey-6")
            with ui.card().classes("grow gap-0 px-4 py-2").props("flat bordered").mark("rate-cost"):
                ui.label(t("返利成本（元）", "Rebate cost (yuan)")).classes("text-xs text-grey-7")
                ui.label(yuan(m.cost_fen)).classes("text-2xl font-medium").mark("rate-cost-value")
                ui.label(t("已发放与已释放的返利", "Paid and released credits")).classes("text-xs text-grey-6")
        for chart, options in (
            (self.rates, rate_options(page, m.scan_rates)), (self.bb, bb_options(page, m)),
            (self.by_policy, cost_options(page, m.by_policy)), (self.by_region, cost_options(page, m.by_region)),
            (self.by_dealer, cost_options(page, m.by_dealer)),
        ):  # fmt: skip
            chart.options.clear()
            chart.options.update(options)
            chart.update()


@console_page(
    PATH, label=Text("返利看板", "Rebate metrics"), area=nav.ANALYTICS, icon="query_stats",
    permission=REBATES_READ.name, order=30,
)  # fmt: skip
async def metrics_page(page: ConsolePage) -> None:
    t = page.t
    with page_header(
        t("返利看板", "Rebate metrics"), t("渠道扫码率、返利成本与防窜货返利", "Channel scan rates, rebate cost, Bb")
    ):
        ui.link(t("返利政策", "Rebate policies"), "/rebates/policies")
    view = MetricsView(page)
    await view.refresh()
