"""The spreadsheets' rows as the imports read them (platform.sheets validates each row with its
model, so a bad cell is reported by row and column)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator

from yima.partners import rules
from yima.partners.schemas import (
    AccountPhone,
    Address,
    Category,
    Code,
    Grade,
    Kind,
    Lat,
    Lon,
    Name,
    PersonName,
    Phone,
    Tags,
    named,
    optional_text,
    text,
)

Cell = Annotated[Annotated[str, text(1, 2000)] | None, BeforeValidator(optional_text)]
OptionalCode = Annotated[Code | None, BeforeValidator(optional_text)]


class DealerRow(BaseModel):
    """One row of the dealers sheet: ``region`` and ``territory`` name regions by code or name."""

    code: Code
    name: Name
    contact_name: PersonName = ""
    phone: Phone = ""
    address: Address = ""
    region: Cell = None
    territory: Cell = None


class StoreRow(BaseModel):
    code: Code
    name: Name
    dealer_code: OptionalCode = None
    owner_name: PersonName = ""
    owner_phone: Phone = ""
    address: Address = ""
    region: Cell = None
    lat: Lat | None = None
    lon: Lon | None = None
    category: Category = None
    grade: Grade = None
    tags: Tags = []
    salesman_phone: Annotated[Phone | None, BeforeValidator(optional_text)] = None


class WarehouseRow(BaseModel):
    code: Code
    name: Name
    kind: Kind = "central"
    address: Address = ""
    region: Cell = None
    lat: Lat | None = None
    lon: Lon | None = None


class AccountRow(BaseModel):
    """A row of the channel accounts sheet: phone, kind, and a dealer's or store's code or a region."""

    phone: AccountPhone
    name: PersonName = ""
    kind: Annotated[rules.RoleKind, named({name: kind for kind, name in rules.ROLE_NAMES.items()})]
    dealer_code: OptionalCode = None
    store_code: OptionalCode = None
    region: Cell = None
