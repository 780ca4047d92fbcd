"""经销商 Dealers: list with search and filters, create and edit, end the cooperation, export; each
row opens the dealer's page with its territory and stores."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.partners import service
from yima.partners.console.common import ACTIVE, ACTIVE_COLORS, PartnerDialogs, active_tag, place_fields
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import DealerCreate, DealerFilter, DealerRead, DealerUpdate
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.imports import download
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
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
    Column("contact", Text("联系人", "Contact")),
    Column("seat", Text("所在地", "Seat")),
    Column("territory", Text("经营区域", "Territory"), kind="tags"),
    Column("store_count", Text("门店", "Stores"), align="right"),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors=ACTIVE_COLORS),
]


@console_page(
    "/partners/dealers",
    label=Text("经销商", "Dealers"),
    area=nav.CHANNEL,
    icon="handshake",
    permission=PARTNERS_READ.name,
    order=10,
)
async def dealers_page(page: ConsolePage) -> None:
    view = DealersView(page)
    await view.pager.reload()


def dealer_row(dealer: DealerRead, page: ConsolePage) -> dict[str, Any]:
    return dealer.model_dump(mode="json") | {
        "contact": " · ".join(filter(None, (dealer.contact_name, dealer.phone))) or "—",
        "seat": dealer.region_name or "—",
        "territory": [r.name for r in dealer.territory],
        "status": active_tag(page, dealer.active),
    }


class DealersView(PartnerDialogs):
    dialog_mark, dialog_width = "dealer-dialog", "40rem"

    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        self.filters: dict[str, Any] = {"q": None, "active": None}
        t = page.t
        header = page_header(
            t("经销商", "Dealers"),
            t(
                "经销商及其经营区域：区域外的扫码与签收视为窜货",
                "Dealers and their territories: scans and sign-fors outside a territory are diversion",
            ),
        )
        with ui.row().classes("w-full items-center gap-3"):
            filter_input(t("搜索编码、名称、联系人或电话", "Search code, name, contact or phone"), self._q)
            filter_select(
                {None: t("全部状态", "All statuses")} | {k: page.text(v) for k, v in ACTIVE.items()},
                t("状态", "Status"),
                self._active,
                width="w-36",
            )
        write = page.can(PARTNERS_WRITE.name)
        actions = [RowAction("open", "open_in_new", Text("查看", "Open"), self.open)]
        if write:
            actions += [
                RowAction("edit", "edit", Text("编辑", "Edit"), self.edit),
                RowAction(
                    "deactivate", "block", Text("终止合作", "End cooperation"), self.deactivate, when="row.active"
                ),
                RowAction("reactivate", "restart_alt", Text("恢复合作", "Resume"), self.reactivate, when="!row.active"),
            ]
        table = DataTable(page, COLUMNS, actions=actions)
        table.table.mark("dealers")
        self.pager = CursorPager(page, table, self.load)
        with header, ui.row().classes("gap-2"):
            ui.button(t("导出 Excel", "Export to Excel"), icon="download", on_click=self.export).props("outline")
            if write:
                ui.button(
                    t("Excel 导入", "Import from Excel"),
                    icon="upload_file",
                    on_click=lambda: ui.navigate.to("/partners/import?kind=dealers"),
                ).props("outline")
                ui.button(t("新建经销商", "New dealer"), icon="add", on_click=self.create).mark("dealer-create")

    async def _q(self, value: str | None) -> None:
        self.filters["q"] = value
        await self.pager.reload()

    async def _active(self, value: bool | None) -> None:
        self.filters["active"] = value
        await self.pager.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_dealers(ctx, DealerFilter(**self.filters), limit, before_id)
        return [dealer_row(d, self.page) for d in rows]

    def open(self, row: dict[str, Any]) -> None:
        ui.navigate.to(f"/partners/dealer?id={row['id']}")

    def _fields(self, row: dict[str, Any], *, new: bool) -> dict[str, Any]:
        t = self.page.t
        fields: dict[str, Any] = {}
        if new:
            fields["code"] = text_field(t("编码（如 D-CD-001）", "Code (e.g. D-CD-001)"))
        fields["name"] = text_field(t("名称", "Name"), row.get("name", ""))
        with ui.row().classes("w-full gap-2 no-wrap"):
            fields["contact_name"] = text_field(t("联系人", "Contact"), row.get("contact_name", ""))
            fields["phone"] = text_field(t("电话", "Phone"), row.get("phone", ""))
        return fields | place_fields(self.page, row, point=False)

    async def _save(self, ctx: Ctx, partner_id: int, data: DealerUpdate) -> DealerRead:
        return await service.update_dealer(ctx, partner_id, data)

    def create(self) -> None:
        t = self.page.t
        self._create_dialog(
            t("新建经销商", "New dealer"),
            lambda ctx, data: service.create_dealer(ctx, DealerCreate(**data)),
            t("经销商已创建，请设置经营区域", "Dealer created; now set its territory"),
            then=lambda dealer: ui.navigate.to(f"/partners/dealer?id={dealer.id}"),
        )

    def edit(self, row: dict[str, Any]) -> None:
        title = self.page.t(f"编辑经销商 {row['code']}", f"Edit dealer {row['code']}")
        self._edit_dialog(row, title, lambda data: DealerUpdate(**data))

    async def deactivate(self, row: dict[str, Any]) -> None:
        t = self.page.t
        question = t(
            f"确定终止与“{row['name']}”的合作？经销商及其门店、区域和历史记录都会保留。",
            f"End the cooperation with “{row['name']}”? The dealer, its stores, territory and history are kept.",
        )
        if await confirm(self.page, question, ok=t("终止合作", "End cooperation")):
            await self._update(row, DealerUpdate(active=False), t("已终止合作", "Cooperation ended"))

    async def reactivate(self, row: dict[str, Any]) -> None:
        await self._update(row, DealerUpdate(active=True), self.page.t("已恢复合作", "Cooperation resumed"))

    async def export(self) -> None:
        filters = DealerFilter(**self.filters)
        await download(self.page, lambda ctx: service.export_dealers(ctx, filters), "dealers.xlsx")
