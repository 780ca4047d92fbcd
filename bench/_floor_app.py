"""The reference app bench/floor.py serves: FastAPI with nothing of yima's (no middleware, no
session, no tenancy, no logging), the same two statements as yima's ``POST /bench/minimal``
sent once through asyncpg alone and once through SQLAlchemy's async Core. The database is
``YIMA_FLOOR_DATABASE_URL``; ``floor_scans`` is created by the benchmark."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import asyncpg
from fastapi import FastAPI
from pydantic import BaseModel, StringConstraints
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

POOL = 20  # connections a worker: yima's engine keeps 20 (platform/db/session.py)
TENANT = 1

floor_scans = Table(
    "floor_scans",
    MetaData(),
    Column("id", BigInteger, primary_key=True),
    Column("tenant_id", Integer, nullable=False),
    Column("serial", BigInteger, nullable=False),
    Column("outcome", Text, nullable=False),
)
FIRST = (
    select(floor_scans.c.id)
    .where(floor_scans.c.tenant_id == bindparam("tenant_id"), floor_scans.c.serial == bindparam("serial"))
    .order_by(floor_scans.c.id)
    .limit(1)
)
INSERT = insert(floor_scans).returning(floor_scans.c.id)
FIRST_SQL = "SELECT id FROM floor_scans WHERE tenant_id = $1 AND serial = $2 ORDER BY id LIMIT 1"
INSERT_SQL = "INSERT INTO floor_scans (tenant_id, serial, outcome) VALUES ($1, $2, $3) RETURNING id"
CREATE = [
    "CREATE TABLE floor_scans (id bigserial PRIMARY KEY, tenant_id integer NOT NULL,"
    " serial bigint NOT NULL, outcome text NOT NULL)",
    "CREATE INDEX ix_floor_scans_tenant_serial ON floor_scans (tenant_id, serial, id)",
]


class Pools:
    driver: asyncpg.Pool
    core: AsyncEngine


pools = Pools()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    url = os.environ["YIMA_FLOOR_DATABASE_URL"]
    pools.driver = await asyncpg.create_pool(url, min_size=POOL, max_size=POOL)
    pools.core = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=POOL)
    yield
    await pools.driver.close()
    await pools.core.dispose()


app = FastAPI(lifespan=lifespan)


class Probe(BaseModel):
    code: Annotated[str, StringConstraints(min_length=1, max_length=300)]


def serial_of(probe: Probe) -> int:
    """Stands in for yima's decoding: the load sends serials."""
    return int(probe.code)


@app.get("/healthz")
async def healthz() -> dict[str, bool]:
    return {"ok": True}


@app.get("/hello")
async def hello() -> dict[str, bool]:
    return {"ok": True}


@app.post("/asyncpg/minimal")
async def asyncpg_minimal(probe: Probe) -> dict[str, int]:
    serial = serial_of(probe)
    async with pools.driver.acquire() as connection, connection.transaction():
        first = await connection.fetchval(FIRST_SQL, TENANT, serial)
        scan_id = await connection.fetchval(INSERT_SQL, TENANT, serial, "probe")
    return {"scan_id": scan_id, "first_scan_id": first or scan_id}


@app.post("/core/minimal")
async def core_minimal(probe: Probe) -> dict[str, int]:
    serial = serial_of(probe)
    async with pools.core.begin() as connection:
        first = (await connection.execute(FIRST, {"tenant_id": TENANT, "serial": serial})).scalar()
        row = {"tenant_id": TENANT, "serial": serial, "outcome": "probe"}
        scan_id = int((await connection.execute(INSERT, row)).scalar_one())
    return {"scan_id": scan_id, "first_scan_id": first or scan_id}
