"""What the public code page says about a code: pure functions over the unit and its scans."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Literal

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


# the draw ---------------------------------------------------------------------------------------

Outcome = Literal[
    "verified", "not_active", "no_campaign", "awarded", "held", "rejected", "not_eligible",
    "already_awarded", "limit_reached", "budget_exhausted",
]  # fmt: skip
# What the scanner is told (the review's reasons are the brand's, never shown: 风控不外露).
OUTCOME_TEXT: dict[str, tuple[str, str]] = {
    "verified": ("感谢查询", "Thank you for checking"),
    "not_active": ("此码不能参与活动", "This code cannot take part"),
    "no_campaign": ("当前没有进行中的扫码活动", "No campaign is running for this product"),
    "awarded": ("恭喜中奖", "You won"),
    "held": ("您的奖励正在审核，请稍后在“我的奖励”查看", "Your prize is being checked; see My prizes later"),
    "rejected": ("活动太火爆了，请稍后再试", "The campaign is busy; please try later"),
    "not_eligible": ("本次扫码不在活动范围内", "This scan is outside the campaign"),
    "already_awarded": ("此码已参与过活动", "This code has already won"),
    "limit_reached": ("您今天的参与次数已用完", "You have reached the limit for now"),
    "budget_exhausted": ("今日奖品已发完，明天再来", "Today's prizes are gone; come back tomorrow"),
}
# Neighbouring codes scanned by one person or network in a short time: a leaked roll worked
# through (campaigns' serial_burst rule, more than 8 by default, docs/campaigns.md). The span
# keeps a family's case paid: bottles opened in serial order see at most 5 neighbours behind
# them, however long the case; a leaked roll swept in order at machine speed is the person,
# device, IP and network counters' to catch.
SEQUENCE_SPAN = 5  # serials either side
SEQUENCE_WINDOW = dt.timedelta(minutes=10)


def draw_role(level: str, face: str | None) -> str | None:
    """Who draws when this face is scanned: a bottle's hidden inner code (or its only code) is
    the consumer's (开盖扫码); other faces only verify here (the channel's roles come with
    registration)."""
    return "consumer" if level == "bottle" and face in (None, "inner") else None


def network_of(ip: str) -> str:
    """The source's network for the /24 counters: IPv4 /24, IPv6 /48."""
    address = ipaddress.ip_address(ip)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
