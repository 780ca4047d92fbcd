"""商品 Products: list with search and filters, create and edit, image, discontinue, export."""

from __future__ import annotations

from typing import Any

from nicegui import events, ui

from yima.catalog import rules, service
from yima.catalog.console.common import STATUS, STATUS_COLORS, active_specs, download, product_labels, status_tag
from yima.catalog.permissions import CATALOG_READ, CATALOG_WRITE
from yima.catalog.schemas import ProductCreate, ProductFilter, ProductRead, ProductUpdate, SpecRead
from yima.platform.console import ConsolePage, Text, console_page, nav
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
    Column("image", Text("图片", "Image"), align="center"),
    Column("sku", Text("SKU", "SKU"), kind="mono"),
    Column("name", Text("名称 / 规格", "Name / specification")),
    Column("gtin", Text("GTIN", "GTIN"), kind="mono"),
    Column("category", Text("分类", "Category")),
    Column("spec", Text("包装规格", "Packaging"), kind="mono"),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors=STATUS_COLORS),
]
# The image cell: the product's image through the API (the console's cookie signs the request).
IMAGE_CELL = """
<q-td :props="props" style="width: 56px">
  <q-img v-if="props.row.image" :src="props.row.image" fit="contain" style="width: 40px; height: 40px"
    class="rounded-borders" />
  <q-icon v-else name="image_not_supported" color="grey-4" size="22px" />
</q-td>"""
NAME_CELL = """
<q-td :props="props" style="white-space: normal; min-width: 14rem">
  <div>{{ props.row.name }}</div>
  <div class="text-caption text-grey-7">{{ props.row.specification }}</div>
</q-td>"""


@console_page(
    "/catalog/products",
    label=Text("商品", "Products"),
    area=nav.PRODUCTS,
    icon="liquor",
    permission=CATALOG_READ.name,
    order=10,
)
async def products_page(page: ConsolePage) -> None:
    specs = await page.run(active_specs)
    categories = await page.run(service.list_categories)
    view = ProductsView(page, specs.value if specs else [], categories.value if categories else [])
    await view.pager.reload()


