"""The pre-publication simulation (发布前模拟): what ``n`` valid scans are expected to cost and win.

An exact expectation of the draw's *fluid model*, not a Monte Carlo: scans are processed in
stretches during which the set of available prizes does not change. Within a stretch each scan
wins prize *i* with probability ``w_i / W`` (the weights of the prizes available) and costs the
prizes' mean cost (a random cash range costs its midpoint), so counts and spend grow linearly.
A stretch ends at the first scan at which a prize's stock or own budget, or the campaign's
budget, runs out; the prizes that no longer fit leave the pool and the next stretch begins.
When nothing with a weight is left the fallback (保底奖) takes every scan while the budget lasts;
after that scans win nothing. The fluid model treats counts as continuous, so figures are
fractional and a prize is dropped when its *expected* stock is gone (tests compare it with a
seeded Monte Carlo of ``rules.draw``). Daily pacing is not modelled: it moves spend between days,
not the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from yima.campaigns.rules import PrizeState, unit_cost_mean

EPS = 1e-9


@dataclass
class Forecast:
    prize: PrizeState
    count: float = 0.0
    cost: float = 0.0
    runs_out_at: float | None = None


@dataclass
class Outcome:
    forecasts: list[Forecast]
    cost: float
    budget_exhausted_at: float | None
    unawarded: float


def _left(f: Forecast) -> tuple[float, float]:
    p = f.prize
    stock = float("inf") if p.stock_left is None else p.stock_left - f.count
    budget = float("inf") if p.budget_left is None else p.budget_left - f.cost
    return stock, budget


def _fits(f: Forecast, budget_left: float) -> bool:
    stock, budget = _left(f)
    mean = unit_cost_mean(f.prize)
    return stock > EPS and (mean == 0 or (budget > EPS and budget_left > EPS))


def simulate(prizes: Sequence[PrizeState], budget_left: int, scans: int) -> Outcome:
    forecasts = [Forecast(p) for p in prizes]
    fallback = next(f for f in forecasts if f.prize.fallback)
    done, budget, exhausted_at = 0.0, float(budget_left), None
    for _ in range(4 * len(forecasts) + 4):  # each stretch drops a prize or ends the run
        if scans - done <= EPS:
            break
        pool = [f for f in forecasts if f.prize.weight > 0 and _fits(f, budget)]
        if not pool:
            pool = [fallback] if _fits(fallback, budget) else []
            if not pool:
                break
        total = sum(f.prize.weight for f in pool) if pool[0].prize.weight > 0 else 1
        rates = {id(f): (f.prize.weight / total if f.prize.weight > 0 else 1.0) for f in pool}
        per_scan_cost = sum(rates[id(f)] * unit_cost_mean(f.prize) for f in pool)
        step = scans - done
        for f in pool:
            stock, own_budget = _left(f)
            rate, mean = rates[id(f)], unit_cost_mean(f.prize)
            step = min(step, stock / rate)
            if mean > 0:
                step = min(step, own_budget / (rate * mean))
        if per_scan_cost > 0:
            step = min(step, budget / per_scan_cost)
        for f in pool:
            f.count += rates[id(f)] * step
            f.cost += rates[id(f)] * step * unit_cost_mean(f.prize)
        done += step
        budget -= per_scan_cost * step
        for f in pool:
            if f.runs_out_at is None and not _fits(f, budget):
                f.runs_out_at = done
        if budget <= EPS and exhausted_at is None and per_scan_cost > 0:
            exhausted_at = done
    return Outcome(forecasts, float(budget_left) - budget, exhausted_at, max(0.0, scans - done))
