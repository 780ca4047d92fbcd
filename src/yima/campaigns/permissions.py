"""The campaigns' permissions."""

from __future__ import annotations

from yima.platform.permissions import Permission

CAMPAIGNS_READ = Permission(
    "campaigns:read",
    "查看扫码活动",
    "View scan-to-win campaigns",
    ("admin", "operator", "finance", "regional_manager"),
)
CAMPAIGNS_WRITE = Permission(
    "campaigns:write",
    "管理扫码活动（配置、发布、暂停、结束）",
    "Manage scan-to-win campaigns (configure, publish, pause, end)",
    ("admin", "operator"),
)
RISK_READ = Permission(
    "risk:read",
    "查看风控",
    "View risk control (rules, blacklists)",
    ("admin", "operator", "finance", "regional_manager"),
)
RISK_WRITE = Permission(
    "risk:write",
    "审核扫码、管理黑名单",
    "Review held scans, manage blacklists",
    ("admin", "operator"),
)
RISK_MANAGE = Permission("risk:manage", "风控规则设置", "Set the risk control rules", ("admin",))
