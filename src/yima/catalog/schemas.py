"""The catalog's request and response shapes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from yima.catalog import rules
from yima.platform.sheets import RowProblem as RowProblem  # re-exported
from yima.platform.types import MAX_ID, RequestBody


def _number_as_text(value: object) -> object:
    # JSON numbers and spreadsheet cells: 6901234567892 means the text "6901234567892".
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _optional_text(value: object) -> object:
    value = _number_as_text(value)
    return None if isinstance(value, str) and not value.strip() else value


def _gtin(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return rules.normalise_gtin(value)
    except rules.GtinError as exc:
        raise PydanticCustomError(exc.code, exc.message) from exc


def _faces(level: rules.Level) -> AfterValidator:
    def check(faces: list[str]) -> list[str]:
        problem = rules.faces_problem(level, faces)
        if problem:
            raise PydanticCustomError(*problem)
        return rules.ordered_faces(faces)

    return AfterValidator(check)


Sku = Annotated[
    str,
    BeforeValidator(_number_as_text),
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"),
]
Gtin = Annotated[
    str | None,
    BeforeValidator(_optional_text),
    AfterValidator(_gtin),
    Field(description="GTIN-8, -12, -13 or -14 with a valid check digit; stored as 14 digits"),
]
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"  # one line, no control characters


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=PLAIN_TEXT)


ProductName = Annotated[str, _text(1, 200)]
SpecName = Annotated[str, _text(1, 120)]
SpecCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
Specification = Annotated[str, _text(0, 200)]
Category = Annotated[str, _text(0, 60)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://[^\s/]+\S*$")]
ImageUrl = Annotated[Url | None, BeforeValidator(_optional_text)]
SpecId = Annotated[int, Field(ge=1, le=MAX_ID)]
Face = Literal["outer", "inner"]
BottleFaces = Annotated[list[Face], _faces("bottle")]
CaseFaces = Annotated[list[Face], _faces("case")]
PalletFaces = Annotated[list[Face], _faces("pallet")]
Status = Literal["active", "discontinued"]


def _default_faces(level: rules.Level) -> list[Face]:
    return [f for f in ("outer", "inner") if f in rules.DEFAULT_FACES[level]]


# packaging specs ---------------------------------------------------------------------------


class SpecCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "JX-6x500",
                    "name": "酱香 500ml 六瓶箱",
                    "bottles_per_case": 6,
                    "cases_per_pallet": 40,
                    "bottle_faces": ["outer", "inner"],
                    "case_faces": ["outer", "inner"],
                    "pallet_faces": ["outer"],
                }
            ]
        }
    )

    code: SpecCode
    name: SpecName
    bottles_per_case: int = Field(ge=1, le=10_000)
    cases_per_pallet: int = Field(ge=1, le=10_000)
    bottle_faces: BottleFaces = Field(default_factory=lambda: _default_faces("bottle"))
    case_faces: CaseFaces = Field(default_factory=lambda: _default_faces("case"))
    pallet_faces: PalletFaces = Field(default_factory=lambda: _default_faces("pallet"))


class SpecUpdate(RequestBody):
    """Every field optional: only those sent change."""

    name: SpecName | None = None
    bottles_per_case: int | None = Field(default=None, ge=1, le=10_000)
    cases_per_pallet: int | None = Field(default=None, ge=1, le=10_000)
    bottle_faces: BottleFaces | None = None
    case_faces: CaseFaces | None = None
    pallet_faces: PalletFaces | None = None
    active: bool | None = None


class SpecRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    bottles_per_case: int
    cases_per_pallet: int
    bottle_faces: list[str]
    case_faces: list[str]
    pallet_faces: list[str]
    active: bool
    product_count: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime


class SpecFilter(BaseModel):
    q: str | None = Field(default=None, max_length=80, description="Part of the code or name")
    active: bool | None = None


# products ----------------------------------------------------------------------------------


class ProductCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sku": "CSH-JZ-500",
                    "name": "赤水河 · 金樽 53%vol 500ml",
                    "gtin": "6975123001026",
                    "specification": "500ml · 53%vol · 酱香型",
                    "category": "次高端酱酒",
                    "image_url": None,
                    "packaging_spec_id": None,
                }
            ]
        }
    )

    sku: Sku
    name: ProductName
    gtin: Gtin = None
    specification: Specification = ""
    category: Category = ""
    image_url: ImageUrl = None
    packaging_spec_id: SpecId | None = None


class ProductUpdate(RequestBody):
    """Every field optional: only those sent change. ``gtin``, ``image_url`` and
    ``packaging_spec_id`` sent as null are cleared."""

    sku: Sku | None = None
    name: ProductName | None = None
    gtin: Gtin = None
    specification: Specification | None = None
    category: Category | None = None
    image_url: ImageUrl = None
    packaging_spec_id: SpecId | None = None
    status: Status | None = None


class ProductRead(BaseModel):
    id: int
    sku: str
    name: str
    gtin: str | None
    specification: str
    category: str
    image_url: str | None = Field(description="An external image URL, when one was given")
    image_uploaded: bool = Field(description="An image file was uploaded (GET …/image serves it)")
    packaging_spec_id: int | None
    packaging_spec_code: str | None
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductFilter(BaseModel):
    q: str | None = Field(default=None, max_length=80, description="Part of the SKU, name or GTIN")
    status: Status | None = None
    spec_id: SpecId | None = Field(default=None, description="Packaging spec id")
    category: str | None = Field(default=None, max_length=60)


# Excel import ------------------------------------------------------------------------------


class ImportRow(BaseModel):
    """One row of the products spreadsheet (``packaging_spec_code`` names a spec by its code)."""

    sku: Sku
    name: ProductName
    gtin: Gtin = None
    specification: Specification = ""
    category: Category = ""
    packaging_spec_code: Annotated[SpecCode | None, BeforeValidator(_optional_text)] = None


class ImportResult(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int
