"""The rebates' console pages: registered for staff holding rebates:read only (the shell answers
403 to anyone else), and the metrics charts built from the figures, without a browser."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from yima import contexts
from yima.analytics.console import channel as metrics
from yima.analytics.schemas import ChannelMetrics, CostRow, ScanRate
from yima.platform.console.page import registered_pages
from yima.platform.ctx import Actor
from yima.rebates.schemas import StateTotal

PAGE = SimpleNamespace(locale="en", t=lambda zh, en: en, text=lambda text: text.en)
READER = Actor(kind="staff", name="r", permissions=frozenset({"rebates:read"}))
OTHER = Actor(kind="staff", name="o", permissions=frozenset({"campaigns:read", "wallet:read"}))


@pytest.fixture(autouse=True)
def _pages_registered() -> None:
    contexts.edges("console")  # importing the console modules registers their pages


@pytest.mark.parametrize("path", ["/rebates/policies", "/rebates/policy", "/rebates/credits", "/analytics/channel"])
def test_the_pages_open_to_rebate_readers_only(path: str) -> None:
    [spec] = [s for s in registered_pages() if s.nav.path == path]
    assert spec.nav.permission == "rebates:read"
    assert spec.nav.visible_to(READER) and not spec.nav.visible_to(OTHER)


def test_the_charts_show_rates_against_the_norm_and_the_largest_costs_on_top() -> None:
    rates = [
        ScanRate(role="consumer", role_name="c", scanned=2, base=100, rate=0.02, norm_low=0.02, norm_high=0.03, why=""),
        ScanRate(role="store", role_name="s", scanned=None, base=0, rate=None, norm_low=0.8, norm_high=0.9, why=""),
    ]
    rows = [CostRow(key=str(i), name=f"P{i}", count=1, amount_fen=100 * (20 - i)) for i in range(20)]
    m = ChannelMetrics(since="2026-11-01", until="2026-11-30", scan_rates=rates, cost_fen=0, by_policy=rows,
                       by_region=[], by_dealer=[], bb=[StateTotal(state="held", state_name="暂扣中", count=2,
                                                                 amount_fen=1000)])  # type: ignore[arg-type]  # fmt: skip
    options = metrics.rate_options(PAGE, rates)  # type: ignore[arg-type]
    assert [b["value"] for b in options["series"][0]["data"]] == [2.0, 0]
    assert options["series"][0]["markArea"]["data"][1] == [{"yAxis": 0.6, "xAxis": 80.0}, {"yAxis": 1.4, "xAxis": 90.0}]
    costs = metrics.cost_options(PAGE, m.by_policy)  # type: ignore[arg-type]
    assert costs["yAxis"]["data"][-1] == "P0" and len(costs["yAxis"]["data"]) == metrics.BARS
    bb = metrics.bb_options(PAGE, m)  # type: ignore[arg-type]
    shares = [(d["name"], d["value"]) for d in bb["series"][0]["data"]]
    assert shares == [("Held", 10.0), ("Released", 0), ("Forfeited", 0)]
