"""Helpers the benchmarks share: a fresh PostgreSQL database and the brand to measure with."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url


def admin_url() -> str:
    url = os.environ.get("YIMA_TEST_DATABASE_URL") or os.environ.get("YIMA_BENCH_DATABASE_URL")
    if not url:
        raise SystemExit(
            "benchmarks need PostgreSQL: run them as\n"
            "  .venv/bin/python tools/pgtest.py -- .venv/bin/python bench/<name>.py"
        )
    return url


async def fresh_database(label: str) -> str:
    """Create an empty database next to the one in the environment; return its URL."""
    url = make_url(admin_url())
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database=url.database
    )
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def server_facts(url: str) -> tuple[str, int | None]:
    """The server's version, and its postmaster's pid when it runs on this machine and its data
    directory is readable (else None: no PostgreSQL CPU figure)."""
    connection = await connect(url)
    try:
        version = str(await connection.fetchval("SHOW server_version"))
        data_directory = await connection.fetchval("SHOW data_directory")
    finally:
        await connection.close()
    try:
        return version, int(Path(data_directory, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return version, None


async def connect(url: str) -> asyncpg.Connection:
    parsed = make_url(url)
    return await asyncpg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password, database=parsed.database
    )
