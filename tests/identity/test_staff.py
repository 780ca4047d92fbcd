"""Staff, roles and the audit trail of their changes."""

from __future__ import annotations

import httpx
import pytest

from tests.identity.factories import create_staff, create_tenant, login_session, staff_ctx, system
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter, RoleCreate, StaffFilter, StaffUpdate
from yima.platform.db.session import Database
from yima.platform.errors import Conflict, Forbidden, Invalid


async def test_creating_staff_validates_every_field_and_changes_nothing(
    db: Database, client: httpx.AsyncClient
) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "boss", roles=("admin",))
    headers = await login_session(client, db, "boss")
    bad = {"login": "x", "display_name": "", "password": "short", "roles": [], "region_codes": ["99"]}
    response = await client.post("/api/v1/identity/staff", json=bad, headers=headers)
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert {"login", "display_name", "password", "roles", "region_codes.0"} <= fields
    listed = await client.get("/api/v1/identity/staff", headers=headers)
    assert [s["login"] for s in listed.json()["items"]] == ["boss"]


async def test_an_admin_cannot_hand_out_the_owner_role(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "boss", roles=("admin",))
    await create_staff(db, "acme", "clerk", roles=("operator",))
    async with staff_ctx(db, "boss") as ctx:
        clerk = await identity.find_staff_by_login(ctx, "clerk")
        assert clerk is not None
        with pytest.raises(Forbidden) as refused:
            await identity.update_staff(ctx, clerk.id, StaffUpdate(roles=["owner"]))
        assert refused.value.details[0].code == "escalation"


async def test_the_last_owner_stays(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "founder", roles=("owner",))
    async with system(db, "acme") as ctx:
        founder = await identity.find_staff_by_login(ctx, "founder")
        assert founder is not None
        with pytest.raises(Conflict):
            await identity.update_staff(ctx, founder.id, StaffUpdate(is_active=False))


async def test_custom_roles_and_the_audit_trail(db: Database) -> None:
    await create_tenant(db, "acme")
    async with system(db, "acme") as ctx:
        with pytest.raises(Invalid):
            await identity.create_role(ctx, RoleCreate(code="viewer", name="只读", permissions=["nope:read"]))
        role = await identity.create_role(ctx, RoleCreate(code="viewer", name="只读", permissions=["staff:read"]))
    await create_staff(db, "acme", "vera", roles=("viewer",))
    async with system(db, "acme") as ctx:
        vera = await identity.find_staff_by_login(ctx, "vera")
        assert vera is not None and vera.roles == ["viewer"]
        with pytest.raises(Conflict):
            await identity.delete_role(ctx, role.id)
        [row] = await identity.list_staff(ctx, StaffFilter(role="viewer"), 10, None)
        assert row.login == "vera"
        entries = await identity.list_audit(ctx, AuditFilter(), 50, None)
    actions = [e.action for e in entries]
    assert actions[:2] == ["staff.created", "role.created"]
    assert entries[0].changes["roles"] == ["viewer"] and entries[0].actor_kind == "system"


async def test_text_the_database_cannot_store_is_a_422(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "boss", roles=("admin",))
    headers = await login_session(client, db, "boss")
    response = await client.get("/api/v1/identity/staff", params={"q": "a\x00b"}, headers=headers)
    assert response.status_code in (200, 422)  # SQLite stores NUL; PostgreSQL refuses it: never a 500
