"""Pure rules of the partners: region-code containment for territories and regional scoping,
where a place is (which of a given code, an address and a point decides), change sets, and the
spreadsheets' columns.

GB/T 2260 codes are PPCCDD: a province ``510000`` contains every code starting ``51``, a city
``510100`` every code starting ``5101``, a district only itself. A territory is a set of codes
at any level (geo's ``in_territory``): a region is in it when it, its city or its province is
listed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from yima.platform.sheets import SheetColumn

WarehouseKind = Literal["factory", "central", "regional"]
WAREHOUSE_KINDS: tuple[WarehouseKind, ...] = ("factory", "central", "regional")
# How a spreadsheet may name a kind besides its English key.
WAREHOUSE_KIND_NAMES: Mapping[str, WarehouseKind] = {
    "工厂仓": "factory",
    "工厂": "factory",
    "成品仓": "factory",
    "中心仓": "central",
    "总仓": "central",
    "区域仓": "regional",
    "分仓": "regional",
}
MAX_TERRITORY = 500  # codes in one dealer's territory


# Region codes -----------------------------------------------------------------------------------


def code_prefix(code: str) -> str:
    """The prefix every code inside ``code`` starts with: ``51`` for a province, ``5101`` for a
    city, the code itself for a district."""
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


def contains(outer: str, inner: str) -> bool:
    """Is ``inner`` the region ``outer`` or inside it?"""
    return inner.startswith(code_prefix(outer))


def enclosing(code: str) -> set[str]:
    """The codes whose region contains ``code``: itself, its city and its province."""
    return {code, code[:4] + "00", code[:2] + "0000"}


def simplify_territory(codes: Iterable[str]) -> list[str]:
    """The territory without codes another listed code already covers (a district of a listed
    city, a city of a listed province), sorted: the same set of places, said once."""
    unique = set(codes)
    return sorted(c for c in unique if not any(o != c and contains(o, c) for o in unique))


def overlaps(territory: Collection[str], regions: Collection[str]) -> bool:
    """Does a territory share any place with ``regions`` (a regional manager's regions)?"""
    return any(contains(r, t) or contains(t, r) for t in territory for r in regions)


def split_regions(text: str) -> list[str]:
    """The region codes or names of one spreadsheet cell: separated by commas, 、, semicolons,
    slashes or line breaks (full-width too). Spaces inside a name are kept ("四川省 成都市")."""
    return [part.strip() for part in re.split(r"[,，、;；/|\n\r]+", text) if part.strip()]


# Where a place is --------------------------------------------------------------------------------

# An address names its region confidently when it names it with a level above it (1.0) or alone
# with a name no other region has (0.8); geo gives 0.6 to inferred and 0.5 to shared names.
CONFIDENT = 0.8


@dataclass(frozen=True)
class AddressMatch:
    code: str | None
    level: str | None
    confidence: float


def choose_region(address: AddressMatch | None, located: str | None) -> str | None:
    """The region of a place without one given: the district its address names confidently, else
    the district nearest its point, else the city or province its address names confidently.
    An address guess that is not confident never decides."""
    named = address if address and address.code and address.confidence >= CONFIDENT else None
    if named and named.level == "district":
        return named.code
    if located:
        return located
    return named.code if named else None


# Change sets -------------------------------------------------------------------------------------


def changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[object]]:
    """{field: [old, new]} for every field of ``after`` whose value differs from ``before``."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


# The spreadsheets --------------------------------------------------------------------------------

MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
SheetKind = Literal["dealers", "stores", "warehouses"]
SHEET_KINDS: tuple[SheetKind, ...] = ("dealers", "stores", "warehouses")

_CODE = ("编码", "编号", "code")
_NAME = ("名称", "name")
_ADDRESS = SheetColumn("address", "地址 address", ("地址", "详细地址", "address"), width=40)
_REGION = SheetColumn(
    "region", "区域 region", ("区域", "所在区域", "行政区划", "地区", "region", "regioncode"), width=16
)
_LAT = SheetColumn("lat", "纬度 latitude", ("纬度", "lat", "latitude"), width=12)
_LON = SheetColumn("lon", "经度 longitude", ("经度", "lon", "lng", "longitude"), width=12)

DEALER_COLUMNS = (
    SheetColumn("code", "经销商编码 code", ("经销商编码", "客户编码", *_CODE), required=True),
    SheetColumn("name", "经销商名称 name", ("经销商名称", "经销商", "客户名称", *_NAME), required=True, width=30),
    SheetColumn("contact_name", "联系人 contact", ("联系人", "contact", "contactname"), width=12),
    SheetColumn("phone", "电话 phone", ("电话", "手机", "联系电话", "phone", "mobile"), width=16),
    _ADDRESS,
    _REGION,
    SheetColumn(
        "territory",
        "经营区域 territory",
        ("经营区域", "销售区域", "授权区域", "territory", "territories"),
        width=40,
    ),
)
STORE_COLUMNS = (
    SheetColumn("code", "门店编码 code", ("门店编码", "终端编码", *_CODE), required=True),
    SheetColumn("name", "门店名称 name", ("门店名称", "门店", "终端名称", *_NAME), required=True, width=30),
    SheetColumn("dealer_code", "经销商编码 dealer", ("经销商编码", "所属经销商", "经销商", "dealer", "dealercode")),
    SheetColumn("owner_name", "店主 owner", ("店主", "店主姓名", "负责人", "owner", "ownername"), width=12),
    SheetColumn("owner_phone", "店主电话 owner phone", ("店主电话", "电话", "手机", "ownerphone", "phone"), width=16),
    _ADDRESS,
    _REGION,
    _LAT,
    _LON,
    SheetColumn("category", "类型 category", ("类型", "门店类型", "渠道", "category"), width=12),
    SheetColumn("grade", "等级 grade", ("等级", "门店等级", "grade"), width=8),
)
WAREHOUSE_COLUMNS = (
    SheetColumn("code", "仓库编码 code", ("仓库编码", *_CODE), required=True),
    SheetColumn("name", "仓库名称 name", ("仓库名称", "仓库", *_NAME), required=True, width=30),
    SheetColumn("kind", "类型 kind", ("类型", "仓库类型", "kind"), width=12),
    _ADDRESS,
    _REGION,
    _LAT,
    _LON,
)
IMPORT_COLUMNS: Mapping[SheetKind, tuple[SheetColumn, ...]] = {
    "dealers": DEALER_COLUMNS,
    "stores": STORE_COLUMNS,
    "warehouses": WAREHOUSE_COLUMNS,
}
_REGION_NAME = SheetColumn("region_name", "区域名称 region name", width=22)
_AFTER = (SheetColumn("active", "启用 active", width=8), SheetColumn("updated_at", "更新时间 updated", width=18))
EXPORT_COLUMNS: Mapping[SheetKind, tuple[SheetColumn, ...]] = {
    "dealers": (
        *DEALER_COLUMNS,
        _REGION_NAME,
        SheetColumn("territory_names", "经营区域名称 territory names", width=40),
        SheetColumn("store_count", "门店数 stores", width=10),
        *_AFTER,
    ),
    "stores": (*STORE_COLUMNS, _REGION_NAME, SheetColumn("dealer_name", "经销商名称 dealer name", width=30), *_AFTER),
    "warehouses": (*WAREHOUSE_COLUMNS, _REGION_NAME, *_AFTER),
}


# Channel accounts (渠道账号) ---------------------------------------------------------------------

RoleKind = Literal["dealer_owner", "dealer_staff", "store_owner", "store_clerk"]
ROLE_KINDS: tuple[RoleKind, ...] = ("dealer_owner", "dealer_staff", "store_owner", "store_clerk")
ROLE_NAMES: Mapping[str, str] = {
    "dealer_owner": "经销商负责人",
    "dealer_staff": "经销商员工",
    "store_owner": "店主",
    "store_clerk": "店员",
}
# The partner record each kind is tied to.
ROLE_PARTNER: Mapping[str, Literal["dealer", "store"]] = {
    "dealer_owner": "dealer",
    "dealer_staff": "dealer",
    "store_owner": "store",
    "store_clerk": "store",
}
# Who is paid for a partner (rebates go to a person's wallet): its owner.
OWNER_KIND: Mapping[str, str] = {"dealer": "dealer_owner", "store": "store_owner"}
RoleStatus = Literal["pending", "active", "rejected", "disabled"]
ROLE_STATUSES: tuple[RoleStatus, ...] = ("pending", "active", "rejected", "disabled")
ROLE_STATUS_NAMES: Mapping[str, str] = {
    "pending": "待审核", "active": "启用", "rejected": "已驳回", "disabled": "已停用",
}  # fmt: skip
# What a role may do, by permission name. Every use case a permission opens to channel accounts
# narrows them to their own partners (Actor.parties): logistics takes goods in, ships and returns
# only as the account's own dealer or store.
CHANNEL_SELF = "channel:read"  # held by channel accounts only (no staff role has it)
STORE_SCAN = "store_scan:write"  # a store's people register and open goods by scanning them
ROLE_PERMISSIONS: Mapping[str, frozenset[str]] = {
    kind: frozenset({CHANNEL_SELF, "logistics:write", *([STORE_SCAN] if ROLE_PARTNER[kind] == "store" else [])})
    for kind in ROLE_KINDS
}
CHANNEL_SESSION_DAYS = 30  # a phone stays signed in for a month, like the apps partners use
CHANNEL_TOKEN_PREFIX = "yc_"  # noqa: S105 (a prefix, no secret): tells a channel session token from an OAuth access token


def role_partner(kind: str, dealer_id: int | None, store_id: int | None) -> tuple[str, int] | None:
    """The (partner kind, id) a role of ``kind`` acts for; None when the ids do not fit the kind."""
    partner = ROLE_PARTNER.get(kind)
    if partner == "dealer" and dealer_id and store_id is None:
        return ("dealer", dealer_id)
    if partner == "store" and store_id and dealer_id is None:
        return ("store", store_id)
    return None
