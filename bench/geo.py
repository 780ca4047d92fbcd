"""Nearest-region lookups per second, in pure Python on one core.

Queries fall near real county seats (each a random region's centroid moved up to ±0.3°), which
is where scans happen; ``uniform_per_s`` spreads them over China's whole bounding box instead.
``cold_per_s`` is the first pass on a fresh index (each cell is filled on first use).
The last line printed is one JSON object.

    .venv/bin/python bench/geo.py [--queries N]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence

from yima.geo import rules, source


def _rate(index: rules.NearestIndex, queries: Sequence[tuple[float, float]]) -> float:
    nearest = index.nearest
    started = time.perf_counter()
    for lat, lon in queries:
        nearest(lat, lon)
    return len(queries) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200_000)
    args = parser.parse_args()
    rng = random.Random(2260)
    points = [(lat, lon) for _, lat, lon in rules.locatable(rules.build_regions(source.read_adcodes()))]
    near_seats = [
        (lat + rng.uniform(-0.3, 0.3), lon + rng.uniform(-0.3, 0.3)) for lat, lon in rng.choices(points, k=args.queries)
    ]
    lat_min, lat_max, lon_min, lon_max = rules.CHINA_BOUNDS
    uniform = [(rng.uniform(lat_min, lat_max), rng.uniform(lon_min, lon_max)) for _ in range(args.queries)]

    started = time.perf_counter()
    index = rules.NearestIndex(points)
    build_s = time.perf_counter() - started
    cold = _rate(index, near_seats)
    warm = _rate(index, near_seats)
    uniform_cold = _rate(index, uniform)
    uniform_warm = _rate(index, uniform)
    print(
        json.dumps(
            {
                "points": len(points),
                "queries": args.queries,
                "build_s": round(build_s, 3),
                "cold_per_s": round(cold),
                "nearest_per_s": round(warm),
                "uniform_cold_per_s": round(uniform_cold),
                "uniform_per_s": round(uniform_warm),
            }
        )
    )


if __name__ == "__main__":
    main()
