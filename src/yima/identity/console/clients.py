"""API 客户端 API clients of the open platform: create (the secret is shown once), enable or
disable, change scopes."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.identity import service
from yima.identity.console.common import STATUS_COLORS, permission_groups, status_tags
from yima.identity.permissions import CLIENTS_MANAGE, CLIENTS_READ
from yima.identity.schemas import ClientCreate, ClientCreated, ClientRead, ClientUpdate, PermissionRead
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import (
    Checklist,
    Choice,
    Column,
    CursorPager,
    DataTable,
    FormDialog,
    RowAction,
    confirm,
    copyable,
    local_time,
    page_header,
    text_field,
)
from yima.platform.ctx import Ctx
from yima.platform.permissions import all_permissions

COLUMNS = [
    Column("name", Text("名称", "Name")),
    Column("client_id", Text("Client ID", "Client ID"), kind="mono"),
    Column("scopes", Text("权限范围", "Scopes"), kind="tags"),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors=STATUS_COLORS),
    Column("created", Text("创建", "Created")),
    Column("last_used", Text("最近使用", "Last used")),
]


def _labels(page: ConsolePage) -> dict[str, str]:
    return {"name": page.t("名称", "Name"), "scopes": page.t("权限范围", "Scopes")}


def _scope_groups(page: ConsolePage) -> list[tuple[str, list[Choice]]]:
    # Scopes are permission names; the registry gives their labels without a staff:read check.
    permissions = [
        PermissionRead(name=p.name, area=p.area, label_zh=p.label_zh, label_en=p.label_en) for p in all_permissions()
    ]
    return permission_groups(page, permissions)


class ClientsView:
    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        actions = (
            [
                RowAction("edit", "edit", Text("修改名称与权限范围", "Edit name and scopes"), self.edit),
                RowAction("rotate", "key", Text("重置密钥", "Reset secret"), self.rotate),
                RowAction("disable", "block", Text("停用", "Disable"), self.disable, when="row.active"),
                RowAction("enable", "check_circle", Text("启用", "Enable"), self.enable, when="!row.active"),
            ]
            if page.can(CLIENTS_MANAGE.name)
            else []
        )
        self.table = DataTable(page, COLUMNS, actions=actions)
        self.pager = CursorPager(page, self.table, self.load)

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        return [self._row(ctx, ClientRead.model_validate(c)) for c in await service.list_clients(ctx, limit, before_id)]

    def _row(self, ctx: Ctx, client: ClientRead) -> dict[str, Any]:
        return {
            "id": client.id,
            "name": client.name,
            "client_id": client.client_id,
            "scopes": client.scopes,
            "active": client.is_active,
            "status": status_tags(self.page, client.is_active),
            "created": f"{local_time(ctx, client.created_at)} · {client.created_by}",
            "last_used": local_time(ctx, client.last_used_at),
        }

    def create(self) -> None:
        page = self.page

        async def submit() -> bool:
            data = {"name": name.value, "scopes": scopes.value}
            outcome = await page.run(lambda ctx: service.create_client(ctx, ClientCreate(**data)), fields=_labels(page))
            if not outcome:
                return False
            await self.pager.reload()
            self._reveal(outcome.value)
            return True

        with FormDialog(
            page, page.t("新建 API 客户端", "New API client"), submit, submit=page.t("创建", "Create"), width="44rem"
        ) as form:
            name = text_field(page.t("名称（如：ERP 对接）", "Name (e.g. ERP integration)"))
            ui.label(page.t("权限范围", "Scopes")).classes("text-sm text-grey-8 mt-2")
            scopes = Checklist(_scope_groups(page), [])
        form.open()

    async def rotate(self, row: dict[str, Any]) -> None:
        t = self.page.t
        name = row["name"]
        question = t(f"确定重置“{name}”的密钥？旧密钥及其访问令牌将立即失效。",
                     f"Reset the secret of “{name}”? The old one and its tokens stop working at once.")  # fmt: skip
        if not await confirm(self.page, question, ok=t("重置密钥", "Reset secret")):
            return
        rotated = await self.page.run(lambda ctx: service.rotate_secret(ctx, row["id"]))
        if rotated:
            self._reveal(rotated.value, t("密钥已重置", "Secret reset"))
            await self.pager.refresh()

    def _reveal(self, created: ClientCreated, title: str | None = None) -> None:
        """The secret, once: only its digest is kept, so it cannot be shown again."""
        page = self.page
        with FormDialog(
            page,
            title or page.t("API 客户端已创建", "API client created"),
            _close,
            cancel=False,
            submit=page.t("我已妥善保存", "I have stored it safely"),
            width="40rem",
        ) as form:
            with ui.row().classes("w-full items-start gap-2 p-3 rounded bg-orange-1 text-orange-10 no-wrap"):
                ui.icon("warning", size="20px")
                ui.label(
                    page.t(
                        "客户端密钥只显示这一次。关闭后无法再次查看，请立即复制并保存到安全的位置。",
                        "The client secret is shown only this once. Copy it now and keep it somewhere "
                        "safe; it cannot be shown again.",
                    )
                ).classes("text-sm")
            copyable(page, "client_id", created.client_id)
            copyable(page, "client_secret", created.client_secret)
        form.open()

    def edit(self, row: dict[str, Any]) -> None:
        page = self.page

        async def submit() -> bool:
            data = {"name": name.value, "scopes": scopes.value}
            return await self._update(row, data, page.t("已保存", "Saved"))

        with FormDialog(page, page.t(f"编辑 {row['name']}", f"Edit {row['name']}"), submit, width="44rem") as form:
            name = text_field(page.t("名称", "Name"), row["name"])
            scopes = Checklist(_scope_groups(page), row["scopes"])
        form.open()

    async def disable(self, row: dict[str, Any]) -> None:
        await self._update(
            row,
            {"is_active": False},
            self.page.t("已停用，其访问令牌立即失效", "Disabled; its tokens stop working at once"),
        )

    async def enable(self, row: dict[str, Any]) -> None:
        await self._update(row, {"is_active": True}, self.page.t("已启用", "Enabled"))

    async def _update(self, row: dict[str, Any], data: dict[str, Any], done: str) -> bool:
        ok = await self.page.run(
            lambda ctx: service.update_client(ctx, row["id"], ClientUpdate(**data)),
            done=done,
            fields=_labels(self.page),
        )
        if ok:
            await self.pager.refresh()
        return bool(ok)


async def _close() -> bool:
    return True


@console_page(
    "/identity/clients",
    label=Text("API 客户端", "API clients"),
    area=nav.SETTINGS,
    icon="key",
    permission=CLIENTS_READ.name,
    order=30,
)
async def clients_page(page: ConsolePage) -> None:
    header = page_header(
        page.t("API 客户端", "API clients"),
        page.t(
            "开放平台应用：ERP、WMS 等系统通过 OAuth 2.0 客户端凭证访问 API",
            "Open-platform apps: ERP, WMS and other systems call the API with OAuth 2.0 client credentials",
        ),
    )
    view = ClientsView(page)
    if page.can(CLIENTS_MANAGE.name):
        with header:
            ui.button(page.t("新建客户端", "New client"), icon="add", on_click=view.create)
    await view.pager.reload()
