"""The nearest-region index answers exactly what a brute-force great-circle search answers."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.geo.factories import region_records
from yima.geo import rules

LAT_MIN, LAT_MAX, LON_MIN, LON_MAX = rules.CHINA_BOUNDS
POINTS = rules.locatable(region_records())
INDEX = rules.NearestIndex([(lat, lon) for _, lat, lon in POINTS])


def brute_force(points: list[tuple[float, float]], lat: float, lon: float) -> float:
    return min(rules.haversine_km(lat, lon, p_lat, p_lon) for p_lat, p_lon in points)


def agrees(index: rules.NearestIndex, lat: float, lon: float) -> None:
    """Same distance as the brute force (codes may differ only on an exact tie), and None exactly
    when every point is farther than max_km."""
    best = brute_force(index.points, lat, lon)
    found = index.nearest(lat, lon)
    if found is None:
        assert best > index.max_km - 1e-6, (lat, lon, best)
        return
    position, distance = found
    assert distance == pytest.approx(best, abs=1e-6), (lat, lon)
    assert rules.haversine_km(lat, lon, *index.points[position]) == distance


def code_at(lat: float, lon: float) -> str | None:
    found = INDEX.nearest(lat, lon)
    return POINTS[found[0]][0] if found else None


class TestKnownPlaces:
    @pytest.mark.parametrize(
        ("lat", "lon", "prefix"),
        [
            (30.2590, 120.1300, "330106"),  # 杭州 西湖
            (31.2304, 121.4737, "3101"),  # 上海 人民广场
            (30.6574, 104.0659, "5101"),  # 成都 天府广场
            (39.9087, 116.3975, "1101"),  # 北京 天安门
            (23.0207, 113.7518, "441900"),  # 东莞: a city without districts
            (22.2793, 114.1628, "810000"),  # 香港
        ],
    )
    def test_place(self, lat: float, lon: float, prefix: str) -> None:
        code = code_at(lat, lon)
        assert code is not None and code.startswith(prefix), code

    @pytest.mark.parametrize(
        ("lat", "lon"),
        [(35.68, 139.69), (47.92, 106.92), (-33.87, 151.21), (51.5, -0.12), (60.0, 100.0), (8.0, 80.0)],
    )
    def test_outside_china_finds_nothing(self, lat: float, lon: float) -> None:
        assert INDEX.nearest(lat, lon) is None  # 东京, 乌兰巴托, Sydney, London, Siberia, the Indian Ocean


@settings(max_examples=400, deadline=None)
@given(
    st.floats(min_value=LAT_MIN, max_value=LAT_MAX, allow_nan=False),
    st.floats(min_value=LON_MIN, max_value=LON_MAX, allow_nan=False),
)
def test_agrees_with_brute_force_anywhere_in_the_bounds(lat: float, lon: float) -> None:
    agrees(INDEX, lat, lon)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 4 * 50), st.integers(0, 4 * 62), st.sampled_from([0.0, 1e-12, -1e-12, 0.125]))
def test_agrees_on_cell_edges_and_corners(row: int, col: int, nudge: float) -> None:
    lat = min(LAT_MAX, max(LAT_MIN, LAT_MIN + row * INDEX.cell + nudge))
    lon = min(LON_MAX, max(LON_MIN, LON_MIN + col * INDEX.cell + nudge))
    agrees(INDEX, lat, lon)


def test_agrees_in_dense_east_china() -> None:
    rng = random.Random(2260)
    for _ in range(300):
        agrees(INDEX, rng.uniform(22.0, 41.0), rng.uniform(108.0, 122.5))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10)), min_size=1, max_size=25),
    st.tuples(st.floats(-10, 10), st.floats(-10, 10)),
    st.sampled_from([0.1, 0.5, 3.0]),
)
def test_any_point_set_and_cell_size(
    points: list[tuple[float, float]], query: tuple[float, float], cell: float
) -> None:
    index = rules.NearestIndex(points, bounds=(-10.0, 10.0, -10.0, 10.0), cell=cell, max_km=400.0)
    agrees(index, *query)


def test_no_points_finds_nothing() -> None:
    assert rules.NearestIndex([]).nearest(30.0, 120.0) is None


def test_out_of_bounds_and_nan_find_nothing() -> None:
    assert INDEX.nearest(math.nan, 120.0) is None
    assert INDEX.nearest(30.0, LON_MAX + 0.01) is None
    assert INDEX.nearest(LAT_MAX, LON_MAX) is not None or brute_force(INDEX.points, LAT_MAX, LON_MAX) > INDEX.max_km
