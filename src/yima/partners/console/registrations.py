"""注册审核 Registrations: the roles people asked for themselves — a store registered by its
first scan (its store waits closed), a clerk or guide joining a store, dealer staff invited by
QR code — with who, what, where and when; approve (the role acts, the new store opens) or
reject with the reason the person is shown."""

from __future__ import annotations

from typing import Any

from yima.partners import service
from yima.partners.console.accounts import KINDS, STATUSES
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import RegistrationRead
from yima.platform.console import ConsolePage, Text, console_page, nav, register_error_texts
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    FormDialog,
    RowAction,
    filter_select,
    local_time,
    page_header,
    text_field,
)
from yima.platform.ctx import Ctx

register_error_texts({"not_pending": Text("该申请已处理", "this request was decided already")})
COLUMNS = [
    Column("created", Text("申请时间", "Asked"), kind="mono"),
    Column("phone", Text("手机号", "Phone"), kind="mono"),
    Column("name", Text("姓名", "Name")),
    Column("kind_label", Text("身份", "Role")),
    Column("partner_name", Text("经销商 / 门店", "Dealer / store")),
    Column("what", Text("申请", "Request"), kind="tags", tag_colors={"新门店": "primary", "New store": "primary"}),
    Column("where", Text("地点", "Where"), kind="wrap"),
    Column("consented", Text("同意隐私协议", "Consented"), kind="mono"),
    Column("review_note", Text("驳回原因", "Reason"), kind="wrap"),
]


@console_page(
    "/partners/registrations",
    label=Text("注册审核", "Registrations"),
    area=nav.CHANNEL,
    icon="how_to_reg",
    permission=PARTNERS_READ.name,
    order=26,
)
async def registrations_page(page: ConsolePage) -> None:
    await RegistrationsView(page).pager.reload()


class RegistrationsView:
    def __init__(self, page: ConsolePage) -> None:
        self.page, self.status = page, "pending"
        t = page.t
        page_header(
            t("注册审核", "Registrations"),
            t(
                "门店首次扫码注册、加入门店的店员与导购、扫码邀请的经销商员工：审核通过后身份生效，新门店同时启用",
                "Stores registered by their first scan, clerks and guides joining, invited dealer staff: "
                "approving makes the role act and opens a new store",
            ),
        )
        statuses = {None: page.text(STATUSES["pending"])} | {k: page.text(STATUSES[k]) for k in ("active", "rejected")}
        filter_select(statuses, t("状态", "Status"), self._set_status, width="w-36")
        actions = [
            RowAction("approve", "check", Text("通过", "Approve"), self.approve, when="row.status === 'pending'"),
            RowAction("reject", "close", Text("驳回", "Reject"), self.reject, when="row.status === 'pending'"),
        ]
        table = DataTable(page, COLUMNS, actions=actions if page.can(PARTNERS_WRITE.name) else [])
        table.table.mark("registrations")
        self.pager = CursorPager(page, table, self.load)

    async def _set_status(self, value: Any) -> None:
        self.status = value or "pending"
        await self.pager.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_registrations(ctx, self.status, limit, before_id)  # type: ignore[arg-type]
        return [self._row(ctx, r) for r in rows]

    def _row(self, ctx: Ctx, r: RegistrationRead) -> dict[str, Any]:
        t, text = self.page.t, self.page.text
        where = " · ".join(x for x in (r.region_name, r.address) if x)
        if r.located_region_name and r.located_region_name != r.region_name:
            where += t(f"（注册时位于 {r.located_region_name}）", f" (registered from {r.located_region_name})")
        return r.model_dump(mode="json") | {
            "created": local_time(ctx, r.created_at),
            "name": r.name or "—",
            "kind_label": text(KINDS.get(r.kind, Text(r.kind_name, r.kind))),
            "what": [t("新门店", "New store")] if r.new_store else [],
            "where": where or "—",
            "consented": local_time(ctx, r.consented_at) if r.consented_at else "—",
        }

    async def approve(self, row: dict[str, Any]) -> None:
        done = self.page.t("已通过", "Approved")
        if await self.page.run(lambda ctx: service.approve_registration(ctx, row["id"]), done=done):
            await self.pager.refresh()

    def reject(self, row: dict[str, Any]) -> None:
        t, page = self.page.t, self.page

        async def save() -> bool:
            reason = str(field.value or "")
            ok = await page.run(lambda ctx: service.reject_registration(ctx, row["id"], reason),
                                done=t("已驳回", "Rejected"), fields={"reason": t("驳回原因", "Reason")})  # fmt: skip
            if ok:
                await self.pager.refresh()
            return bool(ok)

        with FormDialog(page, t("驳回申请", "Reject the request"), save, submit=t("驳回", "Reject")) as form:
            field = text_field(t("驳回原因（申请人可见）", "Reason (the person sees it)"))
            form.body.mark("reject-dialog")
        form.open()
