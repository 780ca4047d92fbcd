"""The members' request and response shapes. Phone numbers leave this context masked
(``138****1234``) except in one person's detail, for staff who may read members."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from yima.members import rules
from yima.platform.types import RequestBody

PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"


def _number_as_text(value: object) -> object:
    # A JSON number 13800000000 means the text "13800000000".
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


# Any plain text: whether it is a mobile number (full-width digits included) is the rules' call,
# so every wrong one gets the one answer a page can act on, 422 ``invalid_phone``.
PhoneText = Annotated[
    str,
    BeforeValidator(_number_as_text),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=24, pattern=PLAIN_TEXT),
    Field(description="A mainland China mobile number: 13800138000, +86 138 0013 8000 …"),
]
Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=rules.CODE_PATTERN)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=PLAIN_TEXT)]
Level = Annotated[int, Field(ge=0, le=99, description="Member level (会员等级): 0 for VIP0 …")]
BrandSlug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=PLAIN_TEXT)]


# Persons ------------------------------------------------------------------------------------------


class IdentityRead(BaseModel):
    kind: rules.IdentityKind
    value: str = Field(description="phone: +86…; visitor: the first 8 characters of the id")
    verified_at: dt.datetime | None
    created_at: dt.datetime


class PersonSummary(BaseModel):
    """A person in a list: the phone masked."""

    id: int
    level: int
    tags: list[str]
    phone: str | None = Field(description="masked: 138****1234")
    identity_kinds: list[rules.IdentityKind]
    first_seen_at: dt.datetime
    merged_into_id: int | None


class PersonRead(PersonSummary):
    """One person with every identity (for staff holding members:read: the phone in full)."""

    identities: list[IdentityRead]
    merged_at: dt.datetime | None
    is_new: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class PersonFilter(BaseModel):
    phone: PhoneText | None = Field(default=None, description="exactly this number")
    tag: Tag | None = None
    level: Level | None = None
    merged: bool = Field(default=False, description="list merged persons (kept for their ids) instead")


class PersonUpdate(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"level": 1, "tags": ["高净值", "宴席客户"]}]})

    level: Level | None = None
    tags: list[Tag] | None = Field(default=None, max_length=50, description="the person's tags become exactly these")


class MemberProfile(BaseModel):
    """What campaigns target on (人和): the person behind any merged id, their level and tags,
    whether they are new today and whether they verified a phone."""

    person_id: int
    level: int
    tags: list[str]
    first_seen_at: dt.datetime
    is_new: bool = Field(description="first seen on the brand's current local day (新客)")
    verified: bool = Field(description="holds a verified phone (会员 rather than anonymous visitor)")
    phone: str | None = Field(description="masked")


# Visitors and one-time codes (the public, phone-side routes) --------------------------------------


class VisitorStart(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"brand": "demo"}]})

    brand: BrandSlug = Field(description="the brand's slug")


class VisitorToken(BaseModel):
    visitor_id: str = Field(description="who the token says you are (not a secret: the token is)")
    visitor_token: str = Field(description="send it back as the X-Yima-Visitor header (also set as a cookie)")
    expires_in: int = Field(description="seconds")


class CodeRequest(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"phone": "13800138000"}]})

    phone: PhoneText


class CodeSent(BaseModel):
    phone: str = Field(description="masked: where the code went")
    expires_in: int = Field(description="seconds the code stays good")
    resend_after: int = Field(description="seconds before another code may be asked for")


class CodeCheck(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"phone": "13800138000", "code": "123456"}]})

    phone: PhoneText
    code: Code = Field(description="the 6 digits of the SMS")


class SmsRead(BaseModel):
    """One code handed to the SMS provider (never the code itself)."""

    id: int
    phone: str = Field(description="masked")
    purpose: str
    provider: str
    status: str
    provider_ref: str | None
    error_code: str | None
    created_at: dt.datetime


class SmsFilter(BaseModel):
    phone: PhoneText | None = Field(default=None, description="exactly this number")
    status: str | None = Field(default=None, pattern=r"^(sending|sent|failed)$")
