"""The partners' permissions."""

from __future__ import annotations

from yima.platform.permissions import Permission

PARTNERS_READ = Permission(
    "partners:read",
    "查看经销商、门店与仓库",
    "View dealers, stores and warehouses",
    ("admin", "operator", "finance", "regional_manager"),
)
PARTNERS_WRITE = Permission(
    "partners:write",
    "管理经销商、门店与仓库",
    "Manage dealers, stores and warehouses",
    ("admin", "operator"),
)
