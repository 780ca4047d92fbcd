"""The pre-publication simulation (发布前模拟): what ``n`` valid scans are expected to cost and win.

An exact expectation of the draw's *fluid model*, not a Monte Carlo: scans are processed in
stretches during which the set of available prizes does not change. Within a stretch each scan
wins prize *i* with probability ``w_i / W`` (the weights of the prizes available) and costs the
prizes' mean cost (a random cash range costs its midpoint), so counts and spend grow linearly.
A stretch ends at the first scan at which a prize's stock or own budget, or the campaign's
budget, runs out, or a budget no longer covers a prize's least cost (a fixed amount, the low end
of a range: the draw cannot pay it then, so it is never forecast as won); the prizes that no
longer fit leave the pool and the next stretch begins.
When nothing with a weight is left the fallback (保底奖) takes every scan while the budget lasts;
after that scans win nothing. The fluid model treats counts as continuous, so figures are
fractional and a prize is dropped when its *expected* stock is gone (tests compare it with a
seeded Monte Carlo of ``rules.draw``). Daily pacing is not modelled: it moves spend between days,
not the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from yima.campaigns.rules import PrizeState, unit_cost_mean, unit_cost_min

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
    """Can the next scan still be given the prize: stock left, and both budgets cover its least cost?"""
    stock, budget = _left(f)
    least = unit_cost_min(f.prize)
    return stock > EPS and (least == 0 or min(budget, budget_left) >= least - EPS)


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
            rate, mean, least = rates[id(f)], unit_cost_mean(f.prize), unit_cost_min(f.prize)
            step = min(step, stock / rate)
            if mean > 0:  # its last award is made while the budget left before that scan covers its least cost
                step = min(step, own_budget / (rate * mean), (budget - least + per_scan_cost) / per_scan_cost)
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
        costly = [f for f in forecasts if unit_cost_mean(f.prize) > 0 and _fits(f, float("inf"))]
        if exhausted_at is None and costly and not any(_fits(f, budget) for f in costly):
            exhausted_at = done  # the budget left pays none of the prizes that cost it
    return Outcome(forecasts, float(budget_left) - budget, exhausted_at, max(0.0, scans - done))
