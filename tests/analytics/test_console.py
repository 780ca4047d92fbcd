"""The 渠道库存 page's registration and chart, without a browser (the browser test drives it)."""

from __future__ import annotations

from yima.analytics.console import inventory as console
from yima.analytics.schemas import InventoryReport, InventoryRow
from yima.platform.console import nav
from yima.platform.console.page import registered_pages
from yima.platform.ctx import Actor


def test_the_page_is_in_the_analytics_area_for_analytics_readers_only() -> None:
    [spec] = [s for s in registered_pages() if s.nav.path == "/analytics/channel-inventory"]
    assert spec.nav.area == nav.ANALYTICS and spec.nav.permission == "analytics:read"
    assert spec.nav.visible_to(Actor(kind="staff", name="f", permissions=frozenset({"analytics:read"})))
    assert not spec.nav.visible_to(Actor(kind="staff", name="w", permissions=frozenset({"trace:read"})))


class _Page:
    locale = "en"

    def t(self, zh: str, en: str) -> str:
        return en

    def text(self, text: object) -> str:
        return text.en  # type: ignore[attr-defined]


def test_the_chart_stacks_the_largest_stocks_by_age() -> None:
    buckets = ["0-30", "31-90", "91-180", "180+"]
    rows = [
        InventoryRow(key=f"dealer:{i}", kind="dealer", id=i, name=f"D{i}", stock=30 - i, age={"0-30": 30 - i})
        for i in range(25)
    ] + [InventoryRow(key="dealer:99", kind="dealer", id=99, name="empty", stock=0)]
    total = InventoryRow(key="total:-", kind="total", name="Total")
    report = InventoryReport(group="dealer", buckets=buckets, rows=rows, total=total)
    options = console.chart_options(_Page(), report)  # type: ignore[arg-type]
    assert options["xAxis"]["data"] == [f"D{i}" for i in range(console.CHART_BARS)]
    assert [s["name"] for s in options["series"]] == ["0–30 days", "31–90 days", "91–180 days", "Over 180 days"]
    assert {s["stack"] for s in options["series"]} == {"stock"}
    assert options["series"][0]["data"][:2] == [30, 29] and options["series"][3]["data"][0] == 0
