"""INSERT … ON CONFLICT on the backend in use (PostgreSQL and SQLite both speak it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

from yima.platform.db.tenancy import prebuilt

S = TypeVar("S", bound=Executable)


def _backend(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def _insert_of(backend: str) -> Callable[[Any], Any]:
    return postgresql.insert if backend == "postgresql" else sqlite.insert


def insert_on_conflict(session: AsyncSession, target: Any) -> Any:
    """An ``insert(target)`` with ``on_conflict_do_nothing``/``on_conflict_do_update`` for the
    session's backend; ``target`` is a model or a table."""
    return _insert_of(_backend(session))(target)


def prebuilt_upsert(build: Callable[[Callable[[Any], Any]], S]) -> Callable[[AsyncSession], S]:
    """An INSERT … ON CONFLICT built once per backend — ``build(insert)``, where ``insert`` is the
    backend's — and marked ``prebuilt`` (platform/db/tenancy.py): run it with its rows as
    parameters, each with its ``tenant_id``. Returns the statement for a session's backend."""
    built: dict[str, S] = {}

    def of(session: AsyncSession) -> S:
        backend = _backend(session)
        if backend not in built:
            built[backend] = prebuilt(build(_insert_of(backend)))
        return built[backend]

    return of


def table_of(model: type[Any]) -> Table:
    """The model's table. An INSERT of many rows on the table runs as plain executemany; on the
    model it takes the ORM's bulk path (a third more CPU on the scan's counters and entries)."""
    return cast(Table, model.__table__)
