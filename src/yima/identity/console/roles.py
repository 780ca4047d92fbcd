"""角色 Roles: built-in and custom roles with their permissions; custom ones are created, edited
and deleted here (built-in roles follow the code)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from yima.identity import service
from yima.identity.console.common import permission_groups, permission_label
from yima.identity.permissions import STAFF_MANAGE, STAFF_READ
from yima.identity.schemas import PermissionRead, RoleCreate, RoleRead, RoleUpdate
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Checklist, Column, DataTable, FormDialog, RowAction, confirm, page_header
from yima.platform.console.widgets import text_field as field
from yima.platform.ctx import Ctx

COLUMNS = [
    Column("name", Text("名称", "Name")),
    Column("code", Text("代码", "Code"), kind="mono"),
    Column(
        "kind",
        Text("类型", "Kind"),
        kind="tags",
        tag_colors={"内置": "blue-grey-6", "Built-in": "blue-grey-6", "自定义": "primary", "Custom": "primary"},
    ),
    Column("permission_labels", Text("权限", "Permissions"), kind="tags"),
]


@console_page(
    "/identity/roles",
    label=Text("角色与权限", "Roles"),
    area=nav.SETTINGS,
    icon="admin_panel_settings",
    permission=STAFF_READ.name,
    order=20,
)
async def roles_page(page: ConsolePage) -> None:
    permissions = await page.run(_permissions)
    view = RolesView(page, permissions.value if permissions else [])
    await view.reload()


async def _permissions(ctx: Ctx) -> list[PermissionRead]:
    return service.list_permissions(ctx)  # synchronous; page.run takes a coroutine function


class RolesView:
    """The roles table and its dialogs (they share the permission list and the reload)."""

    def __init__(self, page: ConsolePage, permissions: list[PermissionRead]) -> None:
        self.page = page
        self.permissions = permissions
        self.labels = {p.name: permission_label(page, p) for p in permissions}
        header = page_header(
            page.t("角色与权限", "Roles and permissions"),
            page.t(
                "内置角色随系统升级自动更新；自定义角色可自由组合权限",
                "Built-in roles follow the release; custom roles combine permissions freely",
            ),
        )
        manage = page.can(STAFF_MANAGE.name)
        actions = [
            RowAction("edit", "edit", Text("编辑", "Edit"), self.edit, when="!row.builtin"),
            RowAction("delete", "delete", Text("删除", "Delete"), self.delete, when="!row.builtin"),
        ]
        self.table = DataTable(page, COLUMNS, actions=actions if manage else [])
        if manage:
            with header:
                ui.button(page.t("新建角色", "New role"), icon="add", on_click=self.create)

    async def reload(self) -> None:
        outcome = await self.page.run(service.list_roles)
        if outcome:
            self.table.set_rows([self._row(r) for r in outcome.value])

    def _row(self, role: RoleRead) -> dict[str, Any]:
        return {
            "id": role.id,
            "name": role.name,
            "code": role.code,
            "builtin": role.builtin,
            "kind": [self.page.t("内置", "Built-in") if role.builtin else self.page.t("自定义", "Custom")],
            "permissions": role.permissions,
            "permission_labels": [self.labels.get(p, p) for p in role.permissions],
        }

    async def _apply(self, action: Callable[[Ctx], Awaitable[object]], done: str) -> bool:
        fields = {"code": self.page.t("代码", "Code"), "name": self.page.t("名称", "Name")}
        fields |= {"permissions": self.page.t("权限", "Permissions"), "role": self.page.t("角色", "Role")}
        ok = await self.page.run(action, done=done, fields=fields)
        if ok:
            await self.reload()
        return bool(ok)

    def create(self) -> None:
        t = self.page.t

        async def save() -> bool:
            data = {"code": code.value, "name": name.value, "permissions": checklist.value}
            return await self._apply(
                lambda ctx: service.create_role(ctx, RoleCreate(**data)), t("角色已创建", "Role created")
            )

        with FormDialog(self.page, t("新建角色", "New role"), save, submit=t("创建", "Create"), width="44rem") as form:
            with ui.row().classes("w-full gap-3 no-wrap"):
                code = field(t("代码（小写字母、数字、下划线）", "Code (a-z, 0-9, _)"))
                name = field(t("名称", "Name"))
            checklist = Checklist(permission_groups(self.page, self.permissions), [])
        form.open()

    def edit(self, row: dict[str, Any]) -> None:
        t = self.page.t

        async def save() -> bool:
            data = {"name": name.value, "permissions": checklist.value}
            return await self._apply(
                lambda ctx: service.update_role(ctx, row["id"], RoleUpdate(**data)), t("已保存", "Saved")
            )

        with FormDialog(
            self.page, t(f"编辑角色 {row['code']}", f"Edit role {row['code']}"), save, width="44rem"
        ) as form:
            name = field(t("名称", "Name"), row["name"])
            checklist = Checklist(permission_groups(self.page, self.permissions), row["permissions"])
        form.open()

    async def delete(self, row: dict[str, Any]) -> None:
        t = self.page.t
        question = t(f"确定删除角色“{row['name']}”？", f"Delete the role “{row['name']}”?")
        if await confirm(self.page, question, ok=t("删除", "Delete")):
            await self._apply(lambda ctx: service.delete_role(ctx, row["id"]), t("已删除", "Deleted"))
