"""码包详情 A batch: its counts and state, its exports (download, new export), activation ranges and
blocks, and the actions on it (activate, block, void, mark received)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nicegui import ui

from yima.catalog import service as catalog
from yima.catalog.permissions import CATALOG_READ
from yima.catalog.schemas import ProductFilter
from yima.codes import service as codes
from yima.codes.console import batch_actions as actions
from yima.codes.console.common import (
    BATCH_COLORS,
    BATCH_STATES,
    BLOCK_KINDS,
    BLOCK_REASONS,
    EXPORT_COLORS,
    EXPORT_STATES,
    FACES,
    FORMAT_NAMES,
    LEVELS,
    JobProgress,
    active_products,
    badge,
    named,
    size_text,
    supplier_options,
)
from yima.codes.permissions import CODES_READ, CODES_WRITE
from yima.codes.schemas import BatchRead
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Column, DataTable, RowAction, confirm, local_time, page_header
from yima.platform.ctx import Ctx

EXPORT_COLUMNS = [
    Column("id", Text("编号", "No."), kind="mono"),
    Column("format_name", Text("格式", "Format")),
    Column("supplier", Text("供应商", "Supplier")),
    Column("status", Text("状态", "State"), kind="tags", tag_colors=EXPORT_COLORS),
    Column("size", Text("大小", "Size"), align="right"),
    Column("sha256", Text("SHA-256", "SHA-256"), kind="mono", max_width="8rem"),
    Column("downloads", Text("下载次数", "Downloads"), align="right"),
    Column("created", Text("创建", "Created")),
    Column("download", Text("下载", "Download"), align="center"),
]
# A plain link: the console's session cookie authenticates the GET, and the file is an attachment.
DOWNLOAD_CELL = """
<q-td :props="props">
  <q-btn v-if="props.row.href" flat dense round color="primary" icon="download" type="a" :href="props.row.href"
    data-action="download" />
