"""The catalog's permissions."""

from __future__ import annotations

from yima.platform.permissions import Permission

CATALOG_READ = Permission(
    "catalog:read",
    "查看商品与包装规格",
    "View products and packaging specs",
    ("admin", "operator", "finance", "regional_manager"),
)
CATALOG_WRITE = Permission(
    "catalog:write", "管理商品与包装规格", "Manage products and packaging specs", ("admin", "operator")
)
