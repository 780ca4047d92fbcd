"""活动实时看板: one running campaign as its marketing staff watch it — KPI cards, spend against
the budget (a gauge) and today's pacing cap (a bar), today's hours beside the day before's, the
last 14 days, provinces (or a province's cities) and the prize pool with its stock left. It
refreshes itself every ``REFRESH_SECONDS`` without reloading the page. Figures come from
``analytics.campaign_dashboard``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import events, ui

from yima.analytics import service as analytics
from yima.analytics.schemas import CampaignDashboard, DashboardKpis, RegionPoint
from yima.campaigns import service as campaigns
from yima.campaigns.permissions import CAMPAIGNS_READ
from yima.campaigns.schemas import CampaignFilter, CampaignRead
from yima.geo import service as geo
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Column, DataTable, page_header
from yima.platform.ctx import Ctx
from yima.platform.money import yuan

PATH = "/analytics/campaigns"
REFRESH_SECONDS = 10.0
CAMPAIGNS_OFFERED = 200
REGION_BARS = 20
STATES = dict(
    draft=Text("草稿", "Draft"), scheduled=Text("待开始", "Scheduled"), running=Text("进行中", "Running"),
    paused=Text("已暂停", "Paused"), ended=Text("已结束", "Ended"),
)  # fmt: skip
KINDS = dict(
    cash=Text("现金红包", "Cash"), points=Text("积分", "Points"), coupon=Text("优惠券", "Coupon"),
    product_coupon=Text("产品券", "Product coupon"), gift=Text("实物礼品", "Gift"),
)  # fmt: skip
PRIZE_COLUMNS = [
    Column("name", Text("奖品", "Prize")),
    Column("kind", Text("类型", "Kind")),
    Column("stock", Text("库存", "Stock"), align="right"),
    Column("left", Text("剩余", "Left"), align="right"),
    Column("awarded", Text("已发", "Awarded"), align="right"),
    Column("spent", Text("花费（元）", "Spent (yuan)"), align="right"),
]
COLORS = {"scans": "#1976D2", "awards": "#E53935", "spend": "#F9A825", "held": "#8E24AA", "rejected": "#546E7A"}


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


Kpi = tuple[str, Text, Callable[[DashboardKpis], str], Callable[[ConsolePage, DashboardKpis], str]]
KPIS: list[Kpi] = [
    ("scans", Text("参与扫码", "Scans"), lambda k: f"{k.scans:,}",
     lambda p, k: p.t(f"今日 {k.today_scans:,} · 共 {k.scanners:,} 人",
                      f"today {k.today_scans:,} · {k.scanners:,} people in all")),
    ("awards", Text("中奖次数", "Awards"), lambda k: f"{k.awards:,}",
     lambda p, k: p.t(f"今日 {k.today_awards:,} · 保底 {k.fallback_awards:,}",
                      f"today {k.today_awards:,} · fallback {k.fallback_awards:,}")),
    ("winners", Text("中奖人数", "Winners"), lambda k: f"{k.winners:,}",
     lambda p, k: p.t(f"今日 {k.today_winners:,}", f"today {k.today_winners:,}")),
    ("win-rate", Text("中奖率", "Win rate"), lambda k: percent(k.win_rate),
     lambda p, k: p.t(f"现金 {yuan(k.cash_fen)} 元", f"cash {yuan(k.cash_fen)} yuan")),
    ("spent", Text("已用预算（元）", "Spent (yuan)"), lambda k: yuan(k.spent_fen),
     lambda p, k: p.t(f"预算 {yuan(k.budget_fen)} · {percent(k.budget_used)}",
                      f"of {yuan(k.budget_fen)} · {percent(k.budget_used)}")),
    ("today-spent", Text("今日花费（元）", "Spent today (yuan)"), lambda k: yuan(k.today_spent_fen),
     lambda p, k: p.t("每日上限 ", "daily cap ") + (yuan(k.daily_cap_fen) if k.daily_cap_fen else p.t("不限", "none"))),
    ("held", Text("待审核", "Held for review"), lambda k: f"{k.held_for_review:,}",
     lambda p, k: p.t(f"审核拒绝 {k.review_rejected:,}", f"rejected in review {k.review_rejected:,}")),
    ("rejected", Text("风控拦截", "Rejected by risk"), lambda k: f"{k.risk_rejected:,}",
     lambda p, k: p.t("风控直接拒绝的扫码", "refused outright by risk control")),
]  # fmt: skip


def _labelled(values: list[int]) -> list[Any]:
    """Bar values with their number shown on top, zeros left bare."""
    return [{"value": v, "label": {"show": v > 0, "position": "top"}} for v in values]


def _series(name: str, kind: str, data: list[Any], color: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "data": data, "itemStyle": {"color": color}, "barMaxWidth": 28, **extra}


def _frame(categories: list[str], series: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "animation": False,  # a refresh every few seconds should not replay the growth
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 56, "right": 56, "top": 40, "bottom": 32},
        "xAxis": {"type": "category", "data": categories},
        "yAxis": {"type": "value"},
        "series": series,
        **extra,
    }


def _yuan_axis(page: ConsolePage) -> dict[str, Any]:
    """A second value axis, in yuan, for the spend beside the counts."""
    return {"type": "value", "name": page.t("元", "yuan"), "splitLine": {"show": False}}


def hourly_options(page: ConsolePage, dash: CampaignDashboard) -> dict[str, Any]:
    """Today's scans and awards per hour as bars, the day before's as dashed lines; today's spend
    (yuan) as a line on the right."""
    t, hours = page.t, dash.hours
    dashed = {"lineStyle": {"type": "dashed"}, "symbol": "none"}
    options = _frame(
        [f"{h.hour}" for h in hours],
        [
            _series(t("今日扫码", "Scans today"), "bar", _labelled([h.scans for h in hours]), COLORS["scans"]),
            _series(t("今日中奖", "Awards today"), "bar", _labelled([h.awards for h in hours]), COLORS["awards"]),
            _series(t("昨日扫码", "Scans yesterday"), "line", [h.prev_scans for h in hours], "#90CAF9", **dashed),
            _series(t("昨日中奖", "Awards yesterday"), "line", [h.prev_awards for h in hours], "#EF9A9A", **dashed),
            _series(t("今日花费（元）", "Spent today (yuan)"), "line", [h.spent_fen / 100 for h in hours],
                    COLORS["spend"], yAxisIndex=1),
        ],
    )  # fmt: skip
    options["yAxis"] = [{"type": "value"}, _yuan_axis(page)]
    return options


def daily_options(page: ConsolePage, dash: CampaignDashboard) -> dict[str, Any]:
    """Scans, awards, held and rejected per day as bars; the day's spend (yuan) as a line on the right."""
    t, days = page.t, dash.days
    options = _frame(
        [d.day[5:] for d in days],
        [
            _series(t("扫码", "Scans"), "bar", _labelled([d.scans for d in days]), COLORS["scans"]),
            _series(t("中奖", "Awards"), "bar", _labelled([d.awards for d in days]), COLORS["awards"]),
            _series(t("待审核", "Held"), "bar", [d.held for d in days], COLORS["held"]),
            _series(t("风控拒绝", "Rejected"), "bar", [d.rejected for d in days], COLORS["rejected"]),
            _series(t("花费（元）", "Spent"), "line", [d.spent_fen / 100 for d in days], COLORS["spend"], yAxisIndex=1),
        ],
    )
    options["yAxis"] = [{"type": "value"}, _yuan_axis(page)]
    return options


