"""Analytics' permissions."""

from __future__ import annotations

from yima.platform.permissions import Permission

ANALYTICS_READ = Permission(
    "analytics:read",
    "查看数据分析（渠道库存、货龄、窜货统计）",
    "View analytics (channel inventory, goods age, diversion counts)",
    ("admin", "operator", "finance", "regional_manager"),
)
