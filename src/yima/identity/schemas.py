"""Identity's request and response shapes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from yima.platform.types import Moment, RefId, RequestBody

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")]
Login = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9][a-z0-9._@-]{2,79}$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
RoleCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,59}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
ScopeName = Annotated[str, StringConstraints(pattern=r"^[a-z_]+:(read|write|manage)$")]


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TenantCreate(BaseModel):
    slug: Slug
    name: Name
    time_zone: str = "Asia/Shanghai"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class TenantRead(ReadModel):
    id: int
    slug: str
    name: str
    time_zone: str
    status: str


class StaffCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "login": "zhang.wei",
                    "display_name": "张伟",
                    "password": "a-long-passphrase",
                    "roles": ["operator"],
                    "region_codes": [],
                }
            ]
        }
    )

    login: Login
    display_name: Name
    password: Password
    roles: list[RoleCode] = Field(min_length=1)
    region_codes: list[RegionCode] = Field(default_factory=list)


class StaffUpdate(RequestBody):
    display_name: Name | None = None
    password: Password | None = None
    roles: list[RoleCode] | None = Field(default=None, min_length=1)
    region_codes: list[RegionCode] | None = None
    is_active: bool | None = None


class PasswordChange(RequestBody):
    """A staff member's own new password, given with the current one."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"current_password": "the-old-one", "new_password": "a-long-passphrase"}]}
    )

    current_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    new_password: Password


class PasswordReset(BaseModel):
    """A password the platform sets for a login (``yima user password``)."""

    login: Login
    password: Password


class StaffRead(BaseModel):
    id: int
    user_id: int
    login: str
    display_name: str
    roles: list[str]
    region_codes: list[str]
    is_active: bool
    locked: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None


class StaffFilter(BaseModel):
    q: str | None = Field(default=None, max_length=80, description="Part of the login or name")
    role: RoleCode | None = None
    active: bool | None = None


class RoleCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "viewer", "name": "只读查看", "permissions": ["staff:read"]}]}
    )

    code: RoleCode
    name: Name
    permissions: list[ScopeName] = Field(min_length=1)


class RoleUpdate(RequestBody):
    name: Name | None = None
    permissions: list[ScopeName] | None = Field(default=None, min_length=1)


class RoleRead(BaseModel):
    id: int
    code: str
    name: str
    builtin: bool
    permissions: list[str]


class PermissionRead(BaseModel):
    name: str
    area: str
    label_zh: str
    label_en: str


class ClientCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "ERP 对接", "scopes": ["staff:read", "audit:read"]}]}
    )

    name: Name
    scopes: list[ScopeName] = Field(min_length=1)


class ClientUpdate(RequestBody):
    name: Name | None = None
    scopes: list[ScopeName] | None = Field(default=None, min_length=1)
    is_active: bool | None = None


class ClientRead(ReadModel):
    id: int
    client_id: str
    name: str
    scopes: list[str]
    is_active: bool
    created_by: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class ClientCreated(ClientRead):
    client_secret: str = Field(description="Shown once; only a digest is stored.")


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_in: int
    scope: str


class AuditRead(ReadModel):
    id: int
    at: dt.datetime
    actor_kind: str
    actor_name: str
    action: str
    target_type: str
    target_id: str
    changes: dict[str, object]
    ip: str | None
    request_id: str | None


class AuditFilter(BaseModel):
    action: str | None = Field(default=None, max_length=80)
    target_type: str | None = Field(default=None, max_length=60)
    actor: str | None = Field(default=None, max_length=200)
    since: Moment | None = None
    until: Moment | None = None


class MeRead(BaseModel):
    kind: str
    name: str
    tenant: TenantRead
    permissions: list[str]
    region_codes: list[str] | None
    tenants: list[TenantRead] = []
    csrf_token: str | None = Field(
        default=None,
        description="Signed in with the console's session cookie: the token to send in X-CSRF-Token "
        "on a request that changes something. None for an access token.",
    )


class JobRead(ReadModel):
    id: int
    name: str
    state: str
    done: int
    total: int | None
    result: dict[str, object] | None
    error: str | None
    created_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class LocalText(BaseModel):
    """A text in both console languages."""

    zh: str = Field(max_length=500)
    en: str = Field(max_length=500)

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.zh


class Recipient(BaseModel):
    """A staff member who may be messaged: their user id and the regions they cover (empty: the
    whole brand)."""

    user_id: int
    region_codes: list[str]


class NotificationRead(ReadModel):
    id: int
    kind: str
    ref: str
    title: LocalText
    body: LocalText
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationsRead(RequestBody):
    """Mark notifications read: these ids, or all of the caller's when ``ids`` is omitted."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"ids": [1, 2]}, {}]})
    ids: list[RefId] | None = Field(default=None, max_length=1000)
