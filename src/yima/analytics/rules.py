"""Pure rules of the cockpit figures: age buckets (货龄) and region grouping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

# 货龄 buckets in days, newest first: 0–30, 31–90, 91–180, >180.
AGE_LIMITS = (30, 90, 180)
AGE_BUCKETS = ("0-30", "31-90", "91-180", "180+")


def age_bounds(now: dt.datetime, limits: Sequence[int] = AGE_LIMITS) -> list[dt.datetime]:
    """The receipt times that start each bucket: received at or after bounds[i] → bucket i
    (age ≤ limits[i] days); older → the last bucket."""
    return [now - dt.timedelta(days=days) for days in limits]


def age_bucket(received_at: dt.datetime | None, bounds: Sequence[dt.datetime]) -> int:
    if received_at is None:
        return len(bounds)
    return next((i for i, bound in enumerate(bounds) if received_at >= bound), len(bounds))


def region_prefix(code: str) -> str:
    """``51`` for a province, ``5101`` for a city, the code itself for a district."""
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


def within(code: str | None, regions: Collection[str] | None) -> bool:
    """Is the place inside one of a regional manager's regions (None: no limit)?"""
    if regions is None:
        return True
    return code is not None and any(code.startswith(region_prefix(r)) for r in regions)


def group_region(code: str | None, level: str) -> str | None:
    """The province (``510000``) or city (``510100``) a region code lies in."""
    if not code or len(code) != 6:
        return None
    return code[:2] + "0000" if level == "province" else code[:4] + "00"
