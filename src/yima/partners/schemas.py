"""The partners' request and response shapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from yima.geo.schemas import RegionCode
from yima.partners import rules
from yima.platform.sheets import RowProblem as RowProblem  # re-exported: import problems
from yima.platform.types import MAX_ID, RequestBody

PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"  # one line, no control characters


def _number_as_text(value: object) -> object:
    # JSON numbers and spreadsheet cells: 13800000000 means the text "13800000000".
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def optional_text(value: object) -> object:
    value = _number_as_text(value)
    return None if isinstance(value, str) and not value.strip() else value


def text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=PLAIN_TEXT)


def named(names: Mapping[str, str]) -> BeforeValidator:
    """A kind as a spreadsheet may write it: its 中文 name, or its key in any case."""
    return BeforeValidator(lambda v: names.get(v.strip(), v.strip().lower()) if isinstance(v, str) else v)


Code = Annotated[
    str,
    BeforeValidator(_number_as_text),
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"),
    Field(description="Letters, digits, '.', '_' and '-'; up to 40; unique in the brand"),
]
Name = Annotated[str, text(1, 120)]
PersonName = Annotated[str, text(0, 60)]
Phone = Annotated[
    str,
    BeforeValidator(_number_as_text),
    StringConstraints(strip_whitespace=True, max_length=20, pattern=r"^[0-9+\- ()]*$"),
    Field(description="Digits, spaces, +, -, parentheses; e.g. 13800000000 or 028-8888 8888"),
]
Address = Annotated[str, text(0, 200)]
OptionalRegion = Annotated[
    RegionCode | None,
    BeforeValidator(optional_text),
    Field(description="GB/T 2260 code; left out, it is worked out from the address or the point"),
]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Kind = Annotated[rules.WarehouseKind, named(rules.WAREHOUSE_KIND_NAMES)]
Category = Annotated[Annotated[str, text(1, 40)] | None, BeforeValidator(optional_text)]
Grade = Annotated[Annotated[str, text(1, 10)] | None, BeforeValidator(optional_text)]


def _tag_list(value: object) -> object:
    # A spreadsheet cell lists a store's tags in one text ("宴席店、核心店"); repeats count once.
    items = rules.split_cell(value) if isinstance(value, str) else value
    if isinstance(items, list) and all(isinstance(i, str) for i in items):
        return rules.unique_tags(i.strip() for i in items)
    return items


Tags = Annotated[
    list[Annotated[str, text(1, 20)]],
    BeforeValidator(_tag_list),
    Field(max_length=rules.MAX_TAGS, description="标签, e.g. 宴席店, 核心店; each up to 20 characters"),
]
DealerId = Annotated[int, Field(ge=1, le=MAX_ID)]
RoleId = Annotated[int, Field(ge=1, le=MAX_ID)]


class RegionName(BaseModel):
    code: str
    name: str = Field(description="Full name: province, city, district (placeholders left out)")


class _Point(RequestBody):
    """A latitude and a longitude come together or not at all."""

    lat: Lat | None = None
    lon: Lon | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class _PointUpdate(RequestBody):
    lat: Lat | None = None
    lon: Lon | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        sent = self.model_fields_set & {"lat", "lon"}
        if sent and (len(sent) == 1 or (self.lat is None) != (self.lon is None)):
            raise ValueError("change lat and lon together")
        return self


# warehouses --------------------------------------------------------------------------------------


class WarehouseCreate(_Point):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "WH-RH-01",
                    "name": "仁怀中心仓",
                    "kind": "central",
                    "address": "贵州省遵义市仁怀市茅台镇 1 号",
                    "region_code": None,
                    "lat": 27.8636,
                    "lon": 106.3825,
                }
            ]
        }
    )

    code: Code
    name: Name
    kind: Kind = "central"
    address: Address = ""
    region_code: OptionalRegion = None


class WarehouseUpdate(_PointUpdate):
    """Every field optional: only those sent change. ``region_code`` sent as null (or a new
    address or point without it) is worked out again; lat and lon sent as null are cleared."""

    name: Name | None = None
    kind: Kind | None = None
    address: Address | None = None
    region_code: OptionalRegion = None
    active: bool | None = None


class WarehouseRead(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    address: str
    region_code: str | None
    region_name: str | None
    lat: float | None
    lon: float | None
    active: bool
    location_count: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime


class WarehouseFilter(BaseModel):
    q: str | None = Field(default=None, max_length=80, description="Part of the code or name")
    kind: rules.WarehouseKind | None = None
    active: bool | None = None


class LocationCreate(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "A-01-03", "name": "A 区 1 排 3 位"}]})

    code: Code
    name: Name


class LocationUpdate(RequestBody):
    name: Name | None = None
    active: bool | None = None


class LocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    warehouse_id: int
    code: str
    name: str
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


# dealers -----------------------------------------------------------------------------------------

Territory = Annotated[
    list[RegionCode],
    Field(max_length=rules.MAX_TERRITORY, description="GB/T 2260 codes of provinces, cities or districts"),
]


class DealerCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "D-CD-001",
                    "name": "成都蓉城酒业有限公司",
                    "contact_name": "张伟",
                    "phone": "13800000001",
                    "address": "四川省成都市锦江区东大街 100 号",
                    "region_code": None,
                    "territory": ["510100"],
                }
            ]
        }
    )

    code: Code
    name: Name
    contact_name: PersonName = ""
    phone: Phone = ""
    address: Address = ""
    region_code: OptionalRegion = None
    territory: Territory = Field(default_factory=list)


class DealerUpdate(RequestBody):
    """Every field optional: only those sent change (the territory has its own route)."""

    name: Name | None = None
    contact_name: PersonName | None = None
    phone: Phone | None = None
    address: Address | None = None
    region_code: OptionalRegion = None
    active: bool | None = None


class DealerRead(BaseModel):
    id: int
    code: str
    name: str
    contact_name: str
    phone: str
    address: str
    region_code: str | None = Field(description="Where the dealer is seated")
    region_name: str | None
    level: int = Field(description="1: buys from the brand; 2: a sub-distributor of parent_id")
    parent_id: int | None
    active: bool
    territory: list[RegionName] = Field(description="The regions the dealer may sell in (经营区域)")
    store_count: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime


class DealerFilter(BaseModel):
    q: str | None = Field(default=None, max_length=80, description="Part of the code, name, contact or phone")
    active: bool | None = None
    region: RegionCode | None = Field(default=None, description="Seated in, or selling in, this region")


class TerritoryUpdate(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"regions": ["510100", "500000"]}]})

    regions: Territory


class TerritoryRead(BaseModel):
    dealer_id: int
    regions: list[RegionName]


# stores ------------------------------------------------------------------------------------------


class StoreCreate(_Point):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "S-CD-0001",
                    "name": "春熙路名酒行",
                    "dealer_id": None,
                    "owner_name": "李红",
                    "owner_phone": "13900000001",
                    "address": "四川省成都市锦江区春熙路 88 号",
                    "region_code": None,
                    "lat": 30.6570,
                    "lon": 104.0810,
                    "category": "烟酒店",
                    "grade": "A",
                    "tags": ["核心店", "宴席店"],
                }
            ]
        }
    )

    code: Code
    name: Name
    dealer_id: DealerId | None = Field(default=None, description="The dealer supplying the store")
    owner_name: PersonName = ""
    owner_phone: Phone = ""
    address: Address = ""
    region_code: OptionalRegion = None
    category: Category = None
    grade: Grade = None
    tags: Tags = Field(default_factory=list)
    salesman_id: RoleId | None = Field(
        default=None, description="An active salesman of the store's dealer or the brand"
    )


class StoreUpdate(_PointUpdate):
    """Every field optional: only those sent change. ``dealer_id``, ``category``, ``grade`` and
    ``salesman_id`` sent as null are cleared; ``region_code`` as for warehouses."""

    name: Name | None = None
    dealer_id: DealerId | None = None
    owner_name: PersonName | None = None
    owner_phone: Phone | None = None
    address: Address | None = None
    region_code: OptionalRegion = None
    category: Category = None
    grade: Grade = None
    tags: Tags | None = Field(default=None, description="The whole list; [] clears it")
    salesman_id: RoleId | None = None
    active: bool | None = None


class StoreRead(BaseModel):
    id: int
    code: str
    name: str
    dealer_id: int | None
    dealer_code: str | None
    dealer_name: str | None
    owner_name: str
    owner_phone: str
    address: str
    region_code: str | None
    region_name: str | None
    lat: float | None
    lon: float | None
    category: str | None
    grade: str | None
    tags: list[str]
    salesman_id: int | None = Field(description="The salesman's role (业务员)")
    salesman_name: str | None
    salesman_phone: str | None
    active: bool
    in_dealer_territory: bool | None = Field(
        description="The store's region lies in its dealer's territory; null without a dealer or a region"
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class StoreFilter(BaseModel):
    q: str | None = Field(default=None, max_length=80, description="Part of the code, name, owner or address")
    active: bool | None = None
    region: RegionCode | None = Field(default=None, description="In this region (a province covers its cities …)")
    dealer_id: DealerId | None = None
    grade: str | None = Field(default=None, max_length=10)
    salesman_id: RoleId | None = None


# Excel import ------------------------------------------------------------------------------------

ImportMode = Literal["upsert", "create"]


class ImportResult(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int


# channel accounts (渠道账号) ----------------------------------------------------------------------

StoreId = Annotated[int, Field(ge=1, le=MAX_ID)]
AccountPhone = Annotated[str, BeforeValidator(_number_as_text), StringConstraints(strip_whitespace=True, max_length=20)]
BrandSlug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class ChannelRoleCreate(RequestBody):
    """Give the person of a phone (made when the brand has none) a role: at a dealer or store; a
    salesman of a dealer or of the brand (no id); a guide of a store or of an area (region_code)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"phone": "13900000001", "name": "王芳", "kind": "store_owner", "store_id": 1}]}
    )

    phone: AccountPhone
    name: PersonName = ""
    kind: rules.RoleKind
    dealer_id: DealerId | None = Field(default=None, description="dealer_owner, dealer_staff; a dealer's salesman")
    store_id: StoreId | None = Field(default=None, description="store_owner, store_clerk; a store's guide")
    region_code: RegionCode | None = Field(default=None, description="An area guide's district (区域导购群)")

    @model_validator(mode="after")
    def _tie_fits_kind(self) -> Self:
        problem = rules.tie_problem(self.kind, [f for f in rules.TIE_FIELDS.values() if getattr(self, f) is not None])
        if problem:  # raised as the field's own error, so the answer names it
            error = PydanticCustomError("wrong_partner", problem[1])
            detail = InitErrorDetails(type=error, loc=(problem[0],), input=getattr(self, problem[0]))
            raise ValidationError.from_exception_data(type(self).__name__, [detail])
        return self


