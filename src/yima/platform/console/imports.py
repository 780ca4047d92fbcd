"""An Excel import panel every context's import page shares: download the template, choose how
existing rows are treated, upload the filled-in file, and see either what was imported or every
problem by row and column (nothing is imported then; see platform.sheets)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from nicegui import events, ui

from yima.platform.console.i18n import Text, error_text, register_error_texts
from yima.platform.console.page import ConsolePage
from yima.platform.console.widgets import Column, DataTable, page_header
from yima.platform.ctx import Ctx
from yima.platform.sheets import XLSX_MEDIA_TYPE, ImportRejected

register_error_texts(
    {
        "duplicate_in_file": Text("与文件中前面的行重复", "repeats an earlier row"),
        "missing_column": Text("缺少此列", "the column is missing"),
        "import_rejected": Text("文件有错误，未导入任何数据", "The file has problems; nothing was imported"),
        "not_xlsx": Text("不是 .xlsx 格式的 Excel 文件", "not an .xlsx workbook"),
        "too_large": Text("文件太大", "the file is too large"),
        "too_many_rows": Text("行数超过上限", "too many rows"),
        "empty": Text("表格中没有数据", "the sheet has no rows"),
        "float_parsing": Text("应为数字", "a number"),
    }
)


class ImportSummary(Protocol):
    rows: int
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class ImportSpec:
    """What one import page does; texts already in the page's language."""

    title: str
    description: str
    modes: Mapping[str, str]  # mode → label; the first is the default
    run: Callable[[Ctx, bytes, str], Awaitable[ImportSummary]]
    template: Callable[[Ctx], Awaitable[bytes]]
    template_name: str
    max_bytes: int
    max_rows: int
    done_link: tuple[str, str] | None = None  # (label, console path) shown after a good import


PROBLEM_COLUMNS = [
    Column("row", Text("行", "Row"), align="right"),
    Column("column", Text("列", "Column")),
    Column("value", Text("单元格内容", "Cell"), kind="mono", max_width="14rem"),
    Column("problem", Text("问题", "Problem"), kind="wrap"),
]


async def download(page: ConsolePage, make: Callable[[Ctx], Awaitable[bytes]], filename: str) -> None:
    """Build a workbook with a service and hand it to the browser."""
    outcome = await page.run(make)
    if outcome:
        ui.download.content(outcome.value, filename, XLSX_MEDIA_TYPE)


class ImportPanel:
    def __init__(self, page: ConsolePage, spec: ImportSpec, *, header: bool = True) -> None:
        self.page, self.spec = page, spec
        t = page.t
        if header:
            with page_header(spec.title, spec.description):
                ui.button(t("下载模板", "Download template"), icon="download", on_click=self.template).props("outline")
        with ui.card().classes("w-full gap-3"):
            ui.label(t("1. 选择导入方式", "1. Choose how existing rows are treated")).classes("font-medium")
            self.mode = ui.radio(dict(spec.modes), value=next(iter(spec.modes))).props("inline")
            ui.label(t("2. 上传填好的 Excel 文件（.xlsx）", "2. Upload the filled-in workbook (.xlsx)")).classes(
                "font-medium"
            )
            limit = spec.max_bytes // (1024 * 1024)
            self.upload = ui.upload(
                label=t(f"选择文件（≤ {limit} MB，{spec.max_rows} 行以内）", f"Choose a file (≤ {limit} MB)"),
                on_upload=self.uploaded,
                auto_upload=True,
                max_file_size=spec.max_bytes,
            )
            self.upload.props('accept=".xlsx" flat bordered').classes("w-full").mark("import-upload")
        self.summary = ui.column().classes("w-full gap-2")
        self.table = DataTable(page, PROBLEM_COLUMNS, row_key="key")
        self.table.table.mark("import-problems")
        self.table.table.set_visibility(False)

    async def template(self) -> None:
        await download(self.page, self.spec.template, self.spec.template_name)

    async def uploaded(self, event: events.UploadEventArguments) -> None:
        content, name, mode = await event.file.read(), event.file.name, str(self.mode.value)

        async def attempt(ctx: Ctx) -> ImportSummary | ImportRejected:
            # A rejected file is refused before anything is written, so this transaction is empty.
            try:
                return await self.spec.run(ctx, content, mode)
            except ImportRejected as rejected:
                return rejected

        outcome = await self.page.run(attempt)
        self.upload.reset()
        if outcome:
            self._show(name, outcome.value)

    def _show(self, name: str, outcome: ImportSummary | ImportRejected) -> None:
        t = self.page.t
        self.summary.clear()
        with self.summary, ui.row().classes("w-full items-center gap-2 p-3 rounded no-wrap") as banner:
            if not isinstance(outcome, ImportRejected):
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
                if self.spec.done_link:
                    ui.link(self.spec.done_link[0], self.spec.done_link[1])
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
