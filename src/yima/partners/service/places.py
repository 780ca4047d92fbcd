"""Where partners are: region codes checked against geo, a region worked out from an address or
a point when none is given, region names for display, and a regional manager's scope."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from yima.geo import service as geo
from yima.partners import rules
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Invalid

PLACE_FIELDS = ("address", "lat", "lon")


def scope(ctx: Ctx) -> Sequence[str] | None:
    """The regions the actor is limited to (a regional manager's), or None for the whole brand."""
    return ctx.actor.region_codes


def in_scope(ctx: Ctx, code: str) -> bool:
    """Does the region lie in the actor's regions (always, for staff of the whole brand)?"""
    regions = scope(ctx)
    return regions is None or geo.in_territory(code, regions)


async def check_regions(ctx: Ctx, codes: Sequence[str], field: str, *, indexed: bool = False) -> None:
    """Every code must be a GB/T 2260 region; the error names each unknown one and where it is
    (``field``, or ``field.<index>`` for a list)."""
    found = await geo.regions_by_codes(ctx, codes)
    missing = [(i, code) for i, code in enumerate(codes) if code not in found]
    if missing:
        raise Invalid(
            f"unknown region code(s): {', '.join(code for _, code in missing)}",
            [
                FieldError(f"{field}.{i}" if indexed else field, f"no GB/T 2260 region '{code}'", "unknown_region")
                for i, code in missing
            ],
        )


async def check_district(ctx: Ctx, code: str, field: str) -> None:
    """``code`` must be a county-level region (a district, or a city without districts such as
    东莞): what a phone's location resolves to, so an area guide group is always one of those."""
    await check_regions(ctx, [code], field)
    if not await is_district(ctx, code):
        detail = f"{code} is a province or a city with districts; give one of its districts"
        raise Invalid("not a district", [FieldError(field, detail, "not_a_district")])


async def is_district(ctx: Ctx, code: str) -> bool:
    """A known region with no regions under it (``check_district``)."""
    return not await geo.children_of(ctx, code)


async def derive_region(ctx: Ctx, address: str, lat: float | None, lon: float | None) -> str | None:
    """The region of a place given without one (``rules.choose_region``)."""
    match = None
    if address.strip():
        parsed = await geo.parse_address(ctx, address)
        match = rules.AddressMatch(parsed.code, parsed.level, parsed.confidence)
    located = None
    if lat is not None and lon is not None:
        found = await geo.locate(ctx, lat, lon)
        located = found.region.code if found.region else None
    return rules.choose_region(match, located)


async def region_of(
    ctx: Ctx, region_code: str | None, address: str, lat: float | None, lon: float | None
) -> str | None:
    """The region of a new place: the code given (checked), else worked out."""
    if region_code:
        await check_regions(ctx, [region_code], "region_code")
        return region_code
    return await derive_region(ctx, address, lat, lon)


async def updated_region(ctx: Ctx, current: Mapping[str, object], sent: Mapping[str, object]) -> str | None:
    """The region after an update: a code sent (checked); else worked out again when the update
    sends region_code as null or moves the place (address, point); else the current one."""
    code = sent.get("region_code")
    if isinstance(code, str):
        await check_regions(ctx, [code], "region_code")
        return code
    moved = any(f in sent and sent[f] != current.get(f) for f in PLACE_FIELDS)
    if "region_code" not in sent and not moved:
        return current.get("region_code")  # type: ignore[return-value]
    merged = {f: sent[f] if f in sent else current.get(f) for f in PLACE_FIELDS}
    lat, lon = merged["lat"], merged["lon"]
    return await derive_region(
        ctx,
        str(merged["address"] or ""),
        float(lat) if isinstance(lat, int | float) else None,
        float(lon) if isinstance(lon, int | float) else None,
    )


async def region_names(ctx: Ctx, codes: Collection[str | None]) -> dict[str, str]:
    """Full names of the regions (those that exist), by code."""
    found = await geo.regions_by_codes(ctx, {c for c in codes if c})
    return {code: region.full_name for code, region in found.items()}
