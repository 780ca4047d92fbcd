"""员工 Staff: list with search, create, edit (roles, regions, active, password reset)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.identity import service
from yima.identity.console.common import STATUS_COLORS, role_options, status_tags
from yima.identity.permissions import STAFF_MANAGE, STAFF_READ
from yima.identity.schemas import StaffCreate, StaffFilter, StaffRead, StaffUpdate
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    FormDialog,
    RowAction,
    filter_input,
    filter_select,
    local_time,
    multi_select,
    page_header,
    text_field,
)
from yima.platform.ctx import Ctx

COLUMNS = [
    Column("login", Text("登录名", "Login"), kind="mono"),
    Column("display_name", Text("姓名", "Name")),
    Column("roles", Text("角色", "Roles"), kind="tags"),
    Column("region_codes", Text("区域", "Regions"), kind="tags"),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors=STATUS_COLORS),
    Column("last_login", Text("最近登录", "Last sign-in")),
]


@console_page(
    "/identity/staff",
    label=Text("员工", "Staff"),
    area=nav.SETTINGS,
    icon="badge",
    permission=STAFF_READ.name,
    order=10,
)
async def staff_page(page: ConsolePage) -> None:
    roles = await page.run(service.list_roles)
    view = StaffView(page, role_options(roles.value) if roles else {})
    await view.pager.reload()


class StaffView:
    """The staff list, its filters and dialogs (they share the role names and the reload)."""

    def __init__(self, page: ConsolePage, roles: dict[str, str]) -> None:
        self.page, self.roles = page, roles
        self.filters: dict[str, Any] = {"q": None, "role": None, "active": None}
        header = page_header(
            page.t("员工", "Staff"),
            page.t("可登录本品牌后台的人员及其角色", "People who sign in to this brand's console, and their roles"),
        )
        with ui.row().classes("w-full items-center gap-3"):
            filter_input(page.t("搜索登录名或姓名", "Search login or name"), lambda v: self.set_filter("q", v))
            filter_select(
                {None: page.t("全部角色", "All roles"), **roles},
                page.t("角色", "Role"),
                lambda v: self.set_filter("role", v),
            )
            filter_select(
                {None: page.t("全部", "All"), True: page.t("启用", "Active"), False: page.t("停用", "Disabled")},
                page.t("状态", "Status"),
                lambda v: self.set_filter("active", v),
                width="w-32",
            )
        manage = page.can(STAFF_MANAGE.name)
        actions = [RowAction("edit", "edit", Text("编辑", "Edit"), self.edit)] if manage else []
        self.pager = CursorPager(page, DataTable(page, COLUMNS, actions=actions), self.load)
        if manage:
            with header:
                ui.button(page.t("新建员工", "New staff member"), icon="person_add", on_click=self.create)

    async def set_filter(self, key: str, value: Any) -> None:
        self.filters[key] = value
        await self.pager.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_staff(ctx, StaffFilter(**self.filters), limit, before_id)
        return [self._row(ctx, s) for s in rows]

    def _row(self, ctx: Ctx, staff: StaffRead) -> dict[str, Any]:
        return {
            "id": staff.id,
            "login": staff.login,
            "display_name": staff.display_name,
            "roles": [self.roles.get(code, code) for code in staff.roles],
            "role_codes": staff.roles,
            "region_codes": staff.region_codes,
            "active": staff.is_active,
            "status": status_tags(self.page, staff.is_active, staff.locked),
            "last_login": local_time(ctx, staff.last_login_at),
        }

    def _labels(self) -> dict[str, str]:
        """Form labels by schema field, so an error names the field as the form does."""
        t = self.page.t
        return {
            "login": t("登录名", "Login"),
            "display_name": t("姓名", "Name"),
            "password": t("密码", "Password"),
            "roles": t("角色", "Roles"),
            "region_codes": t("区域代码", "Region codes"),
        }

    def create(self) -> None:
        page, t = self.page, self.page.t

        async def save() -> bool:
            values = {
                "login": login.value,
                "display_name": name.value,
                "password": password.value,
                "roles": roles.value or [],
                "region_codes": regions.value or [],
            }
            done = t("员工已创建", "Staff member created")
            ok = await page.run(
                lambda ctx: service.create_staff(ctx, StaffCreate(**values)), done=done, fields=self._labels()
            )
            if ok:
                await self.pager.reload()
            return bool(ok)

        with FormDialog(page, t("新建员工", "New staff member"), save, submit=t("创建", "Create")) as form:
            login = text_field(t("登录名", "Login"))
            name = text_field(t("姓名", "Name"))
            password = text_field(t("初始密码（至少 8 位）", "Initial password (8+ characters)"), password=True)
            roles = multi_select(self.roles, t("角色", "Roles"))
            regions = _region_input(page, [])
        form.open()

    def edit(self, row: dict[str, Any]) -> None:
        page, t = self.page, self.page.t

        async def save() -> bool:
            values = {
                "display_name": name.value,
                "roles": roles.value or [],
                "region_codes": regions.value or [],
                "is_active": active.value,
                "password": password.value or None,
            }
            ok = await page.run(
                lambda ctx: service.update_staff(ctx, row["id"], StaffUpdate(**values)),
                done=t("已保存", "Saved"),
                fields=self._labels(),
            )
            if ok:
                await self.pager.refresh()
            return bool(ok)

        with FormDialog(page, t(f"编辑员工 {row['login']}", f"Edit {row['login']}"), save) as form:
            name = text_field(t("姓名", "Name"), row["display_name"])
            roles = multi_select(self.roles, t("角色", "Roles"), row["role_codes"])
            regions = _region_input(page, list(row["region_codes"]))
            active = ui.switch(
                t("启用（停用后无法登录本品牌）", "Active (a disabled member cannot sign in here)"),
                value=bool(row["active"]),
            )
            password = text_field(t("重置密码（留空则不修改）", "Reset password (leave empty to keep)"), password=True)
        form.open()


def _region_input(page: ConsolePage, value: list[str]) -> ui.input_chips:
    field = ui.input_chips(
        page.t("区域代码（大区经理，可多个）", "Region codes (regional managers)"),
        value=value,
        new_value_mode="add-unique",
    )
    hint = page.t(
        "GB/T 2260 行政区划代码，如 310000（上海），输入后按回车",
        "GB/T 2260 codes, e.g. 310000 (Shanghai); press Enter after each",
    )
    return field.props("outlined dense clearable").classes("w-full").tooltip(hint)
