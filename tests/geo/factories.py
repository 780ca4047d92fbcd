"""Geo's test helpers. Regions are global reference data loaded by the migration: nothing is
created per brand, and a region code in a path names shared data, not a brand's object."""

from __future__ import annotations

from yima.geo import rules, source

# The isolation harness gives these to path parameters and does not expect them to 404.
GLOBAL_PATH_PARAMS = {"code": "110101"}


def region_records() -> list[rules.RegionRecord]:
    """Every region built from cpca's data, as the migration loads them."""
    return rules.build_regions(source.read_adcodes())
