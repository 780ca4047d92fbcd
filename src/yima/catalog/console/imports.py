"""商品导入 Import products from Excel: download the template, upload the filled-in file, and see
either what was imported or every problem by row and column (nothing is imported then)."""

from __future__ import annotations

from nicegui import events, ui

from yima.catalog import rules, service
from yima.catalog.console.common import download
from yima.catalog.errors import ImportRejected
from yima.catalog.permissions import CATALOG_WRITE
from yima.catalog.schemas import ImportResult
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.i18n import error_text
from yima.platform.console.widgets import Column, DataTable, page_header
from yima.platform.ctx import Ctx

PROBLEM_COLUMNS = [
    Column("row", Text("行", "Row"), align="right"),
    Column("column", Text("列", "Column")),
    Column("value", Text("单元格内容", "Cell"), kind="mono", max_width="14rem"),
    Column("problem", Text("问题", "Problem"), kind="wrap"),
]


@console_page(
    "/catalog/import",
    label=Text("商品导入", "Import products"),
    area=nav.PRODUCTS,
    icon="upload_file",
    permission=CATALOG_WRITE.name,
    order=30,
)
async def import_page(page: ConsolePage) -> None:
    ImportView(page)


class ImportView:
    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        t = page.t
        header = page_header(
            t("商品导入", "Import products"),
            t(
                "先检查每一行：只要有一处错误，就不导入任何数据；全部正确时按 SKU 新建或更新商品。",
                "Every row is checked first: with any problem nothing is imported; otherwise products are "
                "created or updated by SKU.",
            ),
        )
        with header:
            ui.button(t("下载模板", "Download template"), icon="download", on_click=self.template).props("outline")
        with ui.card().classes("w-full gap-3"):
            ui.label(t("1. 选择导入方式", "1. Choose how existing SKUs are treated")).classes("font-medium")
            self.mode = ui.radio(
                {
                    "upsert": t("新建或更新（已有的 SKU 会被更新）", "Create or update (existing SKUs are updated)"),
                    "create": t("只新建（已有的 SKU 报错）", "Create only (existing SKUs are errors)"),
                },
                value="upsert",
            ).props("inline")
            ui.label(t("2. 上传填好的 Excel 文件（.xlsx）", "2. Upload the filled-in workbook (.xlsx)")).classes(
                "font-medium"
            )
            limit = rules.MAX_IMPORT_BYTES // (1024 * 1024)
            self.upload = ui.upload(
                label=t(f"选择文件（≤ {limit} MB，{rules.MAX_IMPORT_ROWS} 行以内）", f"Choose a file (≤ {limit} MB)"),
                on_upload=self.uploaded,
                auto_upload=True,
                max_file_size=rules.MAX_IMPORT_BYTES,
            )
            self.upload.props('accept=".xlsx" flat bordered').classes("w-full").mark("import-upload")
        self.summary = ui.column().classes("w-full gap-2")
        self.table = DataTable(page, PROBLEM_COLUMNS, row_key="key")
        self.table.table.mark("import-problems")
        self.table.table.set_visibility(False)

    async def template(self) -> None:
        await download(self.page, service.products_template, "products-template.xlsx")

    async def uploaded(self, event: events.UploadEventArguments) -> None:
        content, name, mode = await event.file.read(), event.file.name, self.mode.value

        async def attempt(ctx: Ctx) -> ImportResult | ImportRejected:
            # A rejected file is refused before anything is written, so this transaction is empty.
            try:
                return await service.import_products(ctx, content, mode)
            except ImportRejected as rejected:
                return rejected

        outcome = await self.page.run(attempt)
        self.upload.reset()
        if outcome:
            self._show(name, outcome.value)

    def _show(self, name: str, outcome: ImportResult | ImportRejected) -> None:
        t = self.page.t
        self.summary.clear()
        with self.summary, ui.row().classes("w-full items-center gap-2 p-3 rounded no-wrap") as banner:
            if isinstance(outcome, ImportResult):
                banner.classes("bg-green-1 text-green-10")
                ui.icon("check_circle", size="22px")
                ui.label(
                    t(
                        f"{name}：已导入 {outcome.rows} 行，新建 {outcome.created}，更新 {outcome.updated}，"
                        f"未变 {outcome.unchanged}",
                        f"{name}: imported {outcome.rows} rows: {outcome.created} created, {outcome.updated} "
                        f"updated, {outcome.unchanged} unchanged",
                    )
                ).mark("import-summary")
                ui.link(t("查看商品", "See the products"), "/catalog/products")
            else:
                banner.classes("bg-red-1 text-red-10")
                ui.icon("error", size="22px")
                ui.label(
                    t(
                        f"{name}：发现 {len(outcome.problems)} 处问题，未导入任何数据。请修改后重新上传。",
                        f"{name}: {len(outcome.problems)} problem(s); nothing was imported. Fix them and upload again.",
                    )
                ).mark("import-summary")
        problems = outcome.problems if isinstance(outcome, ImportRejected) else []
        self.table.set_rows(
            [
                {
                    "key": i,
                    "row": p.row or "—",
                    "column": p.column or "—",
                    "value": p.value,
                    "problem": self._problem_text(p.code, p.message),
                }
                for i, p in enumerate(problems)
            ]
        )
        self.table.table.set_visibility(bool(problems))

    def _problem_text(self, code: str, message: str) -> str:
        text = error_text(code, message, self.page.locale)
        return f"{text}（{message}）" if self.page.locale == "zh" and text != message else text