</q-td>"""
ASSIGNMENT_COLUMNS = [
    Column("serials", Text("序列号", "Serials"), kind="mono"),
    Column("count", Text("数量", "Count"), align="right"),
    Column("product", Text("商品", "Product")),
    Column("lot", Text("批号", "Lot")),
    Column("production_date", Text("生产日期", "Produced")),
    Column("line", Text("产线", "Line")),
    Column("activated", Text("激活", "Activated")),
]
BLOCK_COLUMNS = [
    Column("serials", Text("序列号", "Serials"), kind="mono"),
    Column("count", Text("数量", "Count"), align="right"),
    Column("kind", Text("操作", "Action")),
    Column("reason", Text("原因", "Reason")),
    Column("note", Text("备注", "Note"), kind="wrap"),
    Column("created", Text("时间", "When")),
]


@dataclass
class Snapshot:
    """Everything the page shows, read in one transaction (times already in the brand's zone)."""

    batch: BatchRead
    facts: list[tuple[str, str]]
    exports: list[dict[str, Any]]
    assignments: list[dict[str, Any]]
    blocks: list[dict[str, Any]]
    suppliers: dict[int, str]
    products: dict[int, str]


@console_page(
    "/codes/batch",
    label=Text("码包详情", "Batch"),
    area=nav.PRODUCTS,
    icon="qr_code_2",
    permission=CODES_READ.name,
    in_nav=False,
)
async def batch_page(page: ConsolePage) -> None:
    raw = page.query.get("id", "")
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        page_header(page.t("没有这个码包", "No such batch"))
        return
    view = BatchView(page, int(raw))
    await view.refresh()


def _span(low: int, high: int) -> tuple[str, str]:
    return f"{low}–{high}", f"{high - low + 1:,}"


class BatchView:
    def __init__(self, page: ConsolePage, batch_id: int) -> None:
        self.page, self.batch_id = page, batch_id
        self.body = ui.column().classes("w-full gap-4")
        self.snapshot: Snapshot | None = None

    async def load(self, ctx: Ctx) -> Snapshot:
        page, t = self.page, self.page.t
        batch = await codes.get_batch(ctx, self.batch_id)
        suppliers = supplier_options(await codes.list_suppliers(ctx), active_only=False)
        names: dict[int, str] = {}
        products: dict[int, str] = {}  # those codes may be activated for
        if page.can(CATALOG_READ.name):
            names = {p.id: f"{p.sku} · {p.name}" for p in await catalog.list_products(ctx, ProductFilter(), 500, None)}
            products = await active_products(ctx)
        facts = [
            (t("序列号", "Serials"), f"{batch.first_serial} – {batch.last_serial}"),
            (t("码面", "Faces"), t("、", ", ").join(named(page, FACES, f) for f in batch.faces)),
            (t("供应商", "Supplier"), suppliers.get(batch.supplier_id, f"#{batch.supplier_id}")),
            (t("预定商品", "Intended product"), names.get(batch.product_id, "—") if batch.product_id else "—"),
            (t("备注", "Note"), batch.note or "—"),
            (t("创建", "Created"), f"{local_time(ctx, batch.created_at)} · {batch.created_by}"),
            (t("生成", "Generated"), local_time(ctx, batch.generated_at)),
            (t("下载", "Exported"), local_time(ctx, batch.exported_at)),
            (t("签收", "Received"), local_time(ctx, batch.received_at)),
        ]
        if batch.voided_at:
            facts.append((t("作废", "Voided"), f"{local_time(ctx, batch.voided_at)} · {batch.void_reason}"))
        exports = [
            {
                "id": e.id,
                "format_name": FORMAT_NAMES.get(e.format, e.format),
                "supplier": suppliers.get(e.supplier_id, f"#{e.supplier_id}"),
                "status": [named(page, EXPORT_STATES, e.state)],
                "size": size_text(e.size_bytes) if e.state == "ready" else "—",
                "sha256": e.sha256 or "—",
                "downloads": e.downloads,
                "created": f"{local_time(ctx, e.created_at)} · {e.created_by}",
                "href": f"/api/v1/codes/exports/{e.id}/download" if e.state == "ready" else None,
            }
            for e in await codes.list_exports(ctx, batch.id)
        ]
        assignments = [
            dict(zip(("serials", "count"), _span(a.serial_from, a.serial_to), strict=True))
            | {
                "id": a.id,
                "product": names.get(a.product_id, f"#{a.product_id}"),
                "lot": a.lot or "—",
                "production_date": a.production_date.isoformat() if a.production_date else "—",
                "line": a.line or "—",
                "activated": f"{local_time(ctx, a.activated_at)} · {a.activated_by}",
            }
            for a in await codes.list_assignments(ctx, batch.id)
        ]
        blocks = [
            dict(zip(("serials", "count"), _span(b.serial_from, b.serial_to), strict=True))
            | {
                "id": b.id,
                "kind": named(page, BLOCK_KINDS, b.kind),
                "kind_code": b.kind,
                "reason": named(page, BLOCK_REASONS, b.reason),
                "note": b.note,
                "created": f"{local_time(ctx, b.created_at)} · {b.created_by}",
            }
            for b in await codes.list_blocks(ctx, batch.id)
        ]
        return Snapshot(batch, facts, exports, assignments, blocks, suppliers, products)

    async def refresh(self) -> None:
        outcome = await self.page.run(self.load)
        if not outcome:
            return
        self.snapshot = outcome.value
        self.body.clear()
        with self.body:
            self._render(outcome.value)

    def _render(self, shot: Snapshot) -> None:
        page, t, batch = self.page, self.page.t, shot.batch
        level = named(page, LEVELS, batch.level)
        title = t(f"码包 #{batch.id} · {level}", f"Batch #{batch.id} · {level}")
        header = page_header(title, t(f"{batch.quantity:,} 个码", f"{batch.quantity:,} codes"))
        with header, ui.row().classes("items-center gap-2"):
            badge(page, BATCH_STATES, BATCH_COLORS, batch.state).props("data-testid=batch-state")
            if page.can(CODES_WRITE.name):
                self._buttons(shot)
        if batch.state == "generating" and batch.job_id is not None:
            with ui.card().classes("w-full"):
                ui.label(t("正在生成码包文件", "Building the print file")).classes("text-sm text-grey-8")
                JobProgress(page, batch.job_id, lambda _: self.refresh())
        self._counts(batch)
        with ui.card().classes("w-full"), ui.grid(columns=3).classes("w-full gap-x-8 gap-y-2"):
            for label, value in shot.facts:
                with ui.column().classes("gap-0"):
                    ui.label(label).classes("text-xs text-grey-7")
                    ui.label(value).classes("text-sm")
        self._table(t("导出文件", "Exports"), EXPORT_COLUMNS, shot.exports, "exports").add_slot(
            "body-cell-download", DOWNLOAD_CELL
        )
        self._table(t("激活记录（空码赋值）", "Activations"), ASSIGNMENT_COLUMNS, shot.assignments, "assignments")
        lift = RowAction("lift", "lock_open", Text("解除拉黑", "Lift"), self.lift, when="row.kind_code === 'blacklist'")
        may_lift = page.can(CODES_WRITE.name) and batch.state != "voided"
        self._table(t("作废与拉黑", "Voids and blacklists"), BLOCK_COLUMNS, shot.blocks, "blocks",
                    (lift,) if may_lift else ())  # fmt: skip

    async def lift(self, row: dict[str, Any]) -> None:
        t = self.page.t
        question = t(f"确定解除序列号 {row['serials']} 的拉黑？这些码将恢复正常查询与扫码。",
                     f"Lift the blacklisting of serials {row['serials']}? The codes answer and pay again.")  # fmt: skip
        if not await confirm(self.page, question, ok=t("解除拉黑", "Lift")):
            return
        if await self.page.run(lambda ctx: codes.lift_blacklist(ctx, row["id"]), done=t("已解除拉黑", "Lifted")):
            await self.refresh()

    def _buttons(self, shot: Snapshot) -> None:
        page, t, batch = self.page, self.page.t, shot.batch
        if batch.state == "voided":
            return
        ui.button(
            t("激活", "Activate"),
            icon="bolt",
            on_click=lambda: actions.activate(page, batch, shot.products, self.refresh),
        ).props("data-testid=batch-activate")
        ui.button(
            t("导出", "Export"),
            icon="download",
            on_click=lambda: actions.new_export(page, batch, shot.suppliers, self.refresh),
        ).props("outline").props("data-testid=batch-export")
        ui.button(
            t("作废/拉黑码", "Void/blacklist codes"),
            icon="block",
            on_click=lambda: actions.block(page, batch, self.refresh),
        ).props("outline")
        if batch.state in ("generated", "exported"):
            ui.button(
                t("标记已签收", "Mark received"),
                icon="inventory",
                on_click=lambda: actions.mark_received(page, batch, self.refresh),
            ).props("outline")
        ui.button(
            t("作废码包", "Void batch"),
            icon="delete_forever",
            on_click=lambda: actions.void_batch(page, batch, self.refresh),
        ).props("outline color=negative")

    def _counts(self, batch: BatchRead) -> None:
        t, counts = self.page.t, batch.counts
        figures = [
            ("quantity", t("数量", "Quantity"), batch.quantity, "text-grey-9"),
            ("activated", t("已激活", "Activated"), counts.activated if counts else 0, "text-positive"),
            ("voided", t("已作废", "Voided"), counts.voided if counts else 0, "text-grey-8"),
            ("blacklisted", t("已拉黑", "Blacklisted"), counts.blacklisted if counts else 0, "text-negative"),
            ("packed", t("已装箱", "Packed"), counts.packed if counts else 0, "text-primary"),
        ]
        with ui.grid(columns=5).classes("w-full gap-4"):
            for key, label, value, color in figures:
                with ui.card().classes("gap-0").props(f"data-testid=count-{key}"):
                    ui.label(label).classes("text-sm text-grey-7")
                    ui.label(f"{value:,}").classes(f"text-2xl font-medium {color}")

    def _table(
        self, title: str, columns: list[Column], rows: list[dict[str, Any]], testid: str,
        actions: tuple[RowAction, ...] = (),
    ) -> Any:  # fmt: skip
        ui.label(title).classes("text-lg font-medium text-grey-9 mt-2")
        with ui.column().classes("w-full").props(f"data-testid={testid}"):  # q-table drops attributes
            table = DataTable(self.page, columns, actions=actions)
        table.set_rows(rows)
        return table.table