def region_name(page: ConsolePage, point: RegionPoint) -> str:
    return point.name or page.t("未定位", "Not located")


def region_options(page: ConsolePage, dash: CampaignDashboard) -> dict[str, Any]:
    """Horizontal bars of scans and awards per province (or city), the most scans on top, and
    the spend (yuan) on an axis of its own along the top."""
    t, shown = page.t, dash.regions[:REGION_BARS]
    bottom_up = list(reversed(shown))
    names = [region_name(page, r) for r in bottom_up]
    beside = {"label": {"show": True, "position": "right"}}
    options = _frame(
        names,
        [
            _series(t("扫码", "Scans"), "bar", [r.scans for r in bottom_up], COLORS["scans"], **beside),
            _series(t("中奖", "Awards"), "bar", [r.awards for r in bottom_up], COLORS["awards"], **beside),
            _series(t("花费（元）", "Spent (yuan)"), "bar", [r.spent_fen / 100 for r in bottom_up], COLORS["spend"],
                    xAxisIndex=1, **beside),
        ],
        tooltip={"trigger": "axis", "axisPointer": {"type": "shadow"}},
    )  # fmt: skip
    options["grid"] = {"left": 110, "right": 48, "top": 56, "bottom": 24}
    options["xAxis"] = [{"type": "value"}, {**_yuan_axis(page), "position": "top"}]
    options["yAxis"] = {"type": "category", "data": names}
    return options


