"""码包 Batches: every batch with its counts and state; a new batch shows its package key once and
follows the job that builds the print file."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.catalog.permissions import CATALOG_READ
from yima.codes import service as codes
from yima.codes.console.common import (
    BATCH_COLORS,
    BATCH_STATES,
    LEVELS,
    active_products,
    named,
    options,
    reveal_key,
    supplier_options,
)
from yima.codes.permissions import CODES_READ, CODES_WRITE
from yima.codes.rules import MAX_BATCH
from yima.codes.schemas import BatchCreate, BatchFilter, BatchRead
from yima.platform.console import ConsolePage, Text, console_page, nav
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

COLUMNS = [
    Column("id", Text("编号", "No."), kind="mono"),
    Column("level_name", Text("层级", "Level")),
    Column("quantity_text", Text("数量", "Quantity"), align="right"),
    Column("activated", Text("已激活", "Activated"), align="right"),
    Column("voided", Text("作废", "Voided"), align="right"),
    Column("blacklisted", Text("拉黑", "Blacklisted"), align="right"),
    Column("packed", Text("已装箱", "Packed"), align="right"),
    Column("serials", Text("序列号", "Serials"), kind="mono"),
    Column("supplier", Text("供应商", "Supplier")),
    Column("status", Text("状态", "State"), kind="tags", tag_colors=BATCH_COLORS),
    Column("created", Text("创建", "Created")),
]


def batch_path(batch_id: int) -> str:
    """A batch's page, relative to the console (ui.link and ui.navigate add the mount path)."""
    return f"/codes/batch?id={batch_id}"


@console_page(
    "/codes/batches",
    label=Text("码包", "Code batches"),
    area=nav.PRODUCTS,
    icon="qr_code_2",
    permission=CODES_READ.name,
    order=40,
)
async def batches_page(page: ConsolePage) -> None:
    suppliers = await page.run(codes.list_suppliers)
    view = BatchesView(page, supplier_options(suppliers.value, active_only=False) if suppliers else {})
    await view.pager.reload()


class BatchesView:
    def __init__(self, page: ConsolePage, suppliers: dict[int, str]) -> None:
        self.page, self.suppliers = page, suppliers
        self.filters: dict[str, Any] = {"level": None, "state": None, "supplier_id": None}
        t = page.t
        header = page_header(
            t("码包", "Code batches"),
            t(
                "空码按码包生成并交给供应商印刷；激活（赋值）后才有效。时间为品牌时区 " + page.tenant.time_zone,
                "Blank codes are generated in batches and printed by suppliers; they count once activated. "
                f"Times in {page.tenant.time_zone}",
            ),
        )
        with ui.row().classes("w-full items-center gap-3"):
            all_ = t("全部", "All")
            filter_select({None: all_} | options(page, LEVELS), t("层级", "Level"), lambda v: self.set("level", v))
            filter_select(
                {None: all_} | options(page, BATCH_STATES), t("状态", "State"), lambda v: self.set("state", v)
            )
            filter_select(
                {None: all_} | suppliers, t("供应商", "Supplier"), lambda v: self.set("supplier_id", v), width="w-64"
            )
        table = DataTable(page, COLUMNS, actions=[RowAction("open", "open_in_new", Text("详情", "Details"), self.open)])
        self.pager = CursorPager(page, table, self.load)
        if page.can(CODES_WRITE.name):
            with header:
                ui.button(t("生成码包", "New batch"), icon="add", on_click=self.create).props(
                    "data-testid=batch-create"
                )

    async def set(self, key: str, value: Any) -> None:
        self.filters[key] = value
        await self.pager.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        batches = await codes.list_batches(ctx, BatchFilter(**self.filters), limit, before_id)
        return [batch_row(self.page, ctx, b, self.suppliers) for b in batches]

    def open(self, row: dict[str, Any]) -> None:
        ui.navigate.to(batch_path(row["id"]))

    async def create(self) -> None:
        page, t = self.page, self.page.t
        suppliers = await page.run(codes.list_suppliers)
        products = await page.run(active_products) if page.can(CATALOG_READ.name) else None
        active = supplier_options(suppliers.value) if suppliers else {}
        labels = {
            "level": t("层级", "Level"),
            "quantity": t("数量", "Quantity"),
            "supplier_id": t("供应商", "Supplier"),
            "product_id": t("预定商品", "Intended product"),
            "note": t("备注", "Note"),
        }

        async def submit() -> bool:
            count = quantity.value
            data = {
                "level": level.value,
                "quantity": int(count) if count is not None else None,
                "supplier_id": supplier.value,
                "product_id": product.value,
                "note": note.value,
            }
            outcome = await page.run(lambda ctx: codes.create_batch(ctx, BatchCreate(**data)), fields=labels)
            if not outcome:
                return False
            await self.pager.reload()
            created = outcome.value
            reveal_key(
                page,
                t(f"码包 #{created.id} 已创建", f"Batch #{created.id} created"),
                created.export.package_key,
                created.export.job_id,
                lambda _: self.pager.refresh(),
            )
            return True

        with FormDialog(page, t("生成码包", "New batch"), submit, submit=t("生成", "Generate"), width="36rem") as form:
            form.body.props("data-testid=batch-dialog")
            level = ui.select(options(page, LEVELS), value="bottle", label=labels["level"]).props("outlined dense")
            quantity = ui.number(
                t(f"数量（1 至 {MAX_BATCH:,}）", f"Quantity (1 to {MAX_BATCH:,})"), value=10_000, min=1, max=MAX_BATCH
            ).props("outlined dense")
            supplier = ui.select(active, label=labels["supplier_id"], value=next(iter(active), None))
            supplier.props("outlined dense")
            if not active:
                ui.label(t("请先在“供应商”页面添加供应商", "Add a supplier on the Suppliers page first")).classes(
                    "text-sm text-negative"
                )
            product = ui.select(
                {None: t("（暂不指定）", "(not yet known)")} | (products.value if products else {}),
                value=None,
                label=t(
                    "预定商品（可选，印刷时已知则用 GS1 数字链接）", "Intended product (optional: GS1 Digital Link)"
                ),
            ).props("outlined dense")
            note = text_field(labels["note"])
            for field in (level, quantity, supplier, product):
                field.classes("w-full")
        form.open()


def batch_row(page: ConsolePage, ctx: Ctx, batch: BatchRead, suppliers: dict[int, str]) -> dict[str, Any]:
    counts = batch.counts
    return {
        "id": batch.id,
        "level_name": named(page, LEVELS, batch.level),
        "quantity_text": f"{batch.quantity:,}",
        "activated": f"{counts.activated:,}" if counts else "—",
        "voided": f"{counts.voided:,}" if counts else "—",
        "blacklisted": f"{counts.blacklisted:,}" if counts else "—",
        "packed": f"{counts.packed:,}" if counts else "—",
        "serials": f"{batch.first_serial}–{batch.last_serial}",
        "supplier": suppliers.get(batch.supplier_id, f"#{batch.supplier_id}"),
        "status": [named(page, BATCH_STATES, batch.state)],
        "created": f"{local_time(ctx, batch.created_at)} · {batch.created_by}",
    }
