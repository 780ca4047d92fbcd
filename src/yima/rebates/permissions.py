"""The rebates' permissions."""

from __future__ import annotations

from yima.platform.permissions import Permission

REBATES_READ = Permission(
    "rebates:read",
    "查看渠道返利",
    "View channel rebate policies and their credits",
    ("admin", "operator", "finance", "regional_manager"),
)
REBATES_WRITE = Permission(
    "rebates:write",
    "管理渠道返利政策",
    "Manage channel rebate policies (configure, activate, pause, end)",
    ("admin", "operator"),
)
STORE_SCAN = Permission(
    "store_scan:write",  # granted to store roles by partners.rules.ROLE_PERMISSIONS
    "门店扫码登记货权、开箱",
    "A store's people register and open goods by scanning them",
    staff=False,
)
GUIDE_SCAN = Permission(
    "guide_scan:write",  # granted to guide roles by partners.rules.ROLE_PERMISSIONS
    "导购扫码登记所售商品",
    "A guide registers the bottles they sell by scanning them",
    staff=False,
)
