"""What the codes pages share: names and colours of states, translated error codes, the one-time
package key with the job's live progress, and the "which codes" fields of activation and blocks."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from nicegui import ui

from yima.catalog import service as catalog
from yima.catalog.schemas import ProductFilter
from yima.codes.schemas import SupplierRead
from yima.platform.console import ConsolePage, Text, register_error_texts
from yima.platform.console.i18n import error_text
from yima.platform.console.widgets import FormDialog, copyable
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError
from yima.platform.outbox import service as jobs

# Codes' own error codes. Those that could mean something else in another context ("active",
# "state", "invalid") are used only in this context's problem lists, not registered for everyone.
_DISTINCT = {
    "outside_batch": Text("不在同一个码包内", "not inside one batch"),
    "unknown_code": Text("不是本品牌的码", "not a code of this brand"),
    "bad_code": Text("码的格式不正确", "malformed code"),
    "bad_digital_link": Text("GS1 数字链接格式不正确", "malformed GS1 Digital Link"),
    "exhausted": Text("品牌的序列号已用完", "the brand has used up its serial numbers"),
    "not_ready": Text("文件尚未生成", "the file is not ready"),
}
register_error_texts(_DISTINCT)
PROBLEM_TEXTS = _DISTINCT | {
    "active": Text("已激活", "already activated"),
    "void": Text("已作废", "voided"),
    "blacklist": Text("已拉黑", "blacklisted"),
    "voided": Text("码包已作废", "the batch is voided"),
    "discontinued": Text("商品已停产", "the product is discontinued"),
    "invalid": Text("无效的码", "invalid code"),
    "unknown": Text("没有这个码", "no such code"),
    "gtin": Text("数字链接的 GTIN 与商品不符", "the Digital Link's GTIN is not the product's"),
}


def _labelled(values: dict[str, tuple[str, str, str]]) -> tuple[dict[str, Text], dict[str, str]]:
    """Names of states (value → Text) and their badge colours by shown label, in both languages."""
    names = {k: Text(zh, en) for k, (zh, en, _) in values.items()}
    colors = {label: color for zh, en, color in values.values() for label in (zh, en)}
    return names, colors


BATCH_STATES, BATCH_COLORS = _labelled(
    {
        "generating": ("生成中", "Generating", "info"),
        "generated": ("已生成", "Generated", "primary"),
        "exported": ("已下载", "Exported", "teal"),
        "received": ("已签收", "Received", "positive"),
        "voided": ("已作废", "Voided", "grey-7"),
        "failed": ("失败", "Failed", "negative"),
    }
)
EXPORT_STATES, EXPORT_COLORS = _labelled(
    {
        "queued": ("排队中", "Queued", "grey-6"),
        "running": ("生成中", "Running", "info"),
        "ready": ("可下载", "Ready", "positive"),
        "failed": ("失败", "Failed", "negative"),
    }
)
UNIT_STATES, UNIT_COLORS = _labelled(
    {
        "inactive": ("未激活", "Inactive", "grey-6"),
        "active": ("已激活", "Active", "positive"),
        "voided": ("已作废", "Voided", "grey-8"),
        "blacklisted": ("已拉黑", "Blacklisted", "negative"),
    }
)
SUPPLIER_STATES, SUPPLIER_COLORS = _labelled(
    {"active": ("启用", "Active", "positive"), "disabled": ("停用", "Disabled", "grey-6")}
)
LEVELS = {"bottle": Text("瓶", "Bottle"), "case": Text("箱", "Case"), "pallet": Text("托", "Pallet")}
FACES = {"outer": Text("外码", "outer"), "inner": Text("内码", "inner")}
SUPPLIER_KINDS = {
    "cap_factory": Text("瓶盖厂", "Cap factory"),
    "carton_printer": Text("纸箱印刷厂", "Carton printer"),
    "production_line": Text("产线", "Production line"),
    "other": Text("其他", "Other"),
}
FORMATS = {
    "csv": Text("CSV 文本（任意数量）", "CSV (any size)"),
    "xlsx": Text("Excel 表格", "Excel workbook"),
    "qr_svg_zip": Text("二维码图片 SVG（ZIP）", "QR images, SVG (ZIP)"),
    "qr_png_zip": Text("二维码图片 PNG（ZIP）", "QR images, PNG (ZIP)"),
    "pdf": Text("PDF 标签页（A4）", "PDF label sheet (A4)"),
}
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel", "qr_svg_zip": "SVG · ZIP", "qr_png_zip": "PNG · ZIP", "pdf": "PDF"}
BLOCK_KINDS = {"void": Text("作废", "Void"), "blacklist": Text("拉黑", "Blacklist")}
BLOCK_REASONS = {
    "misprint": Text("印刷错误", "Misprint"),
    "stolen": Text("被盗或丢失", "Stolen or lost"),
    "too_many_scans": Text("扫码次数异常", "Too many scans"),
    "damaged": Text("损坏", "Damaged"),
    "other": Text("其他", "Other"),
}


def named(page: ConsolePage, names: Mapping[str, Text], value: str | None) -> str:
    if value is None:
        return "—"
    return page.text(names[value]) if value in names else value


def options(page: ConsolePage, names: Mapping[str, Text]) -> dict[str, str]:
    return {k: page.text(v) for k, v in names.items()}


def badge(page: ConsolePage, names: Mapping[str, Text], colors: Mapping[str, str], value: str) -> ui.badge:
    label = named(page, names, value)
    return ui.badge(label, color=colors.get(label, "grey-6")).classes("text-sm px-2 py-1")


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def supplier_options(suppliers: list[SupplierRead], *, active_only: bool = True) -> dict[int, str]:
    return {s.id: s.name for s in suppliers if s.is_active or not active_only}


async def active_products(ctx: Ctx) -> dict[int, str]:
    products = await catalog.list_products(ctx, ProductFilter(status="active"), 500, None)
    return {p.id: f"{p.sku} · {p.name}" for p in products}


class JobProgress:
    """A progress bar following a background job until it ends; ``on_end(succeeded)`` runs once."""

    def __init__(self, page: ConsolePage, job_id: int, on_end: Callable[[bool], Awaitable[None]] | None = None) -> None:
        self.page, self.job_id, self.on_end = page, job_id, on_end
        with ui.column().classes("w-full gap-1") as self.box:
            self.bar = ui.linear_progress(value=0, show_value=False, size="12px").props(
                "rounded instant-feedback color=primary"
            )
            self.label = ui.label(page.t("排队中…", "Queued…")).classes("text-sm text-grey-8")
        self.box.props("data-testid=job-progress")
        self.timer = ui.timer(0.5, self.tick)

    async def tick(self) -> None:
        async def read(ctx: Ctx) -> tuple[str, int, int | None, str | None]:
            job = await jobs.get_job(ctx, self.job_id)
            return job.state, job.done, job.total, job.error

        outcome = await self.page.run(read)
        if not outcome:
            self.timer.deactivate()
            return
        state, done, total, error = outcome.value
        t = self.page.t
        share = done / total if total else 0.0
        if state == "succeeded":
            share = 1.0
        self.bar.set_value(share)
        percent = f"{share:.0%}"
        count = f"{done:,} / {total:,}" if total else ""
        texts = {
            "queued": t("排队中…", "Queued…"),
            "running": t(f"生成中 {percent} · {count}", f"Working {percent} · {count}"),
            "succeeded": t("已完成 100%", "Done 100%"),
            "failed": t(f"失败：{error}", f"Failed: {error}"),
        }
        self.label.set_text(texts.get(state, state))
        if state in ("succeeded", "failed"):
            self.timer.deactivate()
            self.bar.props("color=" + ("positive" if state == "succeeded" else "negative"))
            if self.on_end is not None:
                await self.on_end(state == "succeeded")


def reveal_key(
    page: ConsolePage, title: str, key: str, job_id: int | None, on_end: Callable[[bool], Awaitable[None]]
) -> None:
    """The package key, once (it is not kept once the package is built), and the job building it."""

    async def close() -> bool:
        return True

    done = page.t("我已妥善保存", "I have stored it safely")
    with FormDialog(page, title, close, cancel=False, submit=done, width="44rem") as form:
        form.body.props("data-testid=key-dialog")
        with ui.row().classes("w-full items-start gap-2 p-3 rounded bg-orange-1 text-orange-10 no-wrap"):
            ui.icon("warning", size="20px")
            ui.label(
                page.t(
                    "码包密钥只显示这一次，系统不保存。请立即复制，并通过与文件不同的渠道（如电话、短信）交给供应商；"
                    "没有密钥无法打开码包文件。",
                    "The package key is shown only this once and is not kept. Copy it now and give it to the "
                    "supplier by another channel than the file (phone, text message); without it the package "
                    "cannot be opened.",
                )
            ).classes("text-sm")
        copyable(page, page.t("码包密钥", "Package key"), key)
        if job_id is not None:
            ui.label(page.t("正在生成码包文件", "Building the package")).classes("text-sm text-grey-8 mt-2")
            JobProgress(page, job_id, on_end)
    form.open()


class CodeSelection:
    """Which codes: a serial range, or printed codes pasted one a line (tokens, URLs, 防伪码)."""

    def __init__(self, page: ConsolePage, first: int, last: int) -> None:
        t = page.t
        choices = {"range": t("序列号区间", "Serial range"), "codes": t("粘贴码", "Paste codes")}
        self.mode = ui.radio(choices, value="range").props("inline dense")
        with ui.row().classes("w-full gap-2 no-wrap") as self.range_row:
            self.serial_from = ui.number(t("起始序列号", "From serial"), value=first, format="%d", min=first, max=last)
            self.serial_to = ui.number(t("结束序列号", "To serial"), value=last, format="%d", min=first, max=last)
            for field in (self.serial_from, self.serial_to):
                field.props("outlined dense").classes("grow")
        self.codes = ui.textarea(
            t("每行一个码：二维码内容、网址或防伪码", "One code a line: QR content, URL or anti-counterfeit number")
        )
        self.codes.props("outlined dense rows=5").classes("w-full font-mono")
        self.range_row.bind_visibility_from(self.mode, "value", value="range")
        self.codes.bind_visibility_from(self.mode, "value", value="codes")

    def value(self) -> dict[str, Any]:
        if self.mode.value == "range":
            low, high = self.serial_from.value, self.serial_to.value
            return {
                "range": {
                    "serial_from": int(low) if low is not None else None,
                    "serial_to": int(high) if high is not None else None,
                }
            }
        lines = [line.strip() for line in (self.codes.value or "").splitlines()]
        return {"codes": [line for line in lines if line] or None}


_LINE = re.compile(r"codes\[(\d+)\]")


class Problems:
    """Every problem of a refused action, listed in its dialog (there may be many)."""

    def __init__(self, page: ConsolePage, fields: Mapping[str, str]) -> None:
        self.page, self.fields = page, fields
        self.box = ui.column().classes("w-full gap-1 p-3 rounded bg-red-1 text-red-10 max-h-60 overflow-auto")
        self.box.props("data-testid=problems")
        self.box.set_visibility(False)

    def show(self, exc: AppError) -> None:
        page = self.page
        self.box.clear()
        with self.box:
            ui.label(error_text(exc.code, exc.message, page.locale)).classes("font-medium")
            for problem in exc.details:
                where = self._where(problem.field)
                known = PROBLEM_TEXTS.get(problem.code)
                text = known.get(page.locale) if known else error_text(problem.code, problem.message, page.locale)
                if page.locale == "zh" and text != problem.message:
                    text = f"{text}（{problem.message}）"
                ui.label(f"{where}: {text}").classes("text-sm")
        self.box.set_visibility(True)

    def clear(self) -> None:
        self.box.set_visibility(False)

    def _where(self, field: str) -> str:
        """``codes[3]`` is the 4th pasted line."""
        t = self.page.t
        if match := _LINE.fullmatch(field):
            n = int(match.group(1)) + 1
            return t(f"第 {n} 行", f"line {n}")
        return self.fields.get(field, field)


def selection_labels(page: ConsolePage) -> dict[str, str]:
    t = page.t
    return {
        "range": t("序列号区间", "Serial range"),
        "codes": t("码", "Codes"),
        "product_id": t("商品", "Product"),
        "lot": t("生产批号", "Lot"),
        "production_date": t("生产日期", "Production date"),
        "line": t("产线", "Line"),
        "kind": t("操作", "Action"),
        "reason": t("原因", "Reason"),
        "note": t("备注", "Note"),
    }