def budget_options(page: ConsolePage, dash: CampaignDashboard) -> dict[str, Any]:
    """A gauge of the budget spent, in percent."""
    used = round((dash.kpis.budget_used or 0) * 100, 1)
    return {
        "animation": False,
        "series": [
            {
                "type": "gauge", "min": 0, "max": 100, "radius": "95%",
                "progress": {"show": True, "width": 14}, "axisLine": {"lineStyle": {"width": 14}},
                "splitLine": {"length": 8}, "axisTick": {"show": False}, "pointer": {"show": False},
                "axisLabel": {"show": False},
                "title": {"offsetCenter": [0, "35%"], "fontSize": 13},
                "detail": {"formatter": "{value}%", "fontSize": 24, "offsetCenter": [0, "-5%"]},
                "data": [{"value": used, "name": page.t("预算已用", "Budget used")}],
            }
        ],
    }  # fmt: skip


def prize_rows(page: ConsolePage, dash: CampaignDashboard) -> list[dict[str, Any]]:
    unlimited = page.t("不限", "unlimited")
    return [
        {
            "id": p.id,
            "name": p.name + (page.t("（保底）", " (fallback)") if p.fallback else ""),
            "kind": page.text(KINDS[p.kind]),
            "stock": unlimited if p.stock is None else f"{p.stock:,}",
            "left": unlimited if p.stock_left is None else f"{p.stock_left:,}",
            "awarded": f"{p.awarded:,}",
            "spent": yuan(p.spent_fen),
        }
        for p in dash.prizes
    ]


class Dashboard:
    """The widgets of one campaign's dashboard, drawn once and updated in place by ``show``."""

    def __init__(self, page: ConsolePage, provinces: dict[Any, str]) -> None:
        self.page = page
        t = page.t
        with ui.row().classes("w-full items-center gap-4"):
            self.province = ui.select(provinces, value=None, label=t("地区", "Region"), with_input=True)
            self.province.props("dense outlined data-testid=dashboard-region").classes("w-48")
            self.updated = ui.label().classes("text-sm text-grey-7").props("data-testid=dashboard-updated")
        with ui.grid(columns=4).classes("w-full gap-3"):
            self.kpis = {key: self._card(key, label) for key, label, _, _ in KPIS}
        with ui.row().classes("w-full gap-3 no-wrap items-stretch"):
            with ui.card().classes("w-80 shrink-0 gap-1").props("flat bordered"):
                ui.label(t("预算进度", "Budget")).classes("text-base font-medium")
                self.gauge = self._chart("dashboard-budget", "h-48 w-full")
                self.cap_label = ui.label().classes("text-sm text-grey-8").props("data-testid=dashboard-cap")
                self.cap_bar = ui.linear_progress(value=0, show_value=False, size="10px").props("rounded")
            with ui.card().classes("grow gap-1").props("flat bordered"):
                ui.label(t("分时段（今日 vs 昨日）", "By hour (today vs yesterday)")).classes("text-base font-medium")
                self.hourly = self._chart("dashboard-hourly", "h-64 w-full")
        with ui.card().classes("w-full gap-1").props("flat bordered"):
            ui.label(t("近 14 天", "Last 14 days")).classes("text-base font-medium")
            self.daily = self._chart("dashboard-daily", "h-72 w-full")
        with ui.row().classes("w-full gap-3 no-wrap items-stretch"):
            with ui.card().classes("w-1/2 gap-1").props("flat bordered"):
                self.region_title = ui.label().classes("text-base font-medium")
                self.regions = self._chart("dashboard-regions", "h-96 w-full")
                self.regions.on_point_click(self._pick_region)
                self.shown_regions: list[RegionPoint] = []
            with ui.card().classes("w-1/2 gap-1").props("flat bordered data-testid=dashboard-prizes"):
                ui.label(t("奖池", "Prize pool")).classes("text-base font-medium")
                self.prizes = DataTable(page, PRIZE_COLUMNS)
                self.prizes.table.props("dense")

    def _card(self, key: str, label: Text) -> tuple[ui.label, ui.label]:
        with ui.card().classes("gap-0 px-4 py-2").props(f"flat bordered data-testid=kpi-{key}"):
            ui.label(self.page.text(label)).classes("text-xs text-grey-7")
            value = ui.label("—").classes("text-2xl font-medium").props(f"data-testid=kpi-{key}-value")
            sub = ui.label().classes("text-xs text-grey-7")
        return value, sub

    @staticmethod
    def _chart(test_id: str, classes: str) -> ui.echart:
        return ui.echart({"series": []}, renderer="svg").classes(classes).props(f"data-testid={test_id}")

    @staticmethod
    def _draw(chart: ui.echart, options: dict[str, Any]) -> None:
        chart.options.clear()
        chart.options.update(options)
        chart.update()

    def _pick_region(self, event: events.EChartPointClickEventArguments) -> None:
        """A province's bar opens its cities."""
        if self.province.value is None and 0 <= event.data_index < len(self.shown_regions):
            code = list(reversed(self.shown_regions))[event.data_index].code
            if code is not None:
                self.province.value = code

    def show(self, dash: CampaignDashboard) -> None:
        page, k = self.page, dash.kpis
        for key, _, value, sub in KPIS:
            self.kpis[key][0].set_text(value(k))
            self.kpis[key][1].set_text(sub(page, k))
        at = page.tenant.zone
        self.updated.set_text(
            page.t("更新于 ", "Updated ") + dash.as_of.astimezone(at).strftime("%H:%M:%S")
            + page.t(f" · 每 {REFRESH_SECONDS:.0f} 秒自动刷新", f" · refreshes every {REFRESH_SECONDS:.0f} s")
        )  # fmt: skip
        self._draw(self.gauge, budget_options(page, dash))
        cap = k.daily_cap_fen
        self.cap_bar.set_value(min(k.today_spent_fen / cap, 1.0) if cap else 0)
        self.cap_bar.set_visibility(bool(cap))
        limit = f" / {yuan(cap)} " + page.t("元（每日上限）", "yuan (daily cap)") if cap else None
        spent = page.t("今日 ", "Today ") + yuan(k.today_spent_fen)
        self.cap_label.set_text(spent + (limit or page.t(" 元，无每日上限", " yuan, no daily cap")))
        self._draw(self.hourly, hourly_options(page, dash))
        self._draw(self.daily, daily_options(page, dash))
        self.shown_regions = dash.regions[:REGION_BARS]
        where = dash.region_name or page.t("全国", "China")
        self.region_title.set_text(page.t(f"地区分布 · {where}", f"By region · {where}"))
        self._draw(self.regions, region_options(page, dash))
        self.prizes.set_rows(prize_rows(page, dash))


