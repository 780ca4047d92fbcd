"""Password login, lockout, console sessions and CSRF."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import event

from tests.identity.factories import PASSWORD, create_staff, create_tenant, login_session
from yima.identity import service as identity
from yima.identity.permissions import cli_context
from yima.platform.db.session import Database


async def _attempt(db: Database, login: str, password: str) -> identity.LoginOutcome:
    async with cli_context(db) as ctx:
        return await identity.attempt_login(ctx, login, password, "pytest")


async def test_the_fifth_wrong_password_locks_the_account(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "alice")
    codes = [(await _attempt(db, "alice", "wrong-password")).error.code for _ in range(5)]  # type: ignore[union-attr]
    assert codes == ["invalid_credentials"] * 4 + ["account_locked"]
    locked = await _attempt(db, "alice", PASSWORD)
    assert locked.token is None and locked.error is not None and locked.error.code == "account_locked"


async def test_a_success_resets_the_failure_count(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "alice")
    for _ in range(4):
        await _attempt(db, "alice", "wrong-password")
    assert (await _attempt(db, "alice", PASSWORD)).token
    for _ in range(4):
        assert (await _attempt(db, "alice", "wrong-password")).error.code == "invalid_credentials"  # type: ignore[union-attr]


async def test_unknown_login_and_login_without_brand_fail_alike(db: Database) -> None:
    outcome = await _attempt(db, "nobody", PASSWORD)
    assert outcome.error is not None and outcome.error.code == "invalid_credentials"


async def test_the_session_belongs_to_the_first_brand_and_switches(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_tenant(db, "rival")
    await create_staff(db, "acme", "alice", roles=("owner",))
    await create_staff(db, "rival", "alice", roles=("auditor",))
    outcome = await _attempt(db, "alice", PASSWORD)
    assert outcome.token
    async with db.session() as s:
        staff = await identity.resolve_console_session(s, outcome.token)
        assert staff is not None and staff.tenant.slug == "acme" and "staff:manage" in staff.actor.permissions
    async with cli_context(db) as ctx:
        staff = await identity.resolve_console_session(ctx.session, outcome.token)
        assert staff is not None
        rival = await identity.get_tenant_by_slug(ctx.session, "rival")
        await identity.switch_tenant(ctx, staff.console_session, rival.id)
    async with db.session() as s:
        staff = await identity.resolve_console_session(s, outcome.token)
        assert staff is not None and staff.tenant.slug == "rival"
        assert "staff:manage" not in staff.actor.permissions and "staff:read" in staff.actor.permissions


async def test_expired_and_revoked_sessions_are_refused(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "alice")
    first, second = await _attempt(db, "alice", PASSWORD), await _attempt(db, "alice", PASSWORD)
    assert first.token and second.token and second.session
    async with db.session() as s:
        await identity.logout(s, first.token)
        await s.commit()
    async with db.session() as s:
        assert await identity.resolve_console_session(s, first.token) is None
        row = await s.merge(second.session)
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        await s.commit()
    async with db.session() as s:
        assert await identity.resolve_console_session(s, second.token) is None


async def test_a_console_session_calls_the_api_and_needs_csrf_to_change(
    db: Database, client: httpx.AsyncClient
) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "alice", roles=("admin",))
    headers = await login_session(client, db, "alice")
    assert (await client.get("/api/v1/identity/me", headers={"Cookie": headers["Cookie"]})).status_code == 200
    body = {"name": "ERP", "scopes": ["staff:read"]}
    no_csrf = await client.post("/api/v1/identity/clients", json=body, headers={"Cookie": headers["Cookie"]})
    assert no_csrf.status_code == 403 and no_csrf.json()["error"]["code"] == "csrf_failed"
    assert (await client.post("/api/v1/identity/clients", json=body, headers=headers)).status_code == 201
    listed = await client.get("/api/v1/identity/clients", headers=headers)
    assert [c["name"] for c in listed.json()["items"]] == ["ERP"]


async def test_a_login_attempt_holds_the_users_row_while_it_counts(db: Database) -> None:
    # Two wrong passwords at once must both count: PostgreSQL takes the row lock (SQLite's
    # BEGIN IMMEDIATE already puts writers in a queue).
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "alice")
    sent: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        sent.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        await _attempt(db, "alice", "wrong-password")
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    [lookup] = [s for s in sent if "FROM users" in s and "users.login" in s]
    assert ("FOR UPDATE" in lookup) == (db.backend == "postgresql")
