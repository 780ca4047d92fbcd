"""cpca as geo's data source: GB/T 2260 codes with centroids (its ``adcodes.csv``) and its address
matcher (an Aho-Corasick automaton over region names).

cpca 0.5.5, its last release, imports ``pkg_resources`` on import, which setuptools no longer ships,
and its ``transform`` builds a pandas DataFrame per call (pandas alone takes a second to import).
So the CSV is read straight from the installed package without importing cpca, and addresses go
through ``cpca._get_one_addr`` (what ``transform`` maps over its input), with cpca imported on first
use behind a stand-in for the one ``pkg_resources`` function it calls. Tests pin the behaviour.
"""

from __future__ import annotations

import csv
import importlib.resources
import importlib.util
import sys
import threading
import types
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from yima.geo.rules import Level

RawRegion = tuple[str, str, float | None, float | None]  # (adcode, name, lon, lat)
_LEVEL_POSITIONS: tuple[tuple[Level, str], ...] = (("province", "省_pos"), ("city", "市_pos"), ("district", "区_pos"))
_lock = threading.Lock()
_cpca: Any = None


def adcodes_path() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def read_adcodes(path: Path | None = None) -> list[RawRegion]:
    """cpca's rows: 12-digit adcode, name, longitude and latitude (empty for some placeholders)."""
    with (path or adcodes_path()).open(encoding="utf-8", newline="") as stream:
        return [
            (row["adcode"].strip(), row["name"].strip(), _number(row["longitude"]), _number(row["latitude"]))
            for row in csv.DictReader(stream)
        ]


def _number(text: str | None) -> float | None:
    return float(text) if text and text.strip() else None


@dataclass(frozen=True)
class AddressMatch:
    code: str | None  # the most specific region found
    named: tuple[Level, ...]  # the levels whose name appears in the text (the others are inferred)
    detail: str  # the text after the last region name (street, number)


def match_address(text: str) -> AddressMatch:
    found = _matcher()._get_one_addr(text, True, {})
    named = tuple(level for level, key in _LEVEL_POSITIONS if found[key] >= 0)
    return AddressMatch(found["adcode"], named, found["地址"] or "")


def _resource_stream(package: str, name: str) -> IO[bytes]:
    return importlib.resources.files(package).joinpath(name).open("rb")


def _matcher() -> Any:
    global _cpca
    with _lock:
        if _cpca is None:
            stand_in = importlib.util.find_spec("pkg_resources") is None
            if stand_in:
                shim = types.ModuleType("pkg_resources")
                shim.__dict__["resource_stream"] = _resource_stream
                sys.modules["pkg_resources"] = shim
            try:
                import cpca

                _cpca = cpca
            finally:
                if stand_in:
                    sys.modules.pop("pkg_resources", None)
        return _cpca
