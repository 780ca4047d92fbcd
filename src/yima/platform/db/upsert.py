"""INSERT … ON CONFLICT on the backend in use (PostgreSQL and SQLite both speak it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_on_conflict(session: AsyncSession, target: Any) -> Any:
    """An ``insert(target)`` with ``on_conflict_do_nothing``/``on_conflict_do_update`` for the
    session's backend; ``target`` is a model or a table."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return postgresql.insert(target) if dialect == "postgresql" else sqlite.insert(target)
