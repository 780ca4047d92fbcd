"""Trace's permissions."""

from __future__ import annotations

from yima.platform.permissions import Permission

TRACE_READ = Permission(
    "trace:read",
    "查看追溯事件（EPCIS）",
    "View traceability events (EPCIS)",
    ("admin", "operator", "regional_manager"),
)
TRACE_WRITE = Permission(
    "trace:write",
    "采集追溯事件（EPCIS）",
    "Capture traceability events (EPCIS)",
    ("admin", "operator"),
)
