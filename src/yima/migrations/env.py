"""Alembic environment: async engines, batch mode on SQLite, every context's models loaded."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from yima import contexts
from yima.platform.db.base import Base
from yima.platform.db.session import create_engine
from yima.settings import get_settings

contexts.load()
target_metadata = Base.metadata
config = context.config
url = config.attributes.get("database_url") or get_settings().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run them against a database")
asyncio.run(_run_online())
