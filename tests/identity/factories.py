"""Plain factory functions for identity's records (tests of every context use them)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from yima.identity import service as identity
from yima.identity.permissions import cli_context
from yima.identity.schemas import ClientCreate, StaffCreate, TenantCreate
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.platform.permissions import all_permissions

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


async def create_tenant(db: Database, slug: str | None = None, name: str | None = None) -> str:
    slug = slug or f"brand-{next(_seq)}"
    async with cli_context(db) as ctx:
        await identity.create_tenant(ctx, TenantCreate(slug=slug, name=name or f"品牌 {slug}"))
    return slug


def system(db: Database, slug: str):  # type: ignore[no-untyped-def]
    """``async with system(db, slug) as ctx``: the system actor in one brand."""
    return cli_context(db, slug)


async def create_staff(
    db: Database, slug: str, login: str | None = None, roles: tuple[str, ...] = ("admin",), **extra: object
) -> str:
    login = login or f"user{next(_seq)}"
    async with system(db, slug) as ctx:
        await identity.create_staff(
            ctx,
            StaffCreate(login=login, display_name=f"员工 {login}", password=PASSWORD, roles=list(roles), **extra),  # type: ignore[arg-type]
            link_existing=True,
        )
    return login


@dataclass
class ApiCredentials:
    client_id: str
    client_secret: str


async def create_client(db: Database, slug: str, scopes: list[str] | None = None) -> ApiCredentials:
    scopes = scopes or [p.name for p in all_permissions()]
    async with system(db, slug) as ctx:
        created = await identity.create_client(ctx, ClientCreate(name=f"client {next(_seq)}", scopes=scopes))
    return ApiCredentials(created.client_id, created.client_secret)


async def bearer(http: httpx.AsyncClient, creds: ApiCredentials, scope: str | None = None) -> dict[str, str]:
    data = {"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": creds.client_secret}
    if scope:
        data["scope"] = scope
    response = await http.post("/oauth/token", data=data)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def login_session(http: httpx.AsyncClient, db: Database, login: str) -> dict[str, str]:
    """Log in through the service (as the console does) and return cookie + CSRF headers for
    calling the API with a console session."""
    async with cli_context(db) as ctx:
        outcome = await identity.attempt_login(ctx, login, PASSWORD, "pytest")
    assert outcome.token and outcome.session, outcome.error
    return {"Cookie": f"yima_session={outcome.token}", "X-CSRF-Token": outcome.session.csrf_token}


@asynccontextmanager
async def staff_ctx(db: Database, login: str) -> AsyncIterator[Ctx]:
    """A Ctx acting as a staff member in their current brand (as the console does)."""
    async with cli_context(db) as system_ctx:
        outcome = await identity.attempt_login(system_ctx, login, PASSWORD, "pytest")
    assert outcome.token, outcome.error
    async with db.session() as session:
        staff = await identity.resolve_console_session(session, outcome.token)
        assert staff is not None
        yield Ctx(session=session, tenant=staff.tenant, actor=staff.actor)
        await session.commit()
