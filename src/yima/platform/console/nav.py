"""Navigation by area: each context registers its pages; the drawer shows an area only when it has
a page the person may open, so the console grows as contexts are added."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from yima.platform.console.i18n import Text
from yima.platform.ctx import Actor

MOUNT_PATH = "/console"


@dataclass(frozen=True)
class Area:
    key: str
    label: Text
    icon: str
    order: int


# The console's areas, in drawer order. A context picks one; an area with no pages is not shown.
PRODUCTS = Area("products", Text("产品与码", "Products & codes"), "qr_code_2", 100)
CHANNEL = Area("channel", Text("渠道", "Channel"), "storefront", 200)
MARKETING = Area("marketing", Text("营销活动", "Marketing"), "campaign", 300)
MEMBERS = Area("members", Text("会员", "Members"), "groups", 400)
FINANCE = Area("finance", Text("资金", "Finance"), "account_balance_wallet", 500)
TRACE = Area("trace", Text("物流追溯", "Traceability"), "local_shipping", 600)
ANALYTICS = Area("analytics", Text("数据分析", "Analytics"), "insights", 700)
SETTINGS = Area("settings", Text("系统设置", "Settings"), "settings", 900)


@dataclass(frozen=True)
class NavEntry:
    path: str  # relative to the console: "/identity/staff"
    label: Text
    icon: str
    permission: str | None
    area: Area | None  # None: a top-level entry above the areas (the home page)
    order: int = 100

    def visible_to(self, actor: Actor) -> bool:
        return self.permission is None or actor.can(self.permission)


def menu(entries: Iterable[NavEntry], actor: Actor) -> list[tuple[Area | None, list[NavEntry]]]:
    """The entries ``actor`` may open, grouped by area in drawer order (top-level ones first)."""
    groups: dict[Area | None, list[NavEntry]] = {}
    for entry in entries:
        if entry.visible_to(actor):
            groups.setdefault(entry.area, []).append(entry)
    ordered = sorted(groups.items(), key=lambda item: -1 if item[0] is None else item[0].order)
    return [(area, sorted(items, key=lambda e: (e.order, e.path))) for area, items in ordered]
