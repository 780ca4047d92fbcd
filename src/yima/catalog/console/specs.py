"""包装规格 Packaging specs: bottles per case, cases per pallet, and the code faces each level
carries; list, create, edit, deactivate."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.catalog import rules, service
from yima.catalog.console.common import FACES, face_tags
from yima.catalog.permissions import CATALOG_READ, CATALOG_WRITE
from yima.catalog.schemas import SpecCreate, SpecFilter, SpecRead, SpecUpdate
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import (
    Checklist,
    Choice,
    Column,
    CursorPager,
    DataTable,
    FormDialog,
    RowAction,
    filter_input,
    filter_select,
    page_header,
    text_field,
)
from yima.platform.ctx import Ctx

ACTIVE_COLORS = {"启用": "positive", "Active": "positive", "停用": "grey-6", "Disabled": "grey-6"}
COLUMNS = [
    Column("code", Text("编码", "Code"), kind="mono"),
    Column("name", Text("名称", "Name")),
    Column("packing", Text("装箱", "Packing")),
    Column("bottle", Text("瓶码", "Bottle codes"), kind="tags"),
    Column("case", Text("箱码", "Case codes"), kind="tags"),
    Column("pallet", Text("托码", "Pallet code"), kind="tags"),
    Column("product_count", Text("商品数", "Products"), align="right"),
    Column("status", Text("状态", "Status"), kind="tags", tag_colors=ACTIVE_COLORS),
]
LEVELS = (("bottle", Text("瓶", "Bottle")), ("case", Text("箱", "Case")), ("pallet", Text("托盘", "Pallet")))


@console_page(
    "/catalog/specs",
    label=Text("包装规格", "Packaging specs"),
    area=nav.PRODUCTS,
    icon="inventory_2",
    permission=CATALOG_READ.name,
    order=20,
)
async def specs_page(page: ConsolePage) -> None:
    await SpecsView(page).pager.reload()


class SpecsView:
    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        self.filters: dict[str, Any] = {"q": None, "active": None}
        header = page_header(
            page.t("包装规格", "Packaging specs"),
            page.t(
                "瓶 → 箱 → 托的装箱关系，以及每一级印刷的码（外码 / 内码）",
                "How bottles go into cases and cases onto pallets, and which codes each level carries",
            ),
        )
        with ui.row().classes("w-full items-center gap-3"):
            filter_input(page.t("搜索编码或名称", "Search code or name"), lambda v: self.set_filter("q", v))
            filter_select(
                {None: page.t("全部", "All"), True: page.t("启用", "Active"), False: page.t("停用", "Disabled")},
                page.t("状态", "Status"),
                lambda v: self.set_filter("active", v),
                width="w-32",
            )
        write = page.can(CATALOG_WRITE.name)
        actions = [RowAction("edit", "edit", Text("编辑", "Edit"), self.edit)] if write else []
        self.pager = CursorPager(page, DataTable(page, COLUMNS, actions=actions), self.load)
        if write:
            with header:
                ui.button(page.t("新建包装规格", "New packaging spec"), icon="add", on_click=self.create).mark(
                    "spec-create"
                )

    async def set_filter(self, key: str, value: Any) -> None:
        self.filters[key] = value
        await self.pager.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        return [self._row(s) for s in await service.list_specs(ctx, SpecFilter(**self.filters), limit, before_id)]

    def _row(self, spec: SpecRead) -> dict[str, Any]:
        page = self.page
        return spec.model_dump(mode="json") | {
            "packing": page.t(
                f"{spec.bottles_per_case} 瓶/箱 · {spec.cases_per_pallet} 箱/托",
                f"{spec.bottles_per_case}/case · {spec.cases_per_pallet}/pallet",
            ),
            "bottle": face_tags(page, spec.bottle_faces),
            "case": face_tags(page, spec.case_faces) or ["—"],
            "pallet": face_tags(page, spec.pallet_faces) or ["—"],
            "status": [page.t("启用", "Active") if spec.active else page.t("停用", "Disabled")],
        }

    def _labels(self) -> dict[str, str]:
        t = self.page.t
        return {
            "code": t("编码", "Code"),
            "name": t("名称", "Name"),
            "bottles_per_case": t("每箱瓶数", "Bottles per case"),
            "cases_per_pallet": t("每托箱数", "Cases per pallet"),
            "bottle_faces": t("瓶码", "Bottle codes"),
            "case_faces": t("箱码", "Case codes"),
            "pallet_faces": t("托码", "Pallet code"),
        }

    def _form(self, values: dict[str, Any]) -> dict[str, Any]:
        """The fields shared by the create and edit dialogs; returns the widgets by field."""
        t = self.page.t
        widgets: dict[str, Any] = {"name": text_field(t("名称", "Name"), values.get("name", ""))}
        with ui.row().classes("w-full gap-3 no-wrap"):
            for key, label, default in (
                ("bottles_per_case", t("每箱瓶数", "Bottles per case"), 6),
                ("cases_per_pallet", t("每托箱数", "Cases per pallet"), 40),
            ):
                widgets[key] = ui.number(label, value=values.get(key, default), min=1, precision=0, format="%d")
                widgets[key].props("outlined dense").classes("grow")
        ui.label(t("每一级印刷的码", "Codes printed on each level")).classes("text-sm text-grey-8 mt-2")
        groups = [
            (self.page.text(label), [Choice(f"{level}:{face}", self.page.text(FACES[face])) for face in FACES])
            for level, label in LEVELS
        ]
        chosen = [f"{level}:{f}" for level, _ in LEVELS for f in values.get(f"{level}_faces", [])]
        widgets["faces"] = Checklist(groups, chosen)
        return widgets

    @staticmethod
    def _values(widgets: dict[str, Any]) -> dict[str, Any]:
        faces: list[str] = widgets["faces"].value
        values = {key: widgets[key].value for key in ("name", "bottles_per_case", "cases_per_pallet")}
        for key in ("bottles_per_case", "cases_per_pallet"):
            values[key] = int(values[key]) if values[key] is not None else None
        for level, _ in LEVELS:
            values[f"{level}_faces"] = [f.partition(":")[2] for f in faces if f.startswith(f"{level}:")]
        return values

    def create(self) -> None:
        page, t = self.page, self.page.t

        async def save() -> bool:
            data = self._values(widgets) | {"code": code.value}
            ok = await page.run(
                lambda ctx: service.create_spec(ctx, SpecCreate(**data)),
                done=t("包装规格已创建", "Packaging spec created"),
                fields=self._labels(),
            )
            if ok:
                await self.pager.reload()
            return bool(ok)

        with FormDialog(page, t("新建包装规格", "New packaging spec"), save, submit=t("创建", "Create")) as form:
            code = text_field(t("编码（如 JX-6x500）", "Code (e.g. JX-6x500)"))
            widgets = self._form({f"{level}_faces": faces for level, faces in rules.DEFAULT_FACES.items()})
        form.open()

    def edit(self, row: dict[str, Any]) -> None:
        page, t = self.page, self.page.t

        async def save() -> bool:
            data = self._values(widgets) | {"active": active.value}
            ok = await page.run(
                lambda ctx: service.update_spec(ctx, row["id"], SpecUpdate(**data)),
                done=t("已保存", "Saved"),
                fields=self._labels(),
            )
            if ok:
                await self.pager.refresh()
            return bool(ok)

        with FormDialog(page, t(f"编辑包装规格 {row['code']}", f"Edit packaging spec {row['code']}"), save) as form:
            widgets = self._form(row)
            active = ui.switch(
                t("启用（停用后不能用于新商品）", "Active (a disabled spec is not offered for new products)")
            )
            active.value = bool(row["active"])
        form.open()
