"""The dialogs of a batch's page: export, activate (空码赋值), block (void / blacklist), void the
batch. Each calls one service; a refused activation or block lists every problem in the dialog."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from yima.codes import formats
from yima.codes import service as codes
from yima.codes.console.common import (
    BLOCK_KINDS,
    BLOCK_REASONS,
    FORMATS,
    CodeSelection,
    Problems,
    options,
    reveal_key,
    selection_labels,
)
from yima.codes.schemas import ActivationCreate, BatchRead, BatchVoid, BlockCreate, ExportCreate
from yima.platform.console import ConsolePage
from yima.platform.console.widgets import FormDialog, confirm, text_field
from yima.platform.ctx import Ctx
from yima.platform.errors import Invalid, NotFound

Refresh = Callable[[], Awaitable[None]]


def _select(choices: dict[Any, str], label: str, value: Any) -> ui.select:
    return ui.select(choices, label=label, value=value).props("outlined dense").classes("w-full")


def new_export(page: ConsolePage, batch: BatchRead, suppliers: dict[int, str], refresh: Refresh) -> None:
    t = page.t
    allowed = {k: page.text(v) for k, v in FORMATS.items() if batch.quantity <= formats.limit(k)}

    async def submit() -> bool:
        data = {"format": fmt.value, "supplier_id": supplier.value}
        outcome = await page.run(
            lambda ctx: codes.request_export(ctx, batch.id, ExportCreate(**data)),
            fields={"format": t("格式", "Format"), "supplier_id": t("供应商", "Supplier")},
        )
        if not outcome:
            return False
        await refresh()
        created = outcome.value
        reveal_key(
            page,
            t(f"导出 #{created.id} 已创建", f"Export #{created.id} created"),
            created.package_key,
            created.job_id,
            lambda _: refresh(),
        )
        return True

    with FormDialog(page, t("导出码包文件", "Export the print file"), submit, submit=t("导出", "Export")) as form:
        form.body.props("data-testid=export-dialog")
        fmt = _select(allowed, t("格式", "Format"), "csv")
        if len(allowed) < len(FORMATS):
            ui.label(
                t(
                    "码包较大，部分格式不可用（图片与 PDF 适合小批量）",
                    "Some formats are not offered for a batch this large (images and PDF are for small batches)",
                )
            ).classes("text-xs text-grey-7")
        supplier = _select(suppliers, t("供应商", "Supplier"), batch.supplier_id)
        ui.label(
            t(
                "文件加密后交给供应商；密钥只显示一次，请另行告知。",
                "The file is encrypted for the supplier; its key is shown once: pass it on separately.",
            )
        ).classes("text-xs text-grey-7")
    form.open()


async def _attempt(ctx: Ctx, action: Callable[[Ctx], Awaitable[object]]) -> object:
    """Run a use case that checks everything before writing anything, and hand its refusal back
    (to be listed in the dialog) instead of raising it."""
    try:
        return await action(ctx)
    except (Invalid, NotFound) as refused:
        return refused


async def _submit_listing_problems(
    page: ConsolePage, problems: Problems, action: Callable[[Ctx], Awaitable[object]], done: str, refresh: Refresh
) -> bool:
    problems.clear()
    outcome = await page.run(lambda ctx: _attempt(ctx, action), fields=problems.fields)
    if not outcome:
        return False
    if isinstance(outcome.value, Invalid | NotFound):
        problems.show(outcome.value)
        return False
    ui.notify(done, type="positive")
    await refresh()
    return True


def activate(page: ConsolePage, batch: BatchRead, products: dict[int, str], refresh: Refresh) -> None:
    t = page.t
    labels = selection_labels(page)

    async def submit() -> bool:
        values = selection.value() | {
            "product_id": product.value,
            "lot": lot.value,
            "production_date": day.value or None,
            "line": line.value,
            "source": "line",
        }
        return await _submit_listing_problems(
            page,
            problems,
            lambda ctx: codes.activate(ctx, ActivationCreate(**values)),
            t("已激活", "Activated"),
            refresh,
        )

    title = t(f"激活码包 #{batch.id}（空码赋值）", f"Activate codes of batch #{batch.id}")
    with FormDialog(page, title, submit, submit=t("激活", "Activate"), width="40rem") as form:
        form.body.props("data-testid=activate-dialog")
        selection = CodeSelection(page, batch.first_serial, batch.last_serial)
        product = _select(products, labels["product_id"], batch.product_id if batch.product_id in products else None)
        with ui.row().classes("w-full gap-2 no-wrap"):
            lot = text_field(labels["lot"])
            day = ui.input(labels["production_date"]).props("outlined dense type=date stack-label").classes("w-full")
        line = text_field(t("产线（如 灌装一线）", "Line (e.g. filling line 1)"))
        problems = Problems(page, labels)
    form.open()


def block(page: ConsolePage, batch: BatchRead, refresh: Refresh) -> None:
    t = page.t
    labels = selection_labels(page)

    async def submit() -> bool:
        values = selection.value() | {"kind": kind.value, "reason": reason.value, "note": note.value}
        return await _submit_listing_problems(
            page,
            problems,
            lambda ctx: codes.block(ctx, BlockCreate(**values)),
            t("已处理", "Done"),
            refresh,
        )

    title = t("作废或拉黑码", "Void or blacklist codes")
    with FormDialog(page, title, submit, submit=t("确定", "Apply"), width="40rem") as form:
        form.body.props("data-testid=block-dialog")
        selection = CodeSelection(page, batch.first_serial, batch.last_serial)
        with ui.row().classes("w-full gap-2 no-wrap"):
            kind = _select(options(page, BLOCK_KINDS), labels["kind"], "void")
            reason = _select(options(page, BLOCK_REASONS), labels["reason"], "misprint")
        note = text_field(labels["note"])
        ui.label(
            t(
                "作废或拉黑的码不再发放任何奖励，扫码时会说明原因。作废不可撤销；拉黑可在码包页的列表中解除。",
                "Voided or blacklisted codes pay nothing and say why when scanned. A void cannot be undone; "
                "a blacklisting can be lifted from the batch page's list.",
            )
        ).classes("text-xs text-grey-7")
        problems = Problems(page, labels)
    form.open()


def void_batch(page: ConsolePage, batch: BatchRead, refresh: Refresh) -> None:
    t = page.t

    async def submit() -> bool:
        question = t(
            f"确定作废整个码包 #{batch.id}（{batch.quantity:,} 个码）？此操作不可撤销。",
            f"Void the whole batch #{batch.id} ({batch.quantity:,} codes)? This cannot be undone.",
        )
        if not await confirm(page, question, ok=t("作废", "Void")):
            return False
        ok = await page.run(
            lambda ctx: codes.void_batch(ctx, batch.id, BatchVoid(reason=reason.value or "").reason),
            done=t("码包已作废", "Batch voided"),
            fields={"reason": t("原因", "Reason")},
        )
        if ok:
            await refresh()
        return bool(ok)

    with FormDialog(
        page, t(f"作废码包 #{batch.id}", f"Void batch #{batch.id}"), submit, submit=t("作废", "Void")
    ) as form:
        form.body.props("data-testid=void-dialog")
        form.submit_button.props("color=negative")
        reason = text_field(t("原因（如 印刷厂丢失整批标签）", "Reason (e.g. lost at the printer)"))
    form.open()


async def mark_received(page: ConsolePage, batch: BatchRead, refresh: Refresh) -> None:
    t = page.t
    if await page.run(lambda ctx: codes.mark_received(ctx, batch.id), done=t("已标记签收", "Marked received")):
        await refresh()
