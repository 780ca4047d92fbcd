"""INSERT … ON CONFLICT on the backend in use (PostgreSQL and SQLite both speak it)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_on_conflict(session: AsyncSession, target: Any) -> Any:
    """An ``insert(target)`` with ``on_conflict_do_nothing``/``on_conflict_do_update`` for the
    session's backend; ``target`` is a model or a table."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return postgresql.insert(target) if dialect == "postgresql" else sqlite.insert(target)


def table_of(model: type[Any]) -> Table:
    """The model's table. An INSERT of many rows on the table runs as plain executemany; on the
    model it takes the ORM's bulk path (a third more CPU on the scan's counters and entries)."""
    return cast(Table, model.__table__)
