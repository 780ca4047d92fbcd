"""Tenants, staff, roles, console sessions, API clients and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import (
    Base,
    IdMixin,
    TenantScoped,
    tenant_fk,
    tenant_table_args,
    utcnow,
)

BigIntFK = BigInteger().with_variant(Integer(), "sqlite")


class Tenant(IdMixin, Base):
    """A brand. Global (it is the thing others are scoped to)."""

    __tablename__ = "tenants"

    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(60), default="Asia/Shanghai")
    status: Mapped[str] = mapped_column(String(20), default="active")
    # The brand's root key, wrapped under the master secret (platform.crypto).
    wrapped_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class User(IdMixin, Base):
    """A person who logs into the console. Global: one login can serve several brands."""

    __tablename__ = "users"

    login: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Role(IdMixin, TenantScoped, Base):
    """A named set of permissions. Built-in roles take their permissions from the code, so a
    release that adds a permission updates them; custom roles store their own list."""

    __tablename__ = "roles"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "code"))

    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    builtin: Mapped[bool] = mapped_column(default=False)
    permissions: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StaffMember(IdMixin, TenantScoped, Base):
    """A user's membership of one brand."""

    __tablename__ = "staff_members"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "user_id"), Index("ix_staff_members_user", "user_id")
    )

    user_id: Mapped[int] = mapped_column(BigIntFK, ForeignKey("users.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    # GB/T 2260 codes a regional manager is limited to; empty means the whole brand.
    region_codes: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StaffRole(IdMixin, TenantScoped, Base):
    __tablename__ = "staff_roles"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "staff_id", "role_id"),
        tenant_fk(["staff_id"], "staff_members", ondelete="CASCADE"),
        tenant_fk(["role_id"], "roles", ondelete="CASCADE"),
    )

    staff_id: Mapped[int] = mapped_column(BigIntFK)
    role_id: Mapped[int] = mapped_column(BigIntFK)


class ConsoleSession(IdMixin, Base):
    """A logged-in browser. Global: the brand switch moves it between the user's brands."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(BigIntFK, ForeignKey("users.id", ondelete="CASCADE"))
    tenant_id: Mapped[int | None] = mapped_column(BigIntFK, ForeignKey("tenants.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(10), default="zh")
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class ApiClient(IdMixin, TenantScoped, Base):
    """An integrator's OAuth 2.0 client (client credentials grant)."""

    __tablename__ = "api_clients"
    __table_args__ = tenant_table_args()

    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]


class AuditEntry(IdMixin, TenantScoped, Base):
    """Who changed what configuration (or moved money), when, from where. Append-only."""

    __tablename__ = "audit_log"
    __table_args__ = tenant_table_args(Index("ix_audit_log_tenant_at", "tenant_id", "at"))

    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(BigIntFK)
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str] = mapped_column(String(60))
    target_id: Mapped[str] = mapped_column(String(80))
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))


class Notification(IdMixin, TenantScoped, Base):
    """A message in a staff member's inbox (站内消息): alerts other contexts raise for the people
    who must act (a diversion for the region's manager). One per (person, kind, reference), so a
    re-delivered event does not message twice. Title and body carry both console languages."""

    __tablename__ = "notifications"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "user_id", "kind", "ref"),
        Index("ix_notifications_tenant_user_id", "tenant_id", "user_id", "id"),
    )

    user_id: Mapped[int] = mapped_column(BigIntFK, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    ref: Mapped[str] = mapped_column(String(80))
    title: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]
