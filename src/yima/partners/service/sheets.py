"""The partners' spreadsheets: import templates and exports (in the templates' layout, so an
export can be imported back)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from openpyxl import Workbook

from yima.partners import repository as repo
from yima.partners import rules
from yima.partners.permissions import PARTNERS_READ
from yima.partners.schemas import DealerFilter, DealerRead, StoreFilter, StoreRead, WarehouseFilter, WarehouseRead
from yima.partners.service import places
from yima.partners.service.dealers import read_dealers
from yima.partners.service.stores import read_stores
from yima.partners.service.warehouses import read_warehouses
from yima.platform.ctx import Ctx
from yima.platform.sheets import XLSX_MEDIA_TYPE, append_row, export_sheet, header_row, notes_sheet, to_bytes

__all__ = ["XLSX_MEDIA_TYPE", "export_dealers", "export_stores", "export_warehouses", "template"]
SHEET_NAMES: Mapping[rules.SheetKind, str] = {
    "dealers": "经销商 Dealers",
    "stores": "门店 Stores",
    "warehouses": "仓库 Warehouses",
    "accounts": "渠道账号 Accounts",
}
_CODE_NOTE = "必填，每行唯一；已存在的编码将被更新 · Required, unique; an existing code is updated"
_REGION_NOTE = (
    "行政区划代码或名称，如 510104 或 四川省成都市锦江区；留空则按地址或经纬度识别 · "
    "A GB/T 2260 code or name; left empty, it is worked out from the address or the point"
)
NOTES: Mapping[rules.SheetKind, tuple[tuple[str, str], ...]] = {
    "dealers": (
        ("经销商编码 code", _CODE_NOTE),
        ("经销商名称 name", "必填 · Required"),
        ("区域 region", "经销商所在地，" + _REGION_NOTE),
        (
            "经营区域 territory",
            "可销售的省、市、区县，代码或名称，用逗号或顿号分隔，如 510100、重庆；整列替换原有区域 · "
            "Provinces, cities or districts it may sell in, by code or name, separated by commas; "
            "the column replaces the dealer's territory",
        ),
    ),
    "stores": (
        ("门店编码 code", _CODE_NOTE),
        ("门店名称 name", "必填 · Required"),
        ("经销商编码 dealer", "供货经销商的编码（须已存在且启用）· The supplying dealer's code (existing, active)"),
        ("区域 region", _REGION_NOTE),
        ("纬度 / 经度 latitude / longitude", "十进制度数，两者同时填写 · Decimal degrees, both or neither"),
        ("等级 grade", "如 A、B、C · e.g. A, B, C"),
        ("标签 tags", "多个标签用逗号或顿号分隔，如 核心店、宴席店 · several tags separated by commas"),
        (
            "业务员手机 salesman phone",
            "门店的业务员（须已开通业务员账号，属于门店的经销商或品牌直属）；留空则清除 · "
            "The store's salesman: an active salesman of its dealer or of the brand; empty clears it",
        ),
    ),
    "warehouses": (
        ("仓库编码 code", _CODE_NOTE),
        ("仓库名称 name", "必填 · Required"),
        ("类型 kind", "工厂仓 factory、中心仓 central、区域仓 regional；默认中心仓 · default central"),
        ("区域 region", _REGION_NOTE),
    ),
    "accounts": (
        ("手机号 phone", "必填，大陆手机号 · Required, a mainland mobile number"),
        (
            "身份 kind",
            "经销商负责人、经销商员工、店主、店员、业务员、导购（或英文代码）· "
            "dealer_owner, dealer_staff, store_owner, store_clerk, salesman, guide",
        ),
        (
            "经销商 / 门店 / 导购区域",
            "经销商身份填经销商编码，门店身份填门店编码；业务员填经销商编码或留空（品牌直属）；"
            "导购填门店编码，或填区县（区域导购群）· Dealer roles a dealer code, store roles a store code; a "
            "salesman a dealer code or nothing (the brand's own); a guide a store code or a district",
        ),
        ("已有身份 existing roles", "只更新姓名，不改变状态 · Only the name is updated; the status stays"),
    ),
}
_TEXT_FIELDS = ("code", "dealer_code", "store_code", "phone", "owner_phone", "salesman_phone", "region")


async def template(ctx: Ctx, kind: rules.SheetKind) -> bytes:
    """An empty sheet of ``kind`` to fill in, with notes on each column."""
    ctx.require(PARTNERS_READ.name)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAMES[kind]
    header_row(sheet, rules.IMPORT_COLUMNS[kind], text_fields=_TEXT_FIELDS)
    notes_sheet(workbook, NOTES[kind])
    return to_bytes(workbook)


async def export_rows(ctx: Ctx, kind: rules.SheetKind, batches: AsyncIterator[list[dict[str, Any]]]) -> bytes:
    workbook = Workbook(write_only=True)
    columns = rules.EXPORT_COLUMNS[kind]
    sheet = export_sheet(workbook, SHEET_NAMES[kind], columns)
    async for rows in batches:
        for values in rows:
            append_row(sheet, ["" if values.get(c.field) is None else values[c.field] for c in columns])
    return to_bytes(workbook)


def _common(ctx: Ctx, read: DealerRead | StoreRead | WarehouseRead) -> dict[str, Any]:
    return read.model_dump() | {
        "region": read.region_code,
        "active": "TRUE" if read.active else "FALSE",
        "updated_at": ctx.local(read.updated_at).strftime("%Y-%m-%d %H:%M"),
    }


async def export_dealers(ctx: Ctx, filters: DealerFilter) -> bytes:
    """The dealers the actor may see, filtered like the list; territories as codes (and names)."""
    ctx.require(PARTNERS_READ.name)

    async def batches() -> AsyncIterator[list[dict[str, Any]]]:
        async for batch in repo.iter_dealers(ctx.session, filters, places.scope(ctx)):
            yield [
                _common(ctx, d)
                | {
                    "territory": "、".join(r.code for r in d.territory),
                    "territory_names": "、".join(r.name for r in d.territory),
                }
                for d in await read_dealers(ctx, batch)
            ]

    return await export_rows(ctx, "dealers", batches())


async def export_stores(ctx: Ctx, filters: StoreFilter) -> bytes:
    ctx.require(PARTNERS_READ.name)

    async def batches() -> AsyncIterator[list[dict[str, Any]]]:
        async for batch in repo.iter_stores(ctx.session, filters, places.scope(ctx)):
            yield [_common(ctx, s) | {"tags": "、".join(s.tags)} for s in await read_stores(ctx, batch)]

    return await export_rows(ctx, "stores", batches())


async def export_warehouses(ctx: Ctx, filters: WarehouseFilter) -> bytes:
    ctx.require(PARTNERS_READ.name)

    async def batches() -> AsyncIterator[list[dict[str, Any]]]:
        async for batch in repo.iter_warehouses(ctx.session, filters):
            yield [_common(ctx, w) for w in await read_warehouses(ctx, batch)]

    return await export_rows(ctx, "warehouses", batches())
