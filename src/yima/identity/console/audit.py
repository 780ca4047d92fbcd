"""审计日志 Audit log: who changed what, when (in the brand's time zone), from where."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from nicegui import ui

from yima.identity import service
from yima.identity.permissions import AUDIT_READ
from yima.identity.schemas import AuditFilter, AuditRead
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Column, CursorPager, DataTable, filter_input, local_time, page_header
from yima.platform.ctx import Ctx

COLUMNS = [
    Column("at", Text("时间", "Time")),
    Column("actor", Text("操作人", "Actor")),
    Column("action", Text("操作", "Action"), kind="mono"),
    Column("target", Text("对象", "Target"), kind="mono"),
    Column("changes", Text("变更内容", "Changes"), kind="wrap"),
    Column("ip", Text("IP", "IP"), kind="mono"),
    Column("request_id", Text("请求编号", "Request id"), kind="mono", max_width="7rem"),
]


def _day_start(value: str | None, ctx: Ctx, *, later: int = 0) -> dt.datetime | None:
    """The start of a local day (YYYY-MM-DD, plus ``later`` days) of the brand, as a UTC moment:
    "a day" is the tenant's."""
    if not value:
        return None
    day = dt.date.fromisoformat(value) + dt.timedelta(days=later)
    return dt.datetime.combine(day, dt.time(), tzinfo=ctx.tenant.zone if ctx.tenant else dt.UTC).astimezone(dt.UTC)


def _row(ctx: Ctx, entry: AuditRead) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": local_time(ctx, entry.at),
        "actor": entry.actor_name
        if entry.actor_kind in ("staff", entry.actor_name)
        else f"{entry.actor_name} ({entry.actor_kind})",
        "action": entry.action,
        "target": f"{entry.target_type}#{entry.target_id}",
        "changes": json.dumps(entry.changes, ensure_ascii=False, default=str) if entry.changes else "",
        "ip": entry.ip or "",
        "request_id": entry.request_id or "",
    }


@console_page(
    "/identity/audit",
    label=Text("审计日志", "Audit log"),
    area=nav.SETTINGS,
    icon="history",
    permission=AUDIT_READ.name,
    order=40,
)
async def audit_page(page: ConsolePage) -> None:
    page_header(
        page.t("审计日志", "Audit log"),
        page.t(
            f"配置变更与资金操作的完整记录（时间为品牌时区 {page.tenant.time_zone}）",
            f"Every configuration change and money movement (times in {page.tenant.time_zone})",
        ),
    )
    filters: dict[str, str | None] = {"action": None, "actor": None, "since": None, "until": None}
    with ui.row().classes("w-full items-center gap-3"):
        filter_input(
            page.t("操作（如 staff.updated）", "Action (e.g. staff.updated)"), lambda v: set_filter("action", v)
        )
        filter_input(page.t("操作人", "Actor"), lambda v: set_filter("actor", v), width="w-40")
        filter_input(page.t("开始日期", "From"), lambda v: set_filter("since", v), width="w-40", date=True)
        filter_input(page.t("结束日期", "To"), lambda v: set_filter("until", v), width="w-40", date=True)

    async def load(ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        query = AuditFilter(
            action=filters["action"],
            actor=filters["actor"],
            since=_day_start(filters["since"], ctx),
            until=_day_start(filters["until"], ctx, later=1),  # "to" includes that day
        )
        return [_row(ctx, AuditRead.model_validate(e)) for e in await service.list_audit(ctx, query, limit, before_id)]

    table = DataTable(page, COLUMNS)
    pager = CursorPager(page, table, load)

    async def set_filter(key: str, value: str | None) -> None:
        filters[key] = value
        await pager.reload()

    await pager.reload()
