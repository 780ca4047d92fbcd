"""Pure rules of the partners: region-code containment for territories and regional scoping,
where a place is (which of a given code, an address and a point decides), change sets, and the
spreadsheets' columns.

GB/T 2260 codes are PPCCDD: a province ``510000`` contains every code starting ``51``, a city
``510100`` every code starting ``5101``, a district only itself. A territory is a set of codes
at any level (geo's ``in_territory``): a region is in it when it, its city or its province is
listed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
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
MAX_TAGS = 20  # a store's tags (标签: 宴席店, 核心店, 社区店 …)


def unique_tags(tags: Iterable[str]) -> list[str]:
    """The tags once each, in the order first given."""
    return list(dict.fromkeys(tags))


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


def split_cell(text: str) -> list[str]:
    """The items of one spreadsheet cell (region codes or names, a store's tags): separated by
    commas, 、, semicolons, slashes or line breaks (full-width too). Spaces inside an item are
    kept ("四川省 成都市")."""
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
SheetKind = Literal["dealers", "stores", "warehouses", "accounts"]
SHEET_KINDS: tuple[SheetKind, ...] = ("dealers", "stores", "warehouses", "accounts")

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
    SheetColumn("tags", "标签 tags", ("标签", "门店标签", "tags"), width=24),
    SheetColumn(
        "salesman_phone", "业务员手机 salesman phone", ("业务员手机", "业务员电话", "业务员", "salesmanphone"), width=16
    ),
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
# Channel accounts (渠道账号): a role by phone and kind, tied by a dealer's or store's code or,
# for an area guide, a region.
ACCOUNT_COLUMNS = (
    SheetColumn("phone", "手机号 phone", ("手机号", "手机", "电话", "phone", "mobile"), required=True, width=16),
    SheetColumn("name", "姓名 name", ("姓名", "名字", "name"), width=12),
    SheetColumn("kind", "身份 kind", ("身份", "角色", "类型", "kind", "role"), required=True, width=14),
    SheetColumn("dealer_code", "经销商编码 dealer", ("经销商编码", "经销商", "dealer", "dealercode")),
    SheetColumn("store_code", "门店编码 store", ("门店编码", "门店", "store", "storecode")),
    SheetColumn("region", "导购区域 region", ("导购区域", "区域", "region", "regioncode"), width=16),
)
IMPORT_COLUMNS: Mapping[SheetKind, tuple[SheetColumn, ...]] = {
    "dealers": DEALER_COLUMNS,
    "stores": STORE_COLUMNS,
    "warehouses": WAREHOUSE_COLUMNS,
    "accounts": ACCOUNT_COLUMNS,
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
    "accounts": (
        *ACCOUNT_COLUMNS,
        SheetColumn("partner_name", "经销商 / 门店 / 区域名称 partner", width=30),
        SheetColumn("status", "状态 status", width=10),
        SheetColumn("updated_at", "更新时间 updated", width=18),
    ),
}


# Channel accounts (渠道账号) ---------------------------------------------------------------------

RoleKind = Literal["dealer_owner", "dealer_staff", "store_owner", "store_clerk", "salesman", "guide"]
ROLE_KINDS: tuple[RoleKind, ...] = ("dealer_owner", "dealer_staff", "store_owner", "store_clerk", "salesman", "guide")
ROLE_NAMES: Mapping[str, str] = {
    "dealer_owner": "经销商负责人",
    "dealer_staff": "经销商员工",
    "store_owner": "店主",
    "store_clerk": "店员",
    "salesman": "业务员",
    "guide": "导购",
}
# What each kind is tied to, by the id it sets: dealer roles a dealer, store roles a store; a
# salesman (业务员) a dealer or the brand itself (no id), a guide (导购) a store or the guide group
# of an area (区域导购群: a district, region_code).
RoleTie = Literal["dealer", "store", "brand", "region"]
ROLE_TIES: Mapping[str, tuple[RoleTie, ...]] = {
    "dealer_owner": ("dealer",),
    "dealer_staff": ("dealer",),
    "store_owner": ("store",),
    "store_clerk": ("store",),
    "salesman": ("dealer", "brand"),
    "guide": ("store", "region"),
}
TIE_FIELDS: Mapping[str, str] = {"dealer": "dealer_id", "store": "store_id", "region": "region_code"}
TIE_COLUMNS: Mapping[str, str] = {"dealer": "dealer_code", "store": "store_code", "region": "region"}  # the sheet's
# Who is paid for a partner (rebates go to a person's wallet): its owner.
OWNER_KIND: Mapping[str, str] = {"dealer": "dealer_owner", "store": "store_owner"}
RoleStatus = Literal["pending", "active", "rejected", "disabled"]
ROLE_STATUSES: tuple[RoleStatus, ...] = ("pending", "active", "rejected", "disabled")
ROLE_STATUS_NAMES: Mapping[str, str] = {
    "pending": "待审核", "active": "启用", "rejected": "已驳回", "disabled": "已停用",
}  # fmt: skip
# What a role may do, by permission name. Every use case a permission opens to channel accounts
# narrows them to their own partners (Actor.parties): logistics takes goods in, ships and returns
# only as the account's own dealer or store. Salesmen and guides move no goods: no logistics.
CHANNEL_SELF = "channel:read"  # held by channel accounts only (no staff role has it)
STORE_SCAN = "store_scan:write"  # a store's people register and open goods by scanning them
GUIDE_SCAN = "guide_scan:write"  # a guide registers the bottles they sell by scanning cap outer codes
LOGISTICS = "logistics:write"  # taking goods in, shipping and returning them (trace's logistics pages)
ROLE_PERMISSIONS: Mapping[str, frozenset[str]] = {
    "dealer_owner": frozenset({CHANNEL_SELF, LOGISTICS}),
    "dealer_staff": frozenset({CHANNEL_SELF, LOGISTICS}),
    "store_owner": frozenset({CHANNEL_SELF, LOGISTICS, STORE_SCAN}),
    "store_clerk": frozenset({CHANNEL_SELF, LOGISTICS, STORE_SCAN}),
    "salesman": frozenset({CHANNEL_SELF}),
    "guide": frozenset({CHANNEL_SELF, GUIDE_SCAN}),
}
CHANNEL_SESSION_DAYS = 30  # a phone stays signed in for a month, like the apps partners use
CHANNEL_TOKEN_PREFIX = "yc_"  # noqa: S105 (a prefix, no secret): tells a channel session token from an OAuth access token


def tie_problem(kind: str, given: Sequence[str], names: Mapping[str, str] = TIE_FIELDS) -> tuple[str, str] | None:
    """(field, why) when the partner fields ``given`` (those of ``names`` that are set: the API's
    ids, or a sheet's columns) do not fit a role of ``kind``; None when they do."""
    fields = [names[t] for t in ROLE_TIES[kind] if t in names]
    wanted = " or ".join(fields) + (" or none (the brand's own)" if "brand" in ROLE_TIES[kind] else "")
    wrong = [f for f in given if f not in fields]
    if wrong:
        return wrong[0], f"a {kind} role has no {wrong[0]}; give {wanted}"
    if len(given) > 1:
        return given[1], f"a {kind} role has {wanted}, not both"
    if not given and "brand" not in ROLE_TIES[kind]:
        return fields[0], f"a {kind} role needs {wanted}"
    return None


def may_look_after(salesman_dealer_id: int | None, store_dealer_id: int | None) -> bool:
    """A brand's salesman may look after any store; a dealer's salesman that dealer's stores only."""
    return salesman_dealer_id is None or salesman_dealer_id == store_dealer_id


def role_party(kind: str, role_id: int, dealer_id: int | None, store_id: int | None) -> tuple[str, int] | None:
    """What a role acts for (``Actor.parties``): a dealer's or store's people their dealer or store;
    a salesman or a guide only themselves, (kind, role id), never their dealer or store, so they
    neither move its goods nor open its cases nor see its rebates. None for ids that fit no kind."""
    if kind in ("salesman", "guide"):
        return (kind, role_id)
    tie = ROLE_TIES.get(kind, ())
    if "dealer" in tie and dealer_id and store_id is None:
        return ("dealer", dealer_id)
    if "store" in tie and store_id and dealer_id is None:
        return ("store", store_id)
    return None


# Registration by the people themselves (门店首次扫码注册, 经销商员工扫码邀请) ------------------------

# A store's people register by their first scan: a new store's owner, or a clerk (or a guide) of
# a store that exists. Dealer staff come through their owner's invite only.
REGISTER_KINDS: tuple[RoleKind, ...] = tuple(k for k in ("store_owner", "store_clerk", "guide") if k in ROLE_KINDS)
REGISTRATION_SECONDS = 3600  # the steps of one registration (consent → location → phone → store)
INVITE_HOURS = 24  # how long a dealer's staff invitation QR code works
REVIEW_NOTE_MAX = 200


def seal(key: bytes, tenant_id: int, claims: Mapping[str, object]) -> str:
    """``<brand>.<claims>.<mac>``: claims (JSON, base64url) a phone carries between requests and
    cannot change; the brand is readable first, to pick the key that checks the rest."""
    body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{tenant_id}.{body}.{_mac(key, tenant_id, body)}"


def sealed_brand(token: str) -> int | None:
    """The brand a sealed token names (not yet checked), or None when it is no sealed token."""
    head, _, rest = token.partition(".")
    return int(head) if head.isdigit() and len(head) < 19 and rest.count(".") == 1 else None


def unseal(key: bytes, token: str) -> dict[str, object] | None:
    """The claims of a token sealed with ``key``, or None when it was not (forged, changed)."""
    head, body, mac = [*token.split("."), "", ""][:3]
    if not head.isdigit() or not hmac.compare_digest(_mac(key, int(head), body), mac):
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def _mac(key: bytes, tenant_id: int, body: str) -> str:
    return hmac.new(key, f"{tenant_id}.{body}".encode(), hashlib.sha256).hexdigest()[:32]