class ChannelRoleRead(BaseModel):
    id: int
    person_id: int
    phone: str | None = Field(description="Masked for the account itself; in full for staff")
    name: str
    kind: rules.RoleKind
    kind_name: str
    dealer_id: int | None
    store_id: int | None
    region_code: str | None = Field(description="An area guide's district")
    partner_name: str = Field(description="The dealer's, store's or area's name; empty for the brand's salesman")
    status: rules.RoleStatus
    created_at: dt.datetime
    updated_at: dt.datetime


class RegistrationRead(ChannelRoleRead):
    """A role its person asked for (注册审核): what it opens, where and when they asked."""

    new_store: bool = Field(description="The request made its store, which approving opens")
    address: str = Field(description="The store's address")
    region_name: str | None = Field(description="The store's region, or the area guide's")
    located_region_name: str | None = Field(description="Where the phone was when registering")
    consented_at: dt.datetime | None = Field(description="When the privacy terms were accepted")
    review_note: str = Field(description="Why it was rejected")


class RegistrationReject(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "门店地址与定位不符"}]})

    reason: Annotated[str, text(1, rules.REVIEW_NOTE_MAX)] = Field(description="Why; the person is shown it")


class ChannelRoleFilter(BaseModel):
    kind: rules.RoleKind | None = None
    status: rules.RoleStatus | None = None
    dealer_id: DealerId | None = None
    store_id: StoreId | None = None
    region_code: RegionCode | None = None
    phone: AccountPhone | None = Field(default=None, description="exactly this number")


class ChannelLoginCode(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"brand": "demo", "phone": "13900000001"}]})

    brand: BrandSlug = Field(description="The brand's slug, from the login link it gave its partners")
    phone: AccountPhone


class ChannelLogin(ChannelLoginCode):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"brand": "demo", "phone": "13900000001", "code": "123456"}]}
    )

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=8, pattern=r"^\d+$")]


class ChannelMe(BaseModel):
    """The signed-in account: its person and every active role."""

    person_id: int
    phone: str | None = Field(description="Masked")
    roles: list[ChannelRoleRead]


class ChannelSignedIn(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer …'; the phone pages keep it in a cookie")
    csrf_token: str = Field(description="The X-CSRF-Token header's value for a cookie session's writes")
    expires_at: dt.datetime
    me: ChannelMe
