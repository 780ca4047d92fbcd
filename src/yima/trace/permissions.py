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
LOGISTICS_WRITE = Permission(
    "logistics:write",
    "物流作业（入库、发货、收货、签收、退货）",
    "Logistics operations (warehouse in, ship, receive, sign for, return)",
    ("admin", "operator"),
)
DIVERSION_WRITE = Permission(
    "diversion:write",
    "处理窜货记录（确认、驳回）",
    "Handle diversion records (confirm, dismiss)",
    ("admin", "operator", "regional_manager"),
)
