"""What the public code page says about a code: pure functions over the unit and its scans."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yima.geo import service as geo

# A bottle is opened once; a few scans are family and friends, dozens are a copied code.
TOO_MANY_SCANS = 10
# Two scans of one code this far apart: the code has been photographed and passed around.
FAR_APART_KM = 300.0


@dataclass(frozen=True)
class ScanPoint:
    at: dt.datetime
    lat: float | None
    lon: float | None
    region_code: str | None


@dataclass(frozen=True)
class Warning:
    code: str
    zh: str
    en: str


def verdict(state: str) -> str:
    """genuine (正品, active), not_activated (未激活: printed, not yet assigned to goods),
    voided (作废) or blacklisted (异常码)."""
    return {"active": "genuine", "inactive": "not_activated", "voided": "voided"}.get(state, "blacklisted")


def warnings(state: str, count: int, points: list[ScanPoint]) -> list[Warning]:
    """Why a scanner should be careful, most serious first."""
    found: list[Warning] = []
    if state == "voided":
        found.append(Warning("voided", "此码已作废，请勿购买", "This code has been voided: do not buy"))
    elif state == "blacklisted":
        found.append(Warning("blacklisted", "此码异常，已被品牌方停用", "The brand has stopped this code"))
    elif state == "inactive":
        found.append(Warning("not_activated", "此码尚未激活，不是在售商品", "This code is not on goods for sale yet"))
    if count > TOO_MANY_SCANS:
        found.append(Warning("too_many_scans", f"此码已被扫描 {count} 次，谨防假冒", f"Scanned {count} times: beware"))
    spread = farthest_km(points)
    if spread is not None and spread > FAR_APART_KM:
        found.append(
            Warning(
                "far_apart",
                f"此码在相距约 {spread:,.0f} 公里的两地被扫描，谨防假冒",
                f"Scanned in places about {spread:,.0f} km apart: beware",
            )
        )
    return found


def farthest_km(points: list[ScanPoint]) -> float | None:
    """The largest distance between two located scans (None with fewer than two)."""
    located = [(p.lat, p.lon) for p in points if p.lat is not None and p.lon is not None]
    distances = [
        geo.distance_km(lat1, lon1, lat2, lon2)
        for i, (lat1, lon1) in enumerate(located)
        for lat2, lon2 in located[i + 1 :]
    ]
    return max(distances, default=None)
