"""What the catalog's console pages share: translated error codes, status tags, form labels and
downloads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from yima.catalog import service
from yima.catalog.schemas import SpecFilter, SpecRead
from yima.platform.console import ConsolePage, Text, register_error_texts
from yima.platform.ctx import Ctx

register_error_texts(
    {
        "gtin_check_digit": Text("GTIN 校验位错误", "wrong GTIN check digit"),
        "gtin_length": Text("GTIN 应为 8、12、13 或 14 位", "a GTIN has 8, 12, 13 or 14 digits"),
        "gtin_digits": Text("GTIN 只能包含数字", "a GTIN has digits only"),
        "unknown_spec": Text("包装规格不存在", "no such packaging spec"),
        "spec_inactive": Text("包装规格已停用", "the packaging spec is not active"),
        "unknown_face": Text("码面只能是外码或内码", "faces are outer or inner"),
        "duplicate_face": Text("码面重复", "a face is listed twice"),
        "bottle_needs_face": Text("瓶至少要有一个码", "a bottle carries at least one code"),
        "pallet_one_face": Text("托盘最多一个码", "a pallet carries one code at most"),
        "not_an_image": Text("不是 PNG、JPEG、GIF 或 WebP 图片", "not a PNG, JPEG, GIF or WebP image"),
        "greater_than_equal": Text("数值太小", "too small"),
        "less_than_equal": Text("数值太大", "too large"),
        "int_parsing": Text("应为整数", "a whole number"),
    }
)

STATUS = {
    "active": Text("在售", "Active"),
    "discontinued": Text("停产", "Discontinued"),
}
STATUS_COLORS = {"在售": "positive", "Active": "positive", "停产": "grey-6", "Discontinued": "grey-6"}
FACES = {"outer": Text("外码", "outer"), "inner": Text("内码", "inner")}


def status_tag(page: ConsolePage, status: str) -> list[str]:
    return [page.text(STATUS[status])] if status in STATUS else [status]


def face_tags(page: ConsolePage, faces: list[str]) -> list[str]:
    return [page.text(FACES[f]) for f in faces if f in FACES]


def product_labels(page: ConsolePage) -> dict[str, str]:
    """Form labels by schema field, so an error names the field as the form does."""
    t = page.t
    return {
        "sku": "SKU",
        "name": t("名称", "Name"),
        "gtin": "GTIN",
        "specification": t("规格", "Specification"),
        "category": t("分类", "Category"),
        "image_url": t("图片 URL", "Image URL"),
        "packaging_spec_id": t("包装规格", "Packaging spec"),
        "file": t("文件", "File"),
    }


async def active_specs(ctx: Ctx) -> list[SpecRead]:
    return (await service.list_specs(ctx, SpecFilter(active=True), 200, None))[:200]


async def download(
    page: ConsolePage, make: Callable[[Ctx], Awaitable[bytes]], filename: str, done: str | None = None
) -> None:
    """Build a file with a service and hand it to the browser."""
    outcome = await page.run(make, done=done)
    if outcome:
        ui.download.content(outcome.value, filename, service.XLSX_MEDIA_TYPE)
