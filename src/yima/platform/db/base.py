"""Declarative base, shared column types and the TenantScoped mixin."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    Select,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON().with_variant(JSONB(), "postgresql")

# SQLite only autoincrements an INTEGER PRIMARY KEY, not a BIGINT one.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 -- SQLAlchemy reads this class attribute
        dt.datetime: UTCDateTime(),
        dict[str, Any]: Json,
        list[str]: Json,
        list[int]: Json,
        list[dict[str, Any]]: Json,
    }


class IdMixin:
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TenantScoped:
    """Mixed into every tenant-owned model.

    The session hooks in ``platform.db.tenancy`` add ``tenant_id = :bound`` to every ORM
    select, update and delete, and refuse to flush a row of another tenant.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(
            BigInteger().with_variant(Integer(), "sqlite"),
            ForeignKey("tenants.id", ondelete="RESTRICT"),
            nullable=False,
            index=False,
        )


def tenant_table_args(*items: Any) -> tuple[Any, ...]:
    """``__table_args__`` of a tenant-owned table: (tenant_id, id) is unique so children can
    reference it with a composite key that the database itself keeps inside one tenant."""
    return (UniqueConstraint("tenant_id", "id"), *items)


def tenant_fk(columns: list[str], parent_table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    """A composite foreign key (tenant_id, *columns) → parent (tenant_id, id)."""
    return ForeignKeyConstraint(
        ["tenant_id", *columns],
        [f"{parent_table}.tenant_id", f"{parent_table}.id"],
        ondelete=ondelete,
    )


def newest_first(query: Select[Any], model: type[IdMixin], limit: int, before_id: int | None) -> Select[Any]:
    """The paging every list shares (platform.web.pagination): newest first, keyset on id."""
    query = query.order_by(model.id.desc()).limit(limit)
    return query.where(model.id < before_id) if before_id else query
