"""What the partners' console pages share: translated error codes, status tags, form labels and
a province → city → district picker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from yima.geo import service as geo
from yima.platform.console import ConsolePage, Text, register_error_texts
from yima.platform.console.widgets import CursorPager, FormDialog, text_field
from yima.platform.ctx import Ctx

register_error_texts(
    {
        "unknown_region": Text("行政区划代码不存在", "no such region"),
        "ambiguous_region": Text("有多个同名区域，请加上省市或填写代码", "several regions have this name"),
        "unknown_dealer": Text("经销商不存在", "no such dealer"),
        "dealer_inactive": Text("经销商已停用", "the dealer is not active"),
        "point_incomplete": Text("经纬度须同时填写", "give both latitude and longitude"),
        "too_many_regions": Text("区域太多", "too many regions"),
        "unknown_store": Text("门店不存在", "no such store"),
        "unknown_salesman": Text("没有这个业务员", "no such salesman"),
        "salesman_inactive": Text("业务员账号未启用", "the salesman's account is not active"),
        "other_dealer": Text("业务员属于其他经销商", "the salesman works for another dealer"),
    }
)

ACTIVE = {True: Text("启用", "Active"), False: Text("停用", "Inactive")}
ACTIVE_COLORS = {"启用": "positive", "Active": "positive", "停用": "grey-6", "Inactive": "grey-6"}
WAREHOUSE_KINDS = {
    "factory": Text("工厂仓", "Factory"),
    "central": Text("中心仓", "Central"),
    "regional": Text("区域仓", "Regional"),
}
STORE_CATEGORIES = ("烟酒店", "餐饮", "商超", "批发", "便利店", "酒庄")
STORE_TAGS = ("核心店", "宴席店", "形象店", "社区店", "团购店")  # offered; any other may be typed


def active_tag(page: ConsolePage, active: bool) -> list[str]:
    return [page.text(ACTIVE[active])]


def labels(page: ConsolePage) -> dict[str, str]:
    """Form labels by schema field, so an error names the field as the form does."""
    t = page.t
    return {
        "code": t("编码", "Code"),
        "name": t("名称", "Name"),
        "kind": t("类型", "Kind"),
        "contact_name": t("联系人", "Contact"),
        "phone": t("电话", "Phone"),
        "owner_name": t("店主", "Owner"),
        "owner_phone": t("店主电话", "Owner's phone"),
        "address": t("地址", "Address"),
        "region_code": t("区域代码", "Region code"),
        "lat": t("纬度", "Latitude"),
        "lon": t("经度", "Longitude"),
        "dealer_id": t("经销商", "Dealer"),
        "store_id": t("门店", "Store"),
        "salesman_id": t("业务员", "Salesman"),
        "category": t("类型", "Category"),
        "grade": t("等级", "Grade"),
        "territory": t("经营区域", "Territory"),
        "regions": t("经营区域", "Territory"),
        "file": t("文件", "File"),
    }


def place_fields(page: ConsolePage, row: dict[str, Any], *, point: bool = True) -> dict[str, Any]:
    """Address, region code and (optionally) latitude and longitude of a create or edit form."""
    t = page.t
    fields: dict[str, Any] = {
        "address": text_field(t("地址", "Address"), row.get("address", "")),
        "region_code": text_field(
            t(
                "区域代码（可留空，按地址或经纬度自动识别）",
                "Region code (optional: worked out from the address or point)",
            ),
            row.get("region_code") or "",
        ),
    }
    if point:
        with ui.row().classes("w-full gap-2 no-wrap"):
            fields["lat"] = ui.number(t("纬度", "Latitude"), value=row.get("lat"), min=-90, max=90, format="%.6f")
            fields["lon"] = ui.number(t("经度", "Longitude"), value=row.get("lon"), min=-180, max=180, format="%.6f")
            for widget in (fields["lat"], fields["lon"]):
                widget.props("outlined dense").classes("grow")
    return fields


def values(fields: dict[str, Any]) -> dict[str, Any]:
    """The form's values; an empty text is None for optional fields the schema clears with None."""
    found = {key: widget.value for key, widget in fields.items()}
    for key in ("region_code", "category", "grade"):
        if key in found and not (found[key] or "").strip():
            found[key] = None
    return found


