"""Geo's use cases: load the regions, read them, locate a point, parse an address, distances and
territories. Import as ``from yima.geo import service as geo``.

Regions are public reference data: these use cases check no permission (the API asks for
``geo:read``; the scan path locates anonymous scanners). Locating and parsing use an in-process
catalogue of every region and the nearest-region index, built from the table on first use and
dropped when ``load_regions`` changes the table (another process sees a change on restart:
GB/T 2260 changes about once a year).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from yima.geo import repository as repo
from yima.geo import rules, source
from yima.geo.models import Region
from yima.geo.schemas import LoadResult, Located, ParsedAddress, RegionFilter, RegionRead, RegionRef
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Invalid, NotFound

_FIELDS = ("name", "level", "parent_code", "province_code", "city_code", "full_name", "lon", "lat")


@dataclass(frozen=True)
class _Catalogue:
    by_code: dict[str, RegionRead]
    located: list[RegionRead]  # the index's points, in its order
    index: rules.NearestIndex
    name_counts: Counter[str]


_catalogue: _Catalogue | None = None


def forget_catalogue() -> None:
    """Drop the in-process catalogue (after the regions table changed)."""
    global _catalogue
    _catalogue = None


async def _loaded(session: AsyncSession) -> _Catalogue:
    global _catalogue
    if _catalogue is None:
        regions = [RegionRead.model_validate(r) for r in await repo.all_regions(session)]
        records = [rules.RegionRecord(**r.model_dump()) for r in regions]
        by_code = {r.code: r for r in regions}
        points = rules.locatable(records)
        located = [by_code[code] for code, _, _ in points]
        index = rules.NearestIndex([(lat, lon) for _, lat, lon in points])
        _catalogue = _Catalogue(by_code, located, index, Counter(r.name for r in regions))
    return _catalogue


# Loading ----------------------------------------------------------------------------------------


async def load_regions(ctx: Ctx) -> LoadResult:
    """Bring the regions table in line with cpca's data: insert what is missing, update what
    differs; idempotent. Regions no longer in the data are kept (codes may be referenced)."""
    records = rules.build_regions(source.read_adcodes())
    existing = {r.code: r for r in await repo.all_regions(ctx.session)}
    inserted, updated = [], 0
    for record in records:
        row = existing.get(record.code)
        values = {f: getattr(record, f) for f in _FIELDS}
        if row is None:
            inserted.append(Region(code=record.code, **values))
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            updated += 1
    repo.add_regions(ctx.session, inserted)
    await ctx.session.flush()
    if inserted or updated:
        forget_catalogue()
    total = len(records)
    return LoadResult(total=total, inserted=len(inserted), updated=updated, unchanged=total - len(inserted) - updated)


# Reading ----------------------------------------------------------------------------------------


async def get_region(ctx: Ctx, code: str) -> RegionRead:
    region = await repo.get_region(ctx.session, code)
    if region is None:
        raise NotFound(f"no region {code!r}", [FieldError("code", "unknown GB/T 2260 code", "unknown_region")])
    return RegionRead.model_validate(region)


async def regions_by_codes(ctx: Ctx, codes: Collection[str]) -> dict[str, RegionRead]:
    """The regions of ``codes`` that exist, by code (from the in-process catalogue: no query per
    code, for validating territories and spreadsheets)."""
    catalogue = await _loaded(ctx.session)
    return {code: catalogue.by_code[code] for code in codes if code in catalogue.by_code}


async def list_regions(ctx: Ctx, filters: RegionFilter, limit: int, after_code: str | None = None) -> list[RegionRead]:
    """Regions matching ``filters`` in code order; up to ``limit`` after ``after_code``."""
    rows = await repo.list_regions(ctx.session, filters, limit, after_code)
    return [RegionRead.model_validate(r) for r in rows]


async def children_of(ctx: Ctx, parent_code: str | None = None) -> list[RegionRead]:
    """The provinces (no parent), the cities of a province or the districts of a city."""
    filters = RegionFilter(parent=parent_code) if parent_code else RegionFilter(level="province")
    return await list_regions(ctx, filters, limit=1000)


async def search_regions(ctx: Ctx, q: str, limit: int = 20) -> list[RegionRead]:
    return await list_regions(ctx, RegionFilter(q=q), limit)


# Points, addresses, distances, territories -----------------------------------------------------


def _check_point(lat: float, lon: float) -> None:
    problems = [
        FieldError(name, f"must be a number from {-bound} to {bound}", "out_of_range")
        for name, value, bound in (("lat", lat, 90), ("lon", lon, 180))
        if not (math.isfinite(value) and -bound <= value <= bound)
    ]
    if problems:
        raise Invalid("the point is not on Earth", problems)


async def locate(ctx: Ctx, lat: float, lon: float) -> Located:
    """The county-level region nearest to a point (by centroid), with the distance to its
    centroid; no region outside China (see ``rules.CHINA_BOUNDS`` and ``MAX_LOCATE_KM``)."""
    _check_point(lat, lon)
    catalogue = await _loaded(ctx.session)
    found = catalogue.index.nearest(lat, lon)
    if found is None:
        return Located(lat=lat, lon=lon, region=None, distance_km=None)
    index, distance = found
    return Located(lat=lat, lon=lon, region=catalogue.located[index], distance_km=round(distance, 3))


async def parse_address(ctx: Ctx, address: str) -> ParsedAddress:
    """Province, city and district named in an address, with how sure the match is."""
    match = source.match_address(address)
    catalogue = await _loaded(ctx.session)
    region = catalogue.by_code.get(match.code) if match.code else None

    def ref(code: str | None) -> RegionRef | None:
        found = catalogue.by_code.get(code) if code else None
        return RegionRef(code=found.code, name=found.name) if found else None

    deepest = region.level if region else None
    shared = region is not None and catalogue.name_counts[region.name] > 1
    return ParsedAddress(
        address=address,
        code=region.code if region else None,
        level=deepest,
        full_name=region.full_name if region else None,
        province=ref(region.province_code) if region else None,
        city=ref(region.city_code) if region else None,
        district=ref(region.code) if region and region.level == "district" else None,
        detail=match.detail,
        named=list(match.named),
        confidence=rules.address_confidence(match.named, deepest, shared),
    )


async def distance_between(ctx: Ctx, code_a: str, code_b: str) -> float:
    """Great-circle distance in km between two regions' centroids."""
    a, b = await get_region(ctx, code_a), await get_region(ctx, code_b)
    return rules.haversine_km(*_centroid(a), *_centroid(b))


def _centroid(region: RegionRead) -> tuple[float, float]:
    if region.lat is None or region.lon is None:
        raise Invalid(
            f"region {region.code} ({region.name}) has no centroid",
            [FieldError("code", "no centroid in the data", "no_centroid")],
        )
    return region.lat, region.lon


def in_territory(region_code: str, territory_codes: Collection[str]) -> bool:
    """Is the region inside the territory (a set of codes at any level)? See ``rules.in_territory``."""
    return rules.in_territory(region_code, territory_codes)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in kilometres."""
    return rules.haversine_km(lat1, lon1, lat2, lon2)
