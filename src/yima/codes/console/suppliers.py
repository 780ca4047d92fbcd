"""供应商 Suppliers: who prints or applies the codes (cap factories, carton printers, lines)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from yima.codes import service as codes
from yima.codes.console.common import SUPPLIER_COLORS, SUPPLIER_KINDS, SUPPLIER_STATES, named, options
from yima.codes.permissions import CODES_READ, CODES_WRITE
from yima.codes.schemas import SupplierCreate, SupplierRead, SupplierUpdate
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Column, DataTable, FormDialog, RowAction, page_header, text_field
from yima.platform.ctx import Ctx

COLUMNS = [
    Column("name", Text("名称", "Name")),
    Column("kind_name", Text("类型", "Kind")),
    Column("contact", Text("联系人", "Contact")),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors=SUPPLIER_COLORS),
]


@console_page(
    "/codes/suppliers",
    label=Text("供应商", "Suppliers"),
    area=nav.PRODUCTS,
    icon="precision_manufacturing",
    permission=CODES_READ.name,
    order=60,
)
async def suppliers_page(page: ConsolePage) -> None:
    view = SuppliersView(page)
    await view.reload()


class SuppliersView:
    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        t = page.t
        header = page_header(
            t("供应商", "Suppliers"),
            t(
                "印刷或贴码的单位：瓶盖厂、纸箱印刷厂、产线",
                "Who prints or applies codes: cap factories, carton printers, lines",
            ),
        )
        write = page.can(CODES_WRITE.name)
        actions = [
            RowAction("edit", "edit", Text("编辑", "Edit"), self.edit),
            RowAction("disable", "block", Text("停用", "Disable"), self.disable, when="row.is_active"),
            RowAction("enable", "check_circle", Text("启用", "Enable"), self.enable, when="!row.is_active"),
        ]
        self.table = DataTable(page, COLUMNS, actions=actions if write else [])
        if write:
            with header:
                ui.button(t("新建供应商", "New supplier"), icon="add", on_click=self.create)

    def _labels(self) -> dict[str, str]:
        t = self.page.t
        return {"name": t("名称", "Name"), "kind": t("类型", "Kind"), "contact": t("联系人", "Contact")}

    async def reload(self) -> None:
        outcome = await self.page.run(codes.list_suppliers)
        if outcome:
            self.table.set_rows([self._row(s) for s in outcome.value])

    def _row(self, supplier: SupplierRead) -> dict[str, Any]:
        state = "active" if supplier.is_active else "disabled"
        return supplier.model_dump() | {
            "kind_name": named(self.page, SUPPLIER_KINDS, supplier.kind),
            "status": [named(self.page, SUPPLIER_STATES, state)],
        }

    def create(self) -> None:
        t = self.page.t

        async def save() -> bool:
            data = {"name": name.value, "kind": kind.value, "contact": contact.value}
            created = t("已创建", "Created")
            return await self._save(lambda ctx: codes.create_supplier(ctx, SupplierCreate(**data)), created)

        with FormDialog(self.page, t("新建供应商", "New supplier"), save, submit=t("创建", "Create")) as form:
            form.body.props("data-testid=supplier-dialog")
            name = text_field(t("名称（如 茅台镇瓶盖厂）", "Name (e.g. Maotai cap factory)"))
            kind = ui.select(options(self.page, SUPPLIER_KINDS), value="cap_factory", label=t("类型", "Kind"))
            kind.props("outlined dense").classes("w-full")
            contact = text_field(t("联系人与电话", "Contact person and phone"))
        form.open()

    def edit(self, row: dict[str, Any]) -> None:
        t = self.page.t

        async def save() -> bool:
            data = {"name": name.value, "contact": contact.value}
            return await self._save(
                lambda ctx: codes.update_supplier(ctx, row["id"], SupplierUpdate(**data)), t("已保存", "Saved")
            )

        with FormDialog(self.page, t(f"编辑 {row['name']}", f"Edit {row['name']}"), save) as form:
            name = text_field(t("名称", "Name"), row["name"])
            contact = text_field(t("联系人与电话", "Contact person and phone"), row["contact"])
        form.open()

    async def disable(self, row: dict[str, Any]) -> None:
        data = SupplierUpdate(is_active=False)
        done = self.page.t("已停用：不能再为它生成码包", "Disabled: no new batches for it")
        await self._save(lambda ctx: codes.update_supplier(ctx, row["id"], data), done)

    async def enable(self, row: dict[str, Any]) -> None:
        data = SupplierUpdate(is_active=True)
        await self._save(lambda ctx: codes.update_supplier(ctx, row["id"], data), self.page.t("已启用", "Enabled"))

    async def _save(self, action: Callable[[Ctx], Awaitable[SupplierRead]], done: str) -> bool:
        ok = await self.page.run(action, done=done, fields=self._labels())
        if ok:
            await self.reload()
        return bool(ok)