class RegionPicker:
    """Province → city → district selects; ``value`` is the deepest region chosen."""

    def __init__(self, page: ConsolePage) -> None:
        self.page = page
        t = page.t
        with ui.row().classes("w-full gap-2 no-wrap"):
            self.selects = [
                ui.select({}, label=label, with_input=True, on_change=lambda e, d=depth: self._chosen(d, e.value))
                .props("outlined dense clearable options-dense")
                .classes("grow min-w-0")
                for depth, label in enumerate((t("省份", "Province"), t("城市", "City"), t("区县", "District")))
            ]
        self.selects[0].mark("region-province")
        self.selects[1].mark("region-city")
        self.selects[2].mark("region-district")

    async def start(self) -> None:
        await self._fill(0, None)

    @property
    def value(self) -> str | None:
        return next((s.value for s in reversed(self.selects) if s.value), None)

    async def _fill(self, depth: int, parent: str | None) -> None:
        outcome = await self.page.run(lambda ctx: geo.children_of(ctx, parent))
        regions = outcome.value if outcome else []
        self.selects[depth].set_options({r.code: r.name for r in regions})

    async def _chosen(self, depth: int, code: str | None) -> None:
        for below in self.selects[depth + 1 :]:
            below.set_options({})
            below.set_value(None)
        if code and depth + 1 < len(self.selects):
            await self._fill(depth + 1, code)


def changed(fields: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The values of an edit form that differ from the row (an update sends only those, so a
    region worked out from an old address is worked out again when the address changes)."""
    return {key: value for key, value in values(fields).items() if value != row.get(key)}


class PartnerDialogs:
    """The create and edit dialogs, and the update call, that the dealer, store and warehouse
    lists share. A list sets ``dialog_mark`` and ``dialog_width`` and supplies ``_fields`` (the
    form) and ``_save`` (its service's update)."""

    page: ConsolePage
    pager: CursorPager
    dialog_mark: str
    dialog_width: str

    def _fields(self, row: dict[str, Any], *, new: bool) -> dict[str, Any]:
        raise NotImplementedError

    async def _save(self, ctx: Ctx, partner_id: int, data: Any) -> Any:
        raise NotImplementedError

    def _create_dialog(
        self,
        title: str,
        create: Callable[[Ctx, dict[str, Any]], Awaitable[Any]],
        done: str,
        then: Callable[[Any], None] | None = None,
    ) -> None:
        """A dialog for a new partner; ``then`` gets the created one (default: reload the list)."""
        page = self.page

        async def save() -> bool:
            data = values(fields)
            ok = await page.run(lambda ctx: create(ctx, data), done=done, fields=labels(page))
            if ok and then is not None:
                then(ok.value)
            elif ok:
                await self.pager.reload()
            return bool(ok)

        with FormDialog(page, title, save, submit=page.t("创建", "Create"), width=self.dialog_width) as form:
            fields = self._fields({}, new=True)
            form.body.mark(self.dialog_mark)
        form.open()

    def _edit_dialog(self, row: dict[str, Any], title: str, update: Callable[[dict[str, Any]], Any]) -> None:
        """A dialog editing ``row``; ``update`` makes the service's update from the changed fields."""

        async def save() -> bool:
            return await self._update(row, update(changed(fields, row)), self.page.t("已保存", "Saved"))

        with FormDialog(self.page, title, save, width=self.dialog_width) as form:
            fields = self._fields(row, new=False)
            form.body.mark(self.dialog_mark)
        form.open()

    async def _update(self, row: dict[str, Any], data: Any, done: str) -> bool:
        ok = await self.page.run(lambda ctx: self._save(ctx, row["id"], data), done=done, fields=labels(self.page))
        if ok:
            await self.pager.refresh()
        return bool(ok)
