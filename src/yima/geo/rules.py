"""Pure rules of geography: GB/T 2260 code arithmetic, the region hierarchy built from raw rows,
great-circle distances, the nearest-region index, territories and address-match confidence.

Nearest-centroid is an approximation of containment: a point is given the county-level region
whose centroid (its seat, in cpca's data) is closest, which is right well inside a region and may
be wrong within a few kilometres of a border, more so between a small urban district and a large
rural neighbour. Diversion checks built on it should allow for that margin.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Level = Literal["province", "city", "district"]
LEVELS: tuple[Level, ...] = ("province", "city", "district")

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
# China's extent, South China Sea included (曾母暗沙 3.9°N … 漠河 53.6°N, 帕米尔 73.5°E … 抚远 135.1°E).
CHINA_BOUNDS = (3.5, 54.0, 73.0, 135.5)  # lat_min, lat_max, lon_min, lon_max
# Farther than this from every county seat is not a place in China (the sea, a neighbour), or too
# remote for a centroid to say anything: no region is answered.
MAX_LOCATE_KM = 500.0

# City-level rows that are grouping placeholders of GB/T 2260, not places people name.
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


# GB/T 2260 code arithmetic: PPCCDD (province, city, district digits) ---------------------------


def level_of(code: str) -> Level:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "district"


def province_of(code: str) -> str:
    return code[:2] + "0000"


def city_of(code: str) -> str | None:
    """The city-level code above (or of) ``code``; None for a province."""
    return None if level_of(code) == "province" else code[:4] + "00"


def parent_of(code: str) -> str | None:
    level = level_of(code)
    if level == "province":
        return None
    return province_of(code) if level == "city" else city_of(code)


def in_territory(code: str, territory: Collection[str]) -> bool:
    """A territory is a set of region codes at any level: a region is in it when it, its city or
    its province is listed. A city is not in a territory that lists only some of its districts
    (a place known only to the city cannot be shown to be inside)."""
    if code in territory or province_of(code) in territory:
        return True
    city = city_of(code)
    return city is not None and city in territory


# The hierarchy built from raw (code, name, lon, lat) rows --------------------------------------


@dataclass(frozen=True)
class RegionRecord:
    code: str
    name: str
    level: Level
    parent_code: str | None
    province_code: str
    city_code: str | None
    full_name: str
    lon: float | None
    lat: float | None


def build_regions(rows: Iterable[tuple[str, str, float | None, float | None]]) -> list[RegionRecord]:
    """Regions in code order (parents before children) from (code, name, lon, lat) rows, codes of
    6 digits or longer (cpca's 12-digit adcodes are cut to GB/T 2260's 6). Raises ValueError when
    a region's parent is missing, so every district resolves to its city and province."""
    raw = {code[:6]: (name, lon, lat) for code, name, lon, lat in rows}
    problems = [
        f"{code} {raw[code][0]}: parent {parent} missing"
        for code in raw
        if (parent := parent_of(code)) is not None and parent not in raw
    ]
    if problems:
        raise ValueError("incomplete region hierarchy: " + "; ".join(sorted(problems)[:10]))
    records = []
    for code in sorted(raw):
        name, lon, lat = raw[code]
        chain = [c for c in (province_of(code), city_of(code), code) if c is not None]
        shown = [raw[c][0] for c in dict.fromkeys(chain) if c == code or raw[c][0] not in PLACEHOLDER_NAMES]
        records.append(
            RegionRecord(
                code=code,
                name=name,
                level=level_of(code),
                parent_code=parent_of(code),
                province_code=province_of(code),
                city_code=city_of(code),
                full_name=" ".join(shown),
                lon=lon,
                lat=lat,
            )
        )
    return records


def locatable(records: Sequence[RegionRecord]) -> list[tuple[str, float, float]]:
    """(code, lat, lon) of the regions a point is located to: those with a centroid and no child
    with one. That is every district, plus the cities without districts (东莞, 中山, 儋州, 嘉峪关)
    and the regions without cities (香港, 澳门, 台湾) in cpca's data."""
    centroids = {r.code: (r.lat, r.lon) for r in records if r.lat is not None and r.lon is not None}
    # Ancestors, not just parents: 湖北 → 省直辖县级行政区划 (no centroid) → 仙桃 (one).
    above = {a for r in records if r.code in centroids for a in (r.province_code, r.city_code) if a != r.code}
    return [(code, lat, lon) for code, (lat, lon) in centroids.items() if code not in above]


# Distances --------------------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    p, q = math.radians(lat), math.radians(lon)
    c = math.cos(p)
    return c * math.cos(q), c * math.sin(q), math.sin(p)


