"""The campaigns' pure rules, without a database."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from yima.campaigns import rules
from yima.campaigns.rules import PrizeState, ScanContext, Targeting
from yima.campaigns.simulation import simulate
from yima.geo import service as geo

MON_10 = dt.datetime(2026, 2, 16, 10, 30)  # a Monday, 春节


class TestStates:
    def test_a_scheduled_campaign_runs_from_its_start_and_ends_at_its_end(self) -> None:
        start, end = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
        assert rules.effective_state("scheduled", start, end, start - dt.timedelta(seconds=1)) == "scheduled"
        assert rules.effective_state("scheduled", start, end, start) == "running"
        assert rules.effective_state("paused", start, end, end) == "ended"
        assert rules.effective_state("draft", start, end, end) == "draft"

    @pytest.mark.parametrize(
        ("action", "current", "after"),
        [("publish", "draft", "scheduled"), ("pause", "running", "paused"), ("resume", "paused", "scheduled"),
         ("end", "running", "ended"), ("publish", "running", None), ("resume", "running", None),
         ("end", "ended", None), ("pause", "draft", None)],
    )  # fmt: skip
    def test_transitions(self, action: rules.Action, current: rules.State, after: rules.State | None) -> None:
        assert rules.transition(action, current) == after

    def test_once_published_only_the_live_fields_change(self) -> None:
        assert rules.locked_fields("draft", {"prizes", "scope"}) == []
        assert rules.locked_fields("running", {"name", "prizes", "scope", "budget_fen"}) == ["prizes", "scope"]
        assert rules.locked_fields("ended", {"name"}) == ["name"]


class TestEligibility:
    def scan(self, **overrides: object) -> ScanContext:
        values: dict[str, object] = {"local_time": MON_10, "region_code": "510104", "dealer_id": 7}
        return ScanContext(**values | overrides)  # type: ignore[arg-type]

    def test_no_targeting_lets_every_scan_in(self) -> None:
        assert rules.ineligible(Targeting(), self.scan(region_code=None), geo.in_territory) == []

    def test_each_unmet_condition_is_named(self) -> None:
        targeting = Targeting(
            hours=frozenset({20, 21}), weekdays=frozenset({6, 7}), holidays=frozenset({MON_10.date()}),
            holiday_mode="exclude", regions=frozenset({"440000"}), dealer_ids=frozenset({8}),
            store_ids=frozenset({1}), member_levels=frozenset({"VIP2"}), member_tags=frozenset({"KOC"}),
            scanner="returning", nth_scans=frozenset({1}),
        )  # fmt: skip
        reasons = rules.ineligible(targeting, self.scan(scan_ordinal=2, is_new=True), geo.in_territory)
        assert reasons == [
            "hour", "weekday", "holiday", "region", "dealer",
            "store", "member_level", "member_tag", "scanner", "nth_scan",
        ]  # fmt: skip

    def test_met_conditions_pass_and_regions_match_at_any_level(self) -> None:
        targeting = Targeting(
            hours=frozenset({10}), weekdays=frozenset({1}), holidays=frozenset({MON_10.date()}), holiday_mode="only",
            regions=frozenset({"510000"}), dealer_ids=frozenset({7}), member_levels=frozenset({"VIP2"}),
            member_tags=frozenset({"KOC", "宴席"}), scanner="new", nth_scans=frozenset({1, 2}),
        )  # fmt: skip
        scan = self.scan(member_level="VIP2", member_tags=frozenset({"KOC"}), scan_ordinal=2)
        assert rules.ineligible(targeting, scan, geo.in_territory) == []


PRIZES = [
    PrizeState(1, "cash", 1, amount_fen=8800, stock_left=10),
    PrizeState(2, "cash", 20, min_fen=30, max_fen=500),
    PrizeState(3, "points", 0, fallback=True),
]


class TestDraw:
    def test_seeded_draws_repeat_and_follow_the_weights(self) -> None:
        first = [rules.draw(PRIZES, None, random.Random(7)) for _ in range(3)]
        assert first == [rules.draw(PRIZES, None, random.Random(7)) for _ in range(3)]
        rng = random.Random(1)
        counts = Counter(rules.draw(PRIZES, None, rng)[0].id for _ in range(21_000))
        assert counts[3] == 0 and 800 < counts[1] < 1200

    def test_random_cash_is_whole_fen_within_the_range(self) -> None:
        rng = random.Random(3)
        amounts = {rules.cash_amount(PRIZES[1], rng) for _ in range(5000)}
        assert min(amounts) == 30 and max(amounts) == 500 and all(isinstance(a, int) for a in amounts)

    def test_out_of_stock_or_over_budget_prizes_leave_the_fallback(self) -> None:
        empty = [PrizeState(1, "cash", 1, amount_fen=100, stock_left=0), PrizeState(2, "gift", 1, cost_fen=5000)]
        fallback = PrizeState(3, "points", 0, fallback=True)
        assert rules.draw([*empty, fallback], 4999, random.Random(0))[0] == fallback
        assert rules.pick_prize([*empty, fallback], 5000, random.Random(0)) == empty[1]
        own_budget = PrizeState(4, "cash", 1, min_fen=1, max_fen=300, budget_left=299)
        assert rules.pick_prize([own_budget, fallback], None, random.Random(0)) is None

    def test_pacing_and_limits(self) -> None:
        assert rules.within_pacing(900, 100, 1000) and not rules.within_pacing(901, 100, 1000)
        assert rules.within_pacing(10**9, 1, None)
        assert rules.within_limit(2, 3) and not rules.within_limit(3, 3) and rules.within_limit(99, None)

    def test_a_pool_needs_exactly_one_fallback(self) -> None:
        assert rules.config_problems([])[0][2] == "no_prizes"
        assert rules.config_problems([{"fallback": True}, {"fallback": True}])[0][2] == "fallback_count"
        assert rules.config_problems([{"fallback": False}, {"fallback": True}]) == []


class TestSimulation:
    def test_the_budget_runs_out_where_the_spend_reaches_it(self) -> None:
        outcome = simulate(PRIZES, 1_000_000, 100_000)
        big, _ranged, points = outcome.forecasts
        assert big.count == pytest.approx(10) and big.runs_out_at == pytest.approx(210)
        assert outcome.cost == pytest.approx(1_000_000)
        # 10 × 8,800 first; then 265 fen a scan on average until the remaining 912,000 is gone.
        assert outcome.budget_exhausted_at == pytest.approx(210 + (1_000_000 - 210 * (8800 / 21 + 20 * 265 / 21)) / 265)
        assert points.count == pytest.approx(100_000 - outcome.budget_exhausted_at)
        assert outcome.unawarded == 0

    def test_a_cash_fallback_leaves_scans_unawarded_after_the_budget(self) -> None:
        prizes = [PrizeState(1, "cash", 1, amount_fen=100, fallback=True)]
        outcome = simulate(prizes, 10_000, 150)
        assert outcome.forecasts[0].count == pytest.approx(100) and outcome.unawarded == pytest.approx(50)

    def test_the_fluid_expectation_matches_a_seeded_monte_carlo(self) -> None:
        prizes = [
            PrizeState(1, "cash", 5, amount_fen=500, stock_left=300),
            PrizeState(2, "gift", 2, cost_fen=2000, stock_left=50),
            PrizeState(3, "points", 20, fallback=True),
        ]
        scans, budget = 3000, 250_000
        expected = simulate(prizes, budget, scans)
        rng, stock, spent, counts = random.Random(11), {1: 300, 2: 50}, 0, Counter[int]()
        for _ in range(scans):
            states = [p if p.fallback else PrizeState(**{**p.__dict__, "stock_left": stock[p.id]}) for p in prizes]
            prize, amount = rules.draw(states, budget - spent, rng)
            counts[prize.id] += 1
            spent += rules.cost_of(prize, amount)
            if not prize.fallback:
                stock[prize.id] -= 1
        for forecast in expected.forecasts:
            assert counts[forecast.prize.id] == pytest.approx(forecast.count, rel=0.08)
        assert spent == pytest.approx(expected.cost, rel=0.05)
