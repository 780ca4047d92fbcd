"""渠道账号 Channel accounts: the people of dealers and stores, salesmen (业务员) and guides (导购),
who sign in by phone; grant a role by phone number, disable and enable it, filter by kind and
status; a salesman's row leads to his stores."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.partners import rules, service
from yima.partners.console.common import labels
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import ChannelRoleCreate, ChannelRoleFilter, ChannelRoleRead, DealerFilter, StoreFilter
from yima.platform.console import ConsolePage, Text, console_page, nav, register_error_texts
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    FormDialog,
    RowAction,
    filter_input,
    filter_select,
    page_header,
    text_field,
)
from yima.platform.ctx import Ctx

register_error_texts(
    {
        "role_exists": Text("该手机号已有此身份", "this phone already holds this role"),
        "wrong_partner": Text("该身份不能属于所选的经销商、门店或区域", "this role cannot be tied to that"),
        "not_a_district": Text("区域导购群须是区县", "an area guide group is a district"),
    }
)
KINDS = {
    "dealer_owner": Text("经销商负责人", "Dealer owner"),
    "dealer_staff": Text("经销商员工", "Dealer staff"),
    "store_owner": Text("店主", "Store owner"),
    "store_clerk": Text("店员", "Store clerk"),
    "salesman": Text("业务员", "Salesman"),
    "guide": Text("导购", "Guide"),
}
BRAND = Text("品牌直属", "The brand's own")
STATUSES = {
    "active": Text("启用", "Active"),
    "pending": Text("待审核", "Pending"),
    "rejected": Text("已驳回", "Rejected"),
    "disabled": Text("已停用", "Disabled"),
}
COLUMNS = [
    Column("phone", Text("手机号", "Phone"), kind="mono"),
    Column("name", Text("姓名", "Name")),
    Column("kind_label", Text("身份", "Role")),
    Column("partner_name", Text("经销商 / 门店", "Dealer / store")),
    Column("status", Text("状态", "Status"), kind="tags",
           tag_colors={"启用": "positive", "Active": "positive", "已停用": "grey-6", "Disabled": "grey-6"}),
]  # fmt: skip


@console_page(
    "/partners/accounts",
    label=Text("渠道账号", "Channel accounts"),
    area=nav.CHANNEL,
    icon="badge",
    permission=PARTNERS_READ.name,
    order=25,
)
async def accounts_page(page: ConsolePage) -> None:
    options = await page.run(_partner_options)
    view = AccountsView(page, *(options.value if options else ({}, {})))
    await view.pager.reload()


async def _partner_options(ctx: Ctx) -> tuple[dict[int, str], dict[int, str]]:
    dealers = await service.list_dealers(ctx, DealerFilter(active=True), 500, None)
    stores = await service.list_stores(ctx, StoreFilter(active=True), 500, None)
    return {d.id: f"{d.code} · {d.name}" for d in dealers}, {s.id: f"{s.code} · {s.name}" for s in stores}


class AccountsView:
    def __init__(self, page: ConsolePage, dealers: dict[int, str], stores: dict[int, str]) -> None:
        self.page, self.dealers, self.stores = page, dealers, stores
        self.filters: dict[str, Any] = {"phone": None, "kind": None, "status": None}
        t = page.t
        header = page_header(
            t("渠道账号", "Channel accounts"),
            t(
                "经销商与门店人员用手机号和短信验证码登录手机端，只能以自己的经销商或门店办理业务",
                "Dealers' and stores' people sign in by phone and SMS code and act only for their own partner",
            ),
        )
        with ui.row().classes("w-full items-center gap-3"):
            filter_input(t("手机号", "Phone"), self._set("phone"))
            filter_select({None: t("全部身份", "All roles")} | {k: page.text(v) for k, v in KINDS.items()},
                          t("身份", "Role"), self._set("kind"), width="w-40")  # fmt: skip
            filter_select({None: t("全部状态", "All statuses")} | {k: page.text(v) for k, v in STATUSES.items()},
                          t("状态", "Status"), self._set("status"), width="w-36")  # fmt: skip
        write = page.can(PARTNERS_WRITE.name)
        actions = [
            RowAction("disable", "block", Text("停用", "Disable"), self.disable, when="row.status_key === 'active'"),
            RowAction("enable", "restart_alt", Text("启用", "Enable"), self.enable, when="row.status_key !== 'active'"),
        ]
        his_stores = RowAction("stores", "storefront", Text("负责门店", "Stores"), self.salesman,
                               when="row.kind === 'salesman'")  # fmt: skip
        table = DataTable(page, COLUMNS, actions=[his_stores, *(actions if write else [])])
        table.table.mark("channel-accounts")
        self.pager = CursorPager(page, table, self.load)
        if write:
            with header:
                ui.button(t("开通账号", "Add account"), icon="add", on_click=self.create).mark("account-create")

    def _set(self, key: str) -> Any:
        async def set_filter(value: Any) -> None:
            self.filters[key] = value or None
            await self.pager.reload()

        return set_filter

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_roles(ctx, ChannelRoleFilter(**self.filters), limit, before_id)
        return [self._row(r) for r in rows]

    def _row(self, role: ChannelRoleRead) -> dict[str, Any]:
        text = self.page.text
        return role.model_dump(mode="json") | {
            "name": role.name or "—",
            "kind_label": text(KINDS[role.kind]),
            "partner_name": role.partner_name or (text(BRAND) if role.kind == "salesman" else "—"),
            "status": [text(STATUSES[role.status])],
            "status_key": role.status,
        }

    def create(self) -> None:
        t, page = self.page.t, self.page

        async def save() -> bool:
            kind = fields["kind"].value
            ties = rules.ROLE_TIES.get(kind, ("store",))
            partner, region = fields["partner"].value, (fields["region"].value or "").strip()
            data = {"phone": fields["phone"].value, "name": fields["name"].value, "kind": kind}
            if region and "region" in ties:
                data["region_code"] = region
            elif partner is not None:
                data[f"{ties[0]}_id"] = partner
            ok = await page.run(lambda ctx: service.grant_role(ctx, ChannelRoleCreate(**data)),
                                done=t("账号已开通", "Account added"), fields=labels(page))  # fmt: skip
            if ok:
                await self.pager.reload()
            return bool(ok)

        def partners_of(kind: str) -> dict[int | None, str]:
            ties = rules.ROLE_TIES.get(kind, ("store",))
            brand: dict[int | None, str] = {None: page.text(BRAND)} if "brand" in ties else {}
            return brand | (self.dealers if ties[0] == "dealer" else self.stores)

        with FormDialog(page, t("开通渠道账号", "Add a channel account"), save, submit=t("开通", "Add")) as form:
            fields: dict[str, Any] = {
                "phone": text_field(t("手机号", "Phone")),
                "name": text_field(t("姓名", "Name")),
            }
            fields["kind"] = ui.select({k: page.text(v) for k, v in KINDS.items()}, value="store_owner",
                                       label=t("身份", "Role"))  # fmt: skip
            fields["partner"] = ui.select(self.stores, label=t("经销商 / 门店", "Dealer / store"), with_input=True)
            for key in ("kind", "partner"):
                fields[key].props("outlined dense").classes("w-full")
            fields["region"] = text_field(
                t("或区域导购群：区县代码（如 510104）", "Or an area's guide group: district code")
            )
            fields["region"].set_visibility(False)

            def kind_changed(event: Any) -> None:
                fields["partner"].set_options(partners_of(event.value), value=None)
                fields["region"].set_visibility(event.value == "guide")

            fields["kind"].on_value_change(kind_changed)
            form.body.mark("account-dialog")
        form.open()

    def salesman(self, row: dict[str, Any]) -> None:
        ui.navigate.to(f"/partners/salesman?id={row['id']}")

    async def disable(self, row: dict[str, Any]) -> None:
        ok = await self.page.run(lambda ctx: service.set_role_status(ctx, row["id"], "disabled"),
                                 done=self.page.t("已停用", "Disabled"))  # fmt: skip
        if ok:
            await self.pager.refresh()

    async def enable(self, row: dict[str, Any]) -> None:
        ok = await self.page.run(lambda ctx: service.set_role_status(ctx, row["id"], "active"),
                                 done=self.page.t("已启用", "Enabled"))  # fmt: skip
        if ok:
            await self.pager.refresh()