Candidate = tuple[int, float, float, float]  # (point index, x, y, z on the unit sphere)


class NearestIndex:
    """The nearest of a fixed set of points to a query, exactly as a brute-force great-circle
    search would answer, in a few microseconds of pure Python.

    The bounds are cut into cells of ``cell`` degrees. For each cell the index keeps the points
    that can be nearest to *some* point of the cell: every point of a cell lies within angle
    ``r = cell`` (radians) of its centre (half a cell along the meridian, then at most half a cell
    along a parallel), so by the triangle inequality a point farther than ``d + 2r`` from the
    centre, ``d`` the nearest one's distance, is never nearest anywhere in the cell. A query
    compares the few candidates of its cell by squared chord between unit vectors (ordered as the
    great-circle distance is, and still precise a centimetre apart, where a dot product is not).
    Cells are filled on first use (numpy over all points, ~50 µs), so building costs nothing and
    memory grows only where queries land.
    """

    def __init__(
        self,
        points: Sequence[tuple[float, float]],
        *,
        bounds: tuple[float, float, float, float] = CHINA_BOUNDS,
        cell: float = 0.25,
        max_km: float = MAX_LOCATE_KM,
    ) -> None:
        import numpy as np

        self.points = [(float(lat), float(lon)) for lat, lon in points]
        self.bounds, self.cell, self.max_km = bounds, cell, max_km
        lat_min, lat_max, lon_min, lon_max = bounds
        self._rows = max(1, math.ceil((lat_max - lat_min) / cell))
        self._cols = max(1, math.ceil((lon_max - lon_min) / cell))
        self._cells: list[tuple[Candidate, ...] | None] = [None] * (self._rows * self._cols)
        self._units = [_unit(lat, lon) for lat, lon in self.points]
        self._matrix = np.array(self._units, dtype=float).reshape(-1, 3)
        self._candidates = [(i, *u) for i, u in enumerate(self._units)]

    def __len__(self) -> int:
        return len(self.points)

    def nearest(self, lat: float, lon: float) -> tuple[int, float] | None:
        """(index of the nearest point, its distance in km), or None outside the bounds or
        farther than ``max_km`` from every point."""
        lat_min, lat_max, lon_min, lon_max = self.bounds
        if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
            return None
        row = min(int((lat - lat_min) / self.cell), self._rows - 1)
        col = min(int((lon - lon_min) / self.cell), self._cols - 1)
        key = row * self._cols + col
        candidates = self._cells[key]
        if candidates is None:
            candidates = self._cells[key] = self._fill(row, col)
        x, y, z = _unit(lat, lon)
        best, found = 5.0, -1  # squared chord: 4 at most, between antipodes
        for index, px, py, pz in candidates:
            chord = (x - px) ** 2 + (y - py) ** 2 + (z - pz) ** 2
            if chord < best:
                best, found = chord, index
        if found < 0:
            return None
        distance = haversine_km(lat, lon, *self.points[found])
        return (found, distance) if distance <= self.max_km else None

    def _fill(self, row: int, col: int) -> tuple[Candidate, ...]:
        import numpy as np

        if not self.points:
            return ()
        lat_min, _, lon_min, _ = self.bounds
        centre = _unit(lat_min + (row + 0.5) * self.cell, lon_min + (col + 0.5) * self.cell)
        dots = self._matrix @ np.array(centre)
        nearest = math.acos(max(-1.0, min(1.0, float(dots.max()))))
        r = math.radians(self.cell)
        if (nearest - r) * EARTH_RADIUS_KM > self.max_km:
            return ()  # no point of the cell has any point within max_km
        # 1e-6 rad (~6 m) absorbs rounding in acos/cos so no true candidate is cut off.
        threshold = math.cos(min(math.pi, nearest + 2 * r + 1e-6))
        return tuple(self._candidates[i] for i in np.flatnonzero(dots >= threshold).tolist())


# Address-match confidence ----------------------------------------------------------------------


def address_confidence(named: Collection[Level], deepest: Level | None, shared_name: bool) -> float:
    """How sure a parsed address is of the most specific region it found (``deepest``):
    1.0 when that region was named in the text together with a level above it (or is a province),
    0.8 when it was named alone with a name no other region has, 0.5 when named alone with a name
    several regions share (the parser picked one), 0.6 when it was only inferred, 0 for nothing."""
    if deepest is None:
        return 0.0
    if deepest not in named:
        return 0.6
    above = LEVELS[: LEVELS.index(deepest)]
    if deepest == "province" or any(level in named for level in above):
        return 1.0
    return 0.5 if shared_name else 0.8
