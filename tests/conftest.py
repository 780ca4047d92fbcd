"""Test harness: a real database (SQLite by default, PostgreSQL when YIMA_TEST_DATABASE_URL is
set), migrated once per run; each test inside a transaction rolled back at the end, with the
code under test committing to savepoints (DESIGN.md §9)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

_WORK = Path(tempfile.mkdtemp(prefix="yima-test-"))
# Settings are read once per process: fix them before yima is imported.
os.environ.setdefault("YIMA_DATA_DIR", str(_WORK / "data"))
os.environ.setdefault("YIMA_SECRET_KEY", "test-master-secret-" + "x" * 32)
os.environ.setdefault("YIMA_LOG_JSON", "false")
os.environ["YIMA_RUN_WORKER_INLINE"] = "false"

from tests.browser import launch  # noqa: E402
from tests.live import LiveServer, live_server  # noqa: E402
from yima import contexts  # noqa: E402
from yima.identity import service as identity  # noqa: E402
from yima.main import create_app  # noqa: E402
from yima.platform import caches  # noqa: E402
from yima.platform.db import migrations  # noqa: E402
from yima.platform.db.session import Database  # noqa: E402
from yima.platform.outbox.runner import Runner  # noqa: E402

contexts.load()


async def _create_postgres_database(admin_url: str, name: str) -> str:
    import asyncpg

    url = make_url(admin_url)
    connection = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database=url.database
    )
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.set(database=name).render_as_string(hide_password=False)


def new_database_url(label: str) -> str:
    """A fresh, empty database on the backend under test (for servers started by tests)."""
    base = os.environ.get("YIMA_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{_WORK / f'{label}-{uuid.uuid4().hex[:8]}.db'}"
    import asyncio

    return asyncio.run(_create_postgres_database(base, f"yima_{label}_{uuid.uuid4().hex[:8]}"))


@pytest.fixture(scope="session")
def database_url() -> str:
    url = os.environ.get("YIMA_TEST_DATABASE_URL") or f"sqlite:///{_WORK / 'suite.db'}"
    migrations.upgrade(url)
    return url


@pytest.fixture(scope="session")
async def engine_db(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
async def connection(engine_db: Database) -> AsyncIterator[AsyncConnection]:
    async with engine_db.engine.connect() as conn:
        outer = await conn.begin()
        yield conn
        if outer.is_active:
            await outer.rollback()


@pytest.fixture
def db(engine_db: Database, connection: AsyncConnection) -> Iterator[Database]:
    """The Database the code under test uses: its commits land in savepoints of the test's
    transaction, which is rolled back afterwards."""
    caches.clear_all()
    yield engine_db.joined(connection)
    caches.clear_all()


@pytest.fixture
def app(db: Database) -> FastAPI:
    return create_app(database=db, run_worker=False)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def runner(db: Database) -> Runner:
    """Drain the outbox and jobs inline: ``await runner.drain()``."""
    return Runner(db, identity.tenant_info)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server (migrated, with the demo brand) shared by the whole run."""
    with live_server(new_database_url("live"), tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, once per test module (Playwright's sync driver is closed before the
    async tests of the next module run)."""
    yield from launch()
