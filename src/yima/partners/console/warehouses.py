"""仓库 Warehouses: the factory's, central and regional warehouses; create and edit, stop using,
export; their storage locations (库位) in a dialog."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.partners import service
from yima.partners.console.common import (
    ACTIVE,
    ACTIVE_COLORS,
    WAREHOUSE_KINDS,
    PartnerDialogs,
    active_tag,
    labels,
    place_fields,
)
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import (
    LocationCreate,
    LocationUpdate,
    WarehouseCreate,
    WarehouseFilter,
    WarehouseRead,
    WarehouseUpdate,
)
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.imports import download
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    FormDialog,
    RowAction,
    confirm,
    filter_input,
    filter_select,
    page_header,
    text_field,
)
from yima.platform.ctx import Ctx

COLUMNS = [
    Column("code", Text("编码", "Code"), kind="mono"),
    Column("name", Text("名称", "Name")),
    Column("kind_name", Text("类型", "Kind")),
    Column("region", Text("区域", "Region")),
    Column("address", Text("地址", "Address"), kind="wrap"),
    Column("location_count", Text("库位", "Locations"), align="right"),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors=ACTIVE_COLORS),
]
LOCATION_COLUMNS = [
    Column("code", Text("编码", "Code"), kind="mono"),
    Column("name", Text("名称", "Name")),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors=ACTIVE_COLORS),
]
LOCATIONS_SHOWN = 200


@console_page(
    "/partners/warehouses",
    label=Text("仓库", "Warehouses"),
    area=nav.CHANNEL,
    icon="warehouse",
    permission=PARTNERS_READ.name,
    order=30,
)
async def warehouses_page(page: ConsolePage) -> None:
    view = WarehousesView(page)
    await view.pager.reload()


class WarehousesView(PartnerDialogs):
    dialog_mark, dialog_width = "warehouse-dialog", "40rem"

    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        self.filters: dict[str, Any] = {"q": None, "kind": None, "active": None}
        t = page.t
        header = page_header(
            t("仓库", "Warehouses"), t("工厂仓、中心仓、区域仓及其库位", "Factory, central and regional warehouses")
        )
        with ui.row().classes("w-full items-center gap-3"):
            filter_input(t("搜索编码、名称或地址", "Search code, name or address"), self._set("q"))
            filter_select(
                {None: t("全部类型", "All kinds")} | {k: page.text(v) for k, v in WAREHOUSE_KINDS.items()},
                t("类型", "Kind"),
                self._set("kind"),
                width="w-36",
            )
            filter_select(
                {None: t("全部状态", "All statuses")} | {k: page.text(v) for k, v in ACTIVE.items()},
                t("状态", "Status"),
                self._set("active"),
                width="w-36",
            )
        self.write = page.can(PARTNERS_WRITE.name)
        actions = [RowAction("locations", "shelves", Text("库位", "Locations"), self.locations)]
        if self.write:
            actions += [
                RowAction("edit", "edit", Text("编辑", "Edit"), self.edit),
                RowAction("deactivate", "block", Text("停用", "Stop using"), self.deactivate, when="row.active"),
                RowAction("reactivate", "restart_alt", Text("启用", "Use again"), self.reactivate, when="!row.active"),
            ]
        table = DataTable(page, COLUMNS, actions=actions)
        table.table.mark("warehouses")
        self.pager = CursorPager(page, table, self.load)
        with header, ui.row().classes("gap-2"):
            ui.button(t("导出 Excel", "Export to Excel"), icon="download", on_click=self.export).props("outline")
            if self.write:
                ui.button(
                    t("Excel 导入", "Import from Excel"),
                    icon="upload_file",
                    on_click=lambda: ui.navigate.to("/partners/import?kind=warehouses"),
                ).props("outline")
                ui.button(t("新建仓库", "New warehouse"), icon="add", on_click=self.create).mark("warehouse-create")

    def _set(self, key: str) -> Any:
        async def set_filter(value: Any) -> None:
            self.filters[key] = value
            await self.pager.reload()

        return set_filter

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_warehouses(ctx, WarehouseFilter(**self.filters), limit, before_id)
        return [self._row(w) for w in rows]

    def _row(self, warehouse: WarehouseRead) -> dict[str, Any]:
        kind = WAREHOUSE_KINDS.get(warehouse.kind)
        return warehouse.model_dump(mode="json") | {
            "kind_name": self.page.text(kind) if kind else warehouse.kind,
            "region": warehouse.region_name or "—",
            "status": active_tag(self.page, warehouse.active),
        }

    def _fields(self, row: dict[str, Any], *, new: bool) -> dict[str, Any]:
        t = self.page.t
        fields: dict[str, Any] = {}
        if new:
            fields["code"] = text_field(t("编码（如 WH-RH-C01）", "Code (e.g. WH-RH-C01)"))
        fields["name"] = text_field(t("名称", "Name"), row.get("name", ""))
        kinds = {k: self.page.text(v) for k, v in WAREHOUSE_KINDS.items()}
        fields["kind"] = ui.select(kinds, value=row.get("kind", "central"), label=t("类型", "Kind"))
        fields["kind"].props("outlined dense").classes("w-full")
        return fields | place_fields(self.page, row)

    async def _save(self, ctx: Ctx, partner_id: int, data: WarehouseUpdate) -> WarehouseRead:
        return await service.update_warehouse(ctx, partner_id, data)

    def create(self) -> None:
        t = self.page.t
        self._create_dialog(
            t("新建仓库", "New warehouse"),
            lambda ctx, data: service.create_warehouse(ctx, WarehouseCreate(**data)),
            t("仓库已创建", "Warehouse created"),
        )

    def edit(self, row: dict[str, Any]) -> None:
        title = self.page.t(f"编辑仓库 {row['code']}", f"Edit warehouse {row['code']}")
        self._edit_dialog(row, title, lambda data: WarehouseUpdate(**data))

    async def deactivate(self, row: dict[str, Any]) -> None:
        t = self.page.t
        if await confirm(
            self.page, t(f"确定停用“{row['name']}”？", f"Stop using “{row['name']}”?"), ok=t("停用", "Stop")
        ):
            await self._update(row, WarehouseUpdate(active=False), t("已停用", "Stopped"))

    async def reactivate(self, row: dict[str, Any]) -> None:
        await self._update(row, WarehouseUpdate(active=True), self.page.t("已启用", "In use again"))

    async def export(self) -> None:
        filters = WarehouseFilter(**self.filters)
        await download(self.page, lambda ctx: service.export_warehouses(ctx, filters), "warehouses.xlsx")

    async def locations(self, row: dict[str, Any]) -> None:
        page, t = self.page, self.page.t
        warehouse_id = row["id"]

        async def add() -> bool:
            data = {"code": code.value, "name": name.value}
            ok = await page.run(
                lambda ctx: service.create_location(ctx, warehouse_id, LocationCreate(**data)),
                done=t("库位已添加", "Location added"),
                fields=labels(page),
            )
            if ok:
                code.value, name.value = "", ""
                await show()
                await self.pager.refresh()
            return False  # the dialog stays open for the next one

        async def toggle(location: dict[str, Any]) -> None:
            update = LocationUpdate(active=not location["active"])
            if await page.run(lambda ctx: service.update_location(ctx, warehouse_id, location["id"], update)):
                await show()

        async def show() -> None:
            outcome = await page.run(lambda ctx: service.list_locations(ctx, warehouse_id, LOCATIONS_SHOWN, None))
            if outcome:
                rows = [
                    loc.model_dump(mode="json") | {"status": active_tag(page, loc.active)}
                    for loc in outcome.value[:LOCATIONS_SHOWN]
                ]
                table.set_rows(rows)

        title = t(f"库位 · {row['name']}", f"Locations · {row['name']}")
        with FormDialog(page, title, add, submit=t("添加库位", "Add location"), width="40rem") as form:
            actions = [RowAction("toggle", "sync_alt", Text("启用 / 停用", "Use / stop"), toggle)] if self.write else []
            table = DataTable(page, LOCATION_COLUMNS, actions=actions)
            table.table.mark("locations")
            with ui.row().classes("w-full gap-2 no-wrap"):
                code = text_field(t("编码（如 A-01）", "Code (e.g. A-01)"))
                name = text_field(t("名称", "Name"))
            code.set_visibility(self.write)
            name.set_visibility(self.write)
            form.submit_button.set_visibility(self.write)
        form.open()
        await show()