async def _choices(ctx: Ctx) -> tuple[list[CampaignRead], list[tuple[str, str]]]:
    found = await campaigns.list_campaigns(ctx, CampaignFilter(), CAMPAIGNS_OFFERED, None)
    provinces = [(r.code, r.name) for r in await geo.children_of(ctx)]
    return found[:CAMPAIGNS_OFFERED], provinces


def _chosen(page: ConsolePage, found: list[CampaignRead]) -> CampaignRead | None:
    """The campaign of ``?id=``; without one, the newest running (else the newest)."""
    raw = page.query.get("id", "")
    if raw:
        return next((c for c in found if str(c.id) == raw), None)
    return next((c for c in found if c.state == "running"), found[0] if found else None)


@console_page(
    PATH, label=Text("活动看板", "Campaign dashboard"), area=nav.ANALYTICS, icon="monitoring",
    permission=CAMPAIGNS_READ.name, order=20,
)  # fmt: skip
async def campaign_dashboard_page(page: ConsolePage) -> None:
    t = page.t
    loaded = await page.run(_choices)
    if not loaded:
        return
    found, province_list = loaded.value
    raw = page.query.get("id", "")
    campaign = _chosen(page, found)
    if campaign is None and raw.isdigit() and 0 < int(raw) < 2**63:  # older than the list offers
        fetched = await page.run(lambda ctx: campaigns.get_campaign(ctx, int(raw)))
        campaign = fetched.value if fetched else None
    if campaign is None:
        page_header(t("活动看板", "Campaign dashboard"), t("没有这个活动", "No such campaign") if raw else None)
        if not raw:
            ui.label(t("还没有扫码活动", "No campaigns yet")).classes("text-grey-7")
        return
    zone = page.tenant.zone
    period = " – ".join(m.astimezone(zone).strftime("%Y-%m-%d") for m in (campaign.starts_at, campaign.ends_at) if m)
    with page_header(campaign.name, f"{page.text(STATES[campaign.state])}  {period}".strip()):
        offered = {c.id: f"{c.name} · {page.text(STATES[c.state])}" for c in found} | {campaign.id: campaign.name}
        picker = ui.select(offered, value=campaign.id, label=t("活动", "Campaign"), with_input=True)
        picker.props("dense outlined data-testid=dashboard-campaign").classes("w-72")
        picker.on_value_change(lambda e: ui.navigate.to(f"{PATH}?id={e.value}"))
        ui.link(t("活动配置", "Campaign settings"), f"/campaigns/builder?id={campaign.id}")
        again = ui.button(t("刷新", "Refresh"), icon="refresh", on_click=lambda: refresh())
        again.props("data-testid=dashboard-refresh")
    view = Dashboard(page, {None: t("全国", "China"), **dict(province_list)})

    async def refresh() -> None:
        region = view.province.value
        outcome = await page.run(lambda ctx: analytics.campaign_dashboard(ctx, campaign.id, region=region))
        if outcome:
            view.show(outcome.value)

    view.province.on_value_change(refresh)
    await refresh()
    ui.timer(REFRESH_SECONDS, refresh)
