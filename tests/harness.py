"""A brand full of data, and a snapshot of everything it owns, for the isolation and
permission harnesses."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.ddl import sort_tables_and_constraints

from tests.identity.factories import create_client, create_staff, create_tenant, system
from yima import contexts
from yima.identity import service as identity
from yima.identity.models import Tenant
from yima.identity.schemas import RoleCreate
from yima.platform.db import direct
from yima.platform.db.base import Base
from yima.platform.db.session import Database
from yima.platform.db.tenancy import ALL_TENANTS, PREBUILT
from yima.platform.outbox import registry
from yima.platform.outbox import service as outbox


@dataclass
class SeededBrand:
    slug: str
    tenant_id: int
    ids: dict[str, int | str]
    markers: list[str]


async def seed_brand(db: Database, slug: str) -> SeededBrand:
    """A brand with one of everything a route can point at; every name carries a marker
    that must never show up in another brand's answers.

    Each context adds its own objects through ``tests/<context>/factories.py``:
    ``async def harness_objects(db, slug, marker) -> tuple[dict[str, int], list[str]]`` returns
    path-parameter values (``{"product_id": 7}``) and extra marker strings."""
    marker = f"{slug}-marker"
    await create_tenant(db, slug, name=f"{marker} 品牌")
    await create_staff(db, slug, f"{slug}-staff", roles=("operator",))
    await create_client(db, slug, ["staff:read"])
    async with system(db, slug) as ctx:
        role = await identity.create_role(
            ctx, RoleCreate(code=f"{slug.replace('-', '_')}_role", name=f"{marker} 角色", permissions=["staff:read"])
        )
        staff = await identity.find_staff_by_login(ctx, f"{slug}-staff")
        [client] = await identity.list_clients(ctx, 1, None)
        job = await outbox.enqueue_job(ctx, "testing.noop", {"marker": marker})
        assert staff is not None
        ids = {"staff_id": staff.id, "role_id": role.id, "client_pk": client.id, "job_id": job.id}
        brand = SeededBrand(slug, ctx.tenant_id, ids, [marker, f"{slug}-staff", client.client_id])
    for name in contexts.present():
        module = _factories(name)
        if module is not None and hasattr(module, "harness_objects"):
            more_ids, more_markers = await module.harness_objects(db, slug, marker)
            brand.ids.update(more_ids)
            brand.markers.extend(more_markers)
    return brand


@dataclass(frozen=True)
class Principal:
    """Who calls the routes: its headers, the permissions it holds, and the codes of the 403s a
    use case may still answer on a route whose permission it holds (a channel account acts only
    for its own dealer or store, and not in the steps only the brand's staff do)."""

    headers: dict[str, str]
    held: frozenset[str]
    narrowed_by: frozenset[str] = frozenset()

    def narrowed(self, response: httpx.Response) -> bool:
        return response.status_code == 403 and response.json()["error"]["code"] in self.narrowed_by


def _factories(context: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"tests.{context}.factories")
    except ModuleNotFoundError as exc:
        if exc.name not in (f"tests.{context}", f"tests.{context}.factories"):
            raise
        return None


def global_path_params() -> dict[str, str]:
    """Path parameters naming shared reference data (GB/T 2260 regions…), not a brand's own
    objects: each context lists its own in ``GLOBAL_PATH_PARAMS`` of its factories module."""
    found: dict[str, str] = {}
    for name in contexts.present():
        module = _factories(name)
        found.update(getattr(module, "GLOBAL_PATH_PARAMS", {}) if module else {})
    return found


@registry.job("testing.noop")
async def _noop(run: registry.JobRun, params: dict[str, Any]) -> dict[str, Any]:
    return {}


async def snapshot(db: Database, tenant_id: int) -> dict[str, list[str]]:
    """Every row the brand owns, in every table, as text."""
    rows: dict[str, list[str]] = {}
    async with db.session() as s:
        for table in Base.metadata.sorted_tables:
            if "tenant_id" not in table.c:
                continue
            query = select(table).where(table.c.tenant_id == tenant_id).execution_options(**{ALL_TENANTS: True})
            result = (await s.execute(query)).mappings().all()
            rows[table.name] = sorted(json.dumps(dict(r), default=str, sort_keys=True) for r in result)
    return rows


def leaked(markers: list[str], text: str) -> list[str]:
    return [m for m in markers if m in text]


async def delete_brand(db: Database, slug: str) -> None:
    """Remove a brand committed outside the test transaction (the race tests commit for real),
    and everything it owns."""
    async with db.session() as session:
        tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        if tenant_id is not None:
            # Links that close a cycle (a store's salesman is one of its own channel roles) are
            # cut first: no order of deletes satisfies them.
            ordered = sort_tables_and_constraints(Base.metadata.sorted_tables)
            for fk in next((fks for table, fks in ordered if table is None), []):
                links = {c.name: None for c in fk.columns if c.name != "tenant_id"}
                statement = update(fk.table).where(fk.table.c.tenant_id == tenant_id).values(links)
                await session.execute(statement.execution_options(**{ALL_TENANTS: True}))
            for table in reversed(Base.metadata.sorted_tables):
                if "tenant_id" in table.c:
                    statement = delete(table).where(table.c.tenant_id == tenant_id)
                    await session.execute(statement.execution_options(**{ALL_TENANTS: True}))
            await session.execute(delete(Tenant).where(Tenant.id == tenant_id))
        await session.commit()


@contextmanager
def orm_statements() -> Iterator[list[Any]]:
    """The statement objects sessions are given meanwhile (as the tenancy hook leaves them): what
    a test of prebuilt statements inspects — built once (the same object each call), ``prebuilt``."""
    seen: list[Any] = []

    def record(state: ORMExecuteState) -> None:
        seen.append(state.statement)

    def record_direct(statement: Any, sql: str) -> None:
        seen.append(statement)

    event.listen(Session, "do_orm_execute", record)
    direct.listen(record_direct)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", record)
        direct.remove(record_direct)


def is_prebuilt(statement: Any) -> bool:
    return bool(statement.get_execution_options().get(PREBUILT))


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The statements ``db`` runs meanwhile, each by its first word (SELECT, INSERT …): what a
    test of a statement budget compares."""
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement.split()[0].upper())

    def count_direct(statement: object, sql: str) -> None:
        seen.append(sql.split()[0].upper())

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    direct.listen(count_direct)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        direct.remove(count_direct)
