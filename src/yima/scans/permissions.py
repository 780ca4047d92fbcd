"""Scans' permissions."""

from __future__ import annotations

from yima.platform.permissions import Permission

SCANS_READ = Permission(
    "scans:read", "查看扫码记录", "View scan records", ("admin", "operator", "finance", "regional_manager")
)
