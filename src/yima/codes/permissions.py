"""Codes' permissions."""

from __future__ import annotations

from yima.platform.permissions import Permission

CODES_READ = Permission(
    "codes:read",
    "查看码包与码状态",
    "View code batches and code states",
    ("admin", "operator", "finance", "regional_manager"),
)
CODES_WRITE = Permission(
    "codes:write", "生成、导出、激活、作废码", "Generate, export, activate and void codes", ("admin", "operator")
)
PACKING_WRITE = Permission(
    "packing:write", "产线关联采集（装箱、拆箱）", "Pack and unpack on the line", ("admin", "operator")
)
