"""门店 Stores: list with search and filters (dealer, status, grade), create and edit (with the
store's salesman, 业务员), close, export; a store outside its dealer's territory is flagged."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.partners import service
from yima.partners.console.common import (
    ACTIVE,
    ACTIVE_COLORS,
    STORE_CATEGORIES,
    STORE_TAGS,
    PartnerDialogs,
    active_tag,
    place_fields,
)
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import ChannelRoleFilter, DealerFilter, StoreCreate, StoreFilter, StoreRead, StoreUpdate
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

OUTSIDE = Text("区域外", "Outside territory")
COLUMNS = [
    Column("code", Text("编码", "Code"), kind="mono"),
    Column("name", Text("名称", "Name")),
    Column("dealer", Text("经销商", "Dealer")),
    Column("owner", Text("店主", "Owner")),
    Column("salesman", Text("业务员", "Salesman")),
    Column("region", Text("区域", "Region")),
    Column("category_grade", Text("类型 / 等级 / 标签", "Category / grade / tags")),
    Column(
        "status",
        Text("状态", "Status"),
        kind="tags",
        tag_colors=ACTIVE_COLORS | {OUTSIDE.zh: "negative", OUTSIDE.en: "negative"},
    ),
]
GRADES = ("A", "B", "C", "D")


@console_page(
    "/partners/stores",
    label=Text("门店", "Stores"),
    area=nav.CHANNEL,
    icon="storefront",
    permission=PARTNERS_READ.name,
    order=20,
)
async def stores_page(page: ConsolePage) -> None:
    options = await page.run(_options)
    view = StoresView(page, *(options.value if options else ({}, {})))
    await view.pager.reload()


async def _options(ctx: Ctx) -> tuple[dict[int, str], dict[int, str]]:
    """The active dealers, and the active salesmen (with whom they work for), to choose from."""
    rows = await service.list_dealers(ctx, DealerFilter(active=True), 500, None)
    salesmen = await service.list_roles(ctx, ChannelRoleFilter(kind="salesman", status="active"), 500, None)
    return {d.id: f"{d.code} · {d.name}" for d in rows[:500]}, {
        r.id: " · ".join(filter(None, (r.name, r.phone, r.partner_name))) for r in salesmen[:500]
    }


class StoresView(PartnerDialogs):
    dialog_mark, dialog_width = "store-dialog", "42rem"

    def __init__(self, page: ConsolePage, dealers: dict[int, str], salesmen: dict[int, str]) -> None:
        self.page, self.dealers, self.salesmen = page, dealers, salesmen
        self.filters: dict[str, Any] = {"q": None, "active": None, "dealer_id": None, "grade": None}
        t = page.t
        header = page_header(
            t("门店", "Stores"),
            t(
                "终端门店、所属经销商与位置；不在经销商经营区域内的门店会被标出",
                "Stores, their dealers and places; a store outside its dealer's territory is flagged",
            ),
        )
        with ui.row().classes("w-full items-center gap-3"):
            filter_input(t("搜索编码、名称、店主或地址", "Search code, name, owner or address"), self._set("q"))
            filter_select(
                {None: t("全部经销商", "All dealers"), **self.dealers},
                t("经销商", "Dealer"),
                self._set("dealer_id"),
                width="w-64",
            )
            filter_select(
                {None: t("全部状态", "All statuses")} | {k: page.text(v) for k, v in ACTIVE.items()},
                t("状态", "Status"),
                self._set("active"),
                width="w-36",
            )
            filter_select(
                {None: t("全部等级", "All grades")} | {g: g for g in GRADES},
                t("等级", "Grade"),
                self._set("grade"),
                width="w-32",
            )
        write = page.can(PARTNERS_WRITE.name)
        actions = [
            RowAction("edit", "edit", Text("编辑", "Edit"), self.edit),
            RowAction("deactivate", "block", Text("闭店", "Close"), self.deactivate, when="row.active"),
            RowAction("reactivate", "restart_alt", Text("恢复营业", "Reopen"), self.reactivate, when="!row.active"),
        ]
        table = DataTable(page, COLUMNS, actions=actions if write else [])
        table.table.mark("stores")
        self.pager = CursorPager(page, table, self.load)
        with header, ui.row().classes("gap-2"):
            ui.button(t("导出 Excel", "Export to Excel"), icon="download", on_click=self.export).props("outline")
            if write:
                ui.button(
                    t("Excel 导入", "Import from Excel"),
                    icon="upload_file",
                    on_click=lambda: ui.navigate.to("/partners/import?kind=stores"),
                ).props("outline")
                ui.button(t("新建门店", "New store"), icon="add", on_click=self.create).mark("store-create")

    def _set(self, key: str) -> Any:
        async def set_filter(value: Any) -> None:
            self.filters[key] = value
            await self.pager.reload()

        return set_filter

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_stores(ctx, StoreFilter(**self.filters), limit, before_id)
        return [self._row(s) for s in rows]

    def _row(self, store: StoreRead) -> dict[str, Any]:
        status = active_tag(self.page, store.active)
        if store.in_dealer_territory is False:
            status.append(self.page.text(OUTSIDE))
        return store.model_dump(mode="json") | {
            "dealer": f"{store.dealer_code} · {store.dealer_name}" if store.dealer_code else "—",
            "owner": " · ".join(filter(None, (store.owner_name, store.owner_phone))) or "—",
            "salesman": " · ".join(filter(None, (store.salesman_name, store.salesman_phone))) or "—",
            "region": store.region_name or "—",
            "category_grade": " · ".join(filter(None, (store.category, store.grade, *store.tags))) or "—",
            "status": status,
        }

    def _fields(self, row: dict[str, Any], *, new: bool) -> dict[str, Any]:
        t = self.page.t
        fields: dict[str, Any] = {}
        if new:
            fields["code"] = text_field(t("编码（如 S-CD-0001）", "Code (e.g. S-CD-0001)"))
        fields["name"] = text_field(t("名称", "Name"), row.get("name", ""))
        dealers: dict[int | None, str] = {None: t("（未分配）", "(none)")}
        dealers.update(self.dealers.items())
        if row.get("dealer_id") and row["dealer_id"] not in dealers:
            dealers[row["dealer_id"]] = row.get("dealer", str(row["dealer_id"]))  # an inactive dealer it still has
        fields["dealer_id"] = ui.select(
            dealers, value=row.get("dealer_id"), label=t("经销商", "Dealer"), with_input=True
        )
        fields["dealer_id"].props("outlined dense").classes("w-full")
        salesmen: dict[int | None, str] = {None: t("（未指定）", "(none)")} | dict(self.salesmen)
        if row.get("salesman_id") and row["salesman_id"] not in salesmen:
            salesmen[row["salesman_id"]] = row.get("salesman", str(row["salesman_id"]))  # a disabled one it still has
        fields["salesman_id"] = ui.select(
            salesmen, value=row.get("salesman_id"), label=t("业务员", "Salesman"), with_input=True
        )
        fields["salesman_id"].props("outlined dense").classes("w-full")
        with ui.row().classes("w-full gap-2 no-wrap"):
            fields["owner_name"] = text_field(t("店主", "Owner"), row.get("owner_name", ""))
            fields["owner_phone"] = text_field(t("店主电话", "Owner's phone"), row.get("owner_phone", ""))
        with ui.row().classes("w-full gap-2 no-wrap"):
            categories = {c: c for c in STORE_CATEGORIES} | (
                {row["category"]: row["category"]} if row.get("category") else {}
            )
            fields["category"] = ui.select(
                categories,
                value=row.get("category"),
                label=t("类型", "Category"),
                new_value_mode="add-unique",
                clearable=True,
            )
            fields["grade"] = ui.select(
                {g: g for g in GRADES}, value=row.get("grade"), label=t("等级", "Grade"), clearable=True
            )
            for key in ("category", "grade"):
                fields[key].props("outlined dense").classes("grow")
        tags = list(row.get("tags") or [])
        fields["tags"] = ui.select(
            {tag: tag for tag in (*STORE_TAGS, *tags)}, value=tags, label=t("标签", "Tags"), multiple=True,
            new_value_mode="add-unique",
        ).props("outlined dense use-chips").classes("w-full")  # fmt: skip
        return fields | place_fields(self.page, row)

    async def _save(self, ctx: Ctx, partner_id: int, data: StoreUpdate) -> StoreRead:
        return await service.update_store(ctx, partner_id, data)

    def create(self) -> None:
        t = self.page.t
        self._create_dialog(
            t("新建门店", "New store"),
            lambda ctx, data: service.create_store(ctx, StoreCreate(**data)),
            t("门店已创建", "Store created"),
        )

    def edit(self, row: dict[str, Any]) -> None:
        title = self.page.t(f"编辑门店 {row['code']}", f"Edit store {row['code']}")
        self._edit_dialog(row, title, lambda data: StoreUpdate(**data))

    async def deactivate(self, row: dict[str, Any]) -> None:
        t = self.page.t
        question = t(f"确定将“{row['name']}”标记为闭店？", f"Mark “{row['name']}” closed?")
        if await confirm(self.page, question, ok=t("闭店", "Close")):
            await self._update(row, StoreUpdate(active=False), t("已闭店", "Closed"))

    async def reactivate(self, row: dict[str, Any]) -> None:
        await self._update(row, StoreUpdate(active=True), self.page.t("已恢复营业", "Reopened"))

    async def export(self) -> None:
        filters = StoreFilter(**self.filters)
        await download(self.page, lambda ctx: service.export_stores(ctx, filters), "stores.xlsx")
