"""Outbox deliveries and background jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base, IdMixin, TenantScoped, tenant_table_args, utcnow


class OutboxMessage(IdMixin, Base):
    """One event for one handler. Written in the transaction that caused it, so a crash loses
    neither; the runner delivers it later, retrying with backoff. Not TenantScoped: the runner
    reads across tenants, and a handler's own session is bound to ``tenant_id``."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "processed_at", "available_at"),)

    tenant_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    topic: Mapped[str] = mapped_column(String(120))
    handler: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    available_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[dt.datetime | None]
    dead: Mapped[bool] = mapped_column(default=False)


class Job(IdMixin, TenantScoped, Base):
    """A long piece of work (generate a batch, import a file) with visible progress."""

    __tablename__ = "jobs"
    __table_args__ = tenant_table_args(
        Index("ix_jobs_tenant_created", "tenant_id", "created_at"),
        Index("ix_jobs_state_due", "state", "available_at"),
    )

    name: Mapped[str] = mapped_column(String(120))
    params: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(20), default="queued")
    done: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int | None] = mapped_column(BigInteger)
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    available_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