class ProductsView:
    """The products list, its filters and dialogs (they share the specs and the reload)."""

    def __init__(self, page: ConsolePage, specs: list[SpecRead], categories: list[str]) -> None:
        self.page = page
        self.specs: dict[int | None, str] = {s.id: f"{s.code} · {s.name}" for s in specs}
        self.filters: dict[str, Any] = {"q": None, "status": None, "spec_id": None, "category": None}
        t = page.t
        header = page_header(
            t("商品", "Products"),
            t("品牌的 SKU、GTIN 条码、规格与包装", "The brand's SKUs, GTIN barcodes, specifications and packaging"),
        )
        with ui.row().classes("w-full items-center gap-3"):
            filter_input(t("搜索 SKU、名称或 GTIN", "Search SKU, name or GTIN"), lambda v: self.set_filter("q", v))
            filter_select(
                {None: t("全部状态", "All statuses")} | {k: page.text(v) for k, v in STATUS.items()},
                t("状态", "Status"),
                lambda v: self.set_filter("status", v),
                width="w-36",
            )
            filter_select(
                {None: t("全部包装规格", "All packaging specs"), **self.specs},
                t("包装规格", "Packaging spec"),
                lambda v: self.set_filter("spec_id", v),
                width="w-64",
            )
            filter_select(
                {None: t("全部分类", "All categories")} | {c: c for c in categories},
                t("分类", "Category"),
                lambda v: self.set_filter("category", v),
            )
        write = page.can(CATALOG_WRITE.name)
        actions = [
            RowAction("edit", "edit", Text("编辑", "Edit"), self.edit),
            RowAction("image", "add_photo_alternate", Text("图片", "Image"), self.image),
            RowAction("discontinue", "block", Text("停产", "Discontinue"), self.discontinue, when="row.active"),
            RowAction("reactivate", "restart_alt", Text("恢复在售", "Reactivate"), self.reactivate, when="!row.active"),
        ]
        table = DataTable(page, COLUMNS, actions=actions if write else [])
        table.table.add_slot("body-cell-image", IMAGE_CELL)
        table.table.add_slot("body-cell-name", NAME_CELL)
        self.pager = CursorPager(page, table, self.load)
        with header, ui.row().classes("gap-2"):
            ui.button(t("导出 Excel", "Export to Excel"), icon="download", on_click=self.export).props("outline")
            if write:
                ui.button(
                    t("Excel 导入", "Import from Excel"),
                    icon="upload_file",
                    on_click=lambda: ui.navigate.to("/catalog/import"),
                ).props("outline")
                ui.button(t("新建商品", "New product"), icon="add", on_click=self.create).mark("product-create")

    async def set_filter(self, key: str, value: Any) -> None:
        self.filters[key] = value
        await self.pager.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        rows = await service.list_products(ctx, ProductFilter(**self.filters), limit, before_id)
        return [self._row(p) for p in rows]

    def _row(self, product: ProductRead) -> dict[str, Any]:
        has_image = product.image_uploaded or product.image_url
        version = int(product.updated_at.timestamp())
        return product.model_dump(mode="json") | {
            "image": f"/api/v1/catalog/products/{product.id}/image?v={version}" if has_image else None,
            "gtin": product.gtin or "—",
            "gtin_value": product.gtin or "",
            "spec": product.packaging_spec_code or "—",
            "active": product.status == "active",
            "status": status_tag(self.page, product.status),
        }

    def _fields(self, row: dict[str, Any]) -> dict[str, Any]:
        """The fields of the create and edit dialogs, filled from ``row``."""
        t = self.page.t
        fields: dict[str, Any] = {
            "sku": text_field("SKU", row.get("sku", "")),
            "name": text_field(t("名称（如 赤水河 · 金樽 53%vol 500ml）", "Name"), row.get("name", "")),
            "gtin": text_field(
                t("GTIN 条码（8/12/13/14 位）", "GTIN (8, 12, 13 or 14 digits)"), row.get("gtin_value", "")
            ),
            "specification": text_field(
                t("规格（如 500ml · 53%vol · 酱香型）", "Specification (e.g. 500ml · 53%vol)"),
                row.get("specification", ""),
            ),
            "category": text_field(t("分类", "Category"), row.get("category", "")),
        }
        specs: dict[int | None, str] = {None: t("（未设置）", "(none)")}
        specs.update(self.specs)
        current = row.get("packaging_spec_id")
        if current is not None and current not in specs:
            specs[current] = row.get("spec", str(current))  # an inactive spec the product still has
        fields["packaging_spec_id"] = ui.select(specs, value=current, label=t("包装规格", "Packaging spec"))
        fields["packaging_spec_id"].props("outlined dense").classes("w-full")
        fields["image_url"] = text_field(t("图片 URL（可选，也可上传图片）", "Image URL (optional; or upload one)"))
        fields["image_url"].value = row.get("image_url") or ""
        return fields

    def create(self) -> None:
        page, t = self.page, self.page.t

        async def save() -> bool:
            data = {key: widget.value for key, widget in fields.items()}
            ok = await page.run(
                lambda ctx: service.create_product(ctx, ProductCreate(**data)),
                done=t("商品已创建", "Product created"),
                fields=product_labels(page),
            )
            if ok:
                await self.pager.reload()
            return bool(ok)

        with FormDialog(page, t("新建商品", "New product"), save, submit=t("创建", "Create"), width="40rem") as form:
            fields = self._fields({})
            form.body.mark("product-dialog")
        form.open()

    def edit(self, row: dict[str, Any]) -> None:
        page, t = self.page, self.page.t

        async def save() -> bool:
            data = {key: widget.value for key, widget in fields.items()}
            ok = await self._update(row, ProductUpdate(**data), t("已保存", "Saved"))
            return bool(ok)

        with FormDialog(page, t(f"编辑商品 {row['sku']}", f"Edit {row['sku']}"), save, width="40rem") as form:
            fields = self._fields(row)
            form.body.mark("product-dialog")
        form.open()

    async def _update(self, row: dict[str, Any], data: ProductUpdate, done: str) -> bool:
        ok = await self.page.run(
            lambda ctx: service.update_product(ctx, row["id"], data), done=done, fields=product_labels(self.page)
        )
        if ok:
            await self.pager.refresh()
        return bool(ok)

    async def discontinue(self, row: dict[str, Any]) -> None:
        t = self.page.t
        question = t(
            f"确定将“{row['name']}”标记为停产？停产后不再为它生成新码。",
            f"Mark “{row['name']}” discontinued? No new codes are made for it.",
        )
        if await confirm(self.page, question, ok=t("停产", "Discontinue")):
            ok = await self.page.run(
                lambda ctx: service.discontinue_product(ctx, row["id"]), done=t("已停产", "Discontinued")
            )
            if ok:
                await self.pager.refresh()

    async def reactivate(self, row: dict[str, Any]) -> None:
        await self._update(row, ProductUpdate(status="active"), self.page.t("已恢复在售", "Active again"))

    def image(self, row: dict[str, Any]) -> None:
        page, t = self.page, self.page.t

        async def uploaded(event: events.UploadEventArguments) -> None:
            content = await event.file.read()
            ok = await page.run(
                lambda ctx: service.set_product_image(ctx, row["id"], content),
                done=t("图片已更新", "Image updated"),
                fields=product_labels(page),
            )
            if ok:
                await self.pager.refresh()
                form.dialog.close()

        async def remove() -> bool:
            return await self._remove_image(row)

        with FormDialog(
            page, t(f"商品图片 · {row['sku']}", f"Product image · {row['sku']}"), remove, submit=t("删除图片", "Remove")
        ) as form:
            if row.get("image"):
                ui.image(row["image"]).props("fit=contain").classes("w-full h-48 rounded-borders bg-grey-2")
            ui.upload(
                label=t("上传图片（PNG/JPEG/GIF/WebP，≤ 5 MB）", "Upload (PNG/JPEG/GIF/WebP, ≤ 5 MB)"),
                on_upload=uploaded,
                auto_upload=True,
                max_file_size=rules.MAX_IMAGE_BYTES,
            ).props('accept="image/*" flat bordered').classes("w-full")
            form.submit_button.props("color=negative outline")
            form.submit_button.set_visibility(bool(row.get("image")))
        form.open()

    async def _remove_image(self, row: dict[str, Any]) -> bool:
        ok = await self.page.run(
            lambda ctx: service.remove_product_image(ctx, row["id"]), done=self.page.t("图片已删除", "Image removed")
        )
        if ok:
            await self.pager.refresh()
        return bool(ok)

    async def export(self) -> None:
        filters = ProductFilter(**self.filters)
        await download(self.page, lambda ctx: service.export_products(ctx, filters), "products.xlsx")
