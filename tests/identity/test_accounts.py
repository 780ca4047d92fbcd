"""Staff accounts: who may change whose account, passwords (own and reset), the sessions a new
password ends, and what a console session needs to call the API."""

from __future__ import annotations

import httpx
import pytest

from tests.identity.factories import (
    PASSWORD,
    bearer,
    create_client,
    create_staff,
    create_tenant,
    login_session,
    staff_ctx,
    system,
)
from yima.identity import service as identity
from yima.identity.permissions import CONSOLE_SESSION_ID, cli_context
from yima.identity.schemas import AuditFilter, RoleCreate, RoleUpdate, StaffFilter, StaffUpdate
from yima.platform.db.session import Database
from yima.platform.errors import Forbidden, Invalid

NEW = "a-brand-new-passphrase"


async def _login(db: Database, login: str, password: str = PASSWORD) -> identity.LoginOutcome:
    async with cli_context(db) as ctx:
        return await identity.attempt_login(ctx, login, password, "pytest")


async def _live(db: Database, token: str) -> bool:
    async with db.session() as s:
        return await identity.resolve_console_session(s, token) is not None


async def _staff_id(db: Database, slug: str, login: str) -> int:
    async with system(db, slug) as ctx:
        found = await identity.find_staff_by_login(ctx, login)
    assert found is not None
    return found.id


async def _hr_and_finance(db: Database) -> tuple[int, str]:
    """acme with "hr" (a custom role that manages staff and holds nothing else) and a finance
    clerk; the finance clerk's staff id and a live session of theirs."""
    await create_tenant(db, "acme")
    async with system(db, "acme") as ctx:
        await identity.create_role(
            ctx, RoleCreate(code="hr", name="人事", permissions=["identity:read", "staff:read", "staff:manage"])
        )
    await create_staff(db, "acme", "hetty", roles=("hr",))
    await create_staff(db, "acme", "fiona", roles=("finance",))
    session = await _login(db, "fiona")
    assert session.token
    return await _staff_id(db, "acme", "fiona"), session.token


class TestChangingAnotherStaffMember:
    async def test_whoever_lacks_their_permissions_cannot_take_over_their_account(self, db: Database) -> None:
        fiona, fiona_session = await _hr_and_finance(db)
        for change in (StaffUpdate(password=NEW), StaffUpdate(is_active=False), StaffUpdate(roles=["hr"])):
            async with staff_ctx(db, "hetty") as ctx:
                with pytest.raises(Forbidden) as refused:
                    await identity.update_staff(ctx, fiona, change)
            assert {d.code for d in refused.value.details} == {"escalation"}
            assert "'wallet:write'" in {d.message.removeprefix("you lack ") for d in refused.value.details}
        # nothing changed: the old password signs in, the session lives, the roles are as they were
        assert (await _login(db, "fiona")).token and await _live(db, fiona_session)
        async with system(db, "acme") as ctx:
            assert (await identity.get_staff(ctx, fiona)).roles == ["finance"]

    async def test_a_password_reset_ends_the_persons_sessions_but_not_the_callers(self, db: Database) -> None:
        fiona, fiona_session = await _hr_and_finance(db)
        await create_staff(db, "acme", "adam", roles=("admin",))
        adam = await _login(db, "adam")
        assert adam.token and adam.session
        async with staff_ctx(db, "adam") as ctx:
            ctx.extra[CONSOLE_SESSION_ID] = adam.session.id  # as the API and the console set it
            await identity.update_staff(ctx, fiona, StaffUpdate(password=NEW))
        assert not await _live(db, fiona_session)
        assert (await _login(db, "fiona")).token is None and (await _login(db, "fiona", NEW)).token
        assert await _live(db, adam.token)
        async with system(db, "acme") as ctx:
            [entry] = await identity.list_audit(ctx, AuditFilter(action="staff.updated"), 10, None)
        assert entry.changes == {"password": "reset"}

    async def test_a_deactivated_person_is_signed_out_and_stays_out_when_reactivated(self, db: Database) -> None:
        fiona, fiona_session = await _hr_and_finance(db)
        for active in (False, True):
            async with system(db, "acme") as ctx:
                await identity.update_staff(ctx, fiona, StaffUpdate(is_active=active))
            assert not await _live(db, fiona_session)  # the old cookie is dead for good
        assert (await _login(db, "fiona")).token  # a new sign-in works again

    async def test_a_shared_persons_name_is_not_renamed_from_one_brand(self, db: Database) -> None:
        await create_tenant(db, "acme")
        await create_tenant(db, "rival")
        await create_staff(db, "acme", "boss", roles=("admin",))
        await create_staff(db, "acme", "sam", roles=("operator",))
        await create_staff(db, "rival", "sam", roles=("operator",))
        sam = await _staff_id(db, "acme", "sam")
        async with staff_ctx(db, "boss") as ctx:
            with pytest.raises(Forbidden) as refused:
                await identity.update_staff(ctx, sam, StaffUpdate(display_name="改名"))
        assert [(d.field, d.code) for d in refused.value.details] == [("display_name", "shared_account")]
        async with system(db, "rival") as ctx:
            assert (await identity.get_staff(ctx, await _staff_id(db, "rival", "sam"))).display_name == "员工 sam"


class TestPasswordRules:
    @pytest.mark.parametrize(
        ("password", "code"),
        [("        ", "password_blank"), ("aaaaaaaa", "password_weak"), ("my-tony-pass", "password_has_login")],
    )
    async def test_a_weak_password_is_refused_naming_why(self, db: Database, password: str, code: str) -> None:
        await create_tenant(db, "acme")
        await create_staff(db, "acme", "tony", roles=("operator",))
        async with system(db, "acme") as ctx:
            with pytest.raises(Invalid) as refused:
                await identity.update_staff(ctx, await _staff_id(db, "acme", "tony"), StaffUpdate(password=password))
        assert [(d.field, d.code) for d in refused.value.details] == [("password", code)]


class TestChangingOwnPassword:
    async def test_the_api_changes_it_and_ends_the_other_sessions(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        await create_tenant(db, "acme")
        await create_staff(db, "acme", "olga", roles=("operator",))
        other = await _login(db, "olga")
        headers = await login_session(client, db, "olga")
        body = {"current_password": PASSWORD, "new_password": NEW}
        response = await client.post("/api/v1/identity/me/password", json=body, headers=headers)
        assert response.status_code == 204
        assert other.token and not await _live(db, other.token)
        assert (await client.get("/api/v1/identity/me", headers=headers)).status_code == 200  # this one stays
        assert (await _login(db, "olga")).token is None and (await _login(db, "olga", NEW)).token
        async with system(db, "acme") as ctx:
            [entry] = await identity.list_audit(ctx, AuditFilter(action="staff.password_changed"), 10, None)
        assert entry.actor_name == "员工 olga" and NEW not in str(entry.changes)

    async def test_a_wrong_current_password_counts_towards_the_lockout(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        await create_tenant(db, "acme")
        await create_staff(db, "acme", "olga", roles=("operator",))
        headers = await login_session(client, db, "olga")
        body = {"current_password": "not-it-at-all", "new_password": NEW}
        codes = []
        for _ in range(6):
            response = await client.post("/api/v1/identity/me/password", json=body, headers=headers)
            assert response.status_code == 422
            codes.append(response.json()["error"]["details"][0]["code"])
        assert codes == ["wrong_password"] * 5 + ["account_locked"]
        right = {"current_password": PASSWORD, "new_password": NEW}
        assert (await client.post("/api/v1/identity/me/password", json=right, headers=headers)).status_code == 422
        assert (await _login(db, "olga")).error.code == "account_locked"  # type: ignore[union-attr]

    async def test_the_new_password_must_be_new_and_acceptable(self, db: Database, client: httpx.AsyncClient) -> None:
        await create_tenant(db, "acme")
        await create_staff(db, "acme", "olga", roles=("operator",))
        headers = await login_session(client, db, "olga")
        for new, code in ((PASSWORD, "password_unchanged"), ("olga-forever", "password_has_login")):
            body = {"current_password": PASSWORD, "new_password": new}
            response = await client.post("/api/v1/identity/me/password", json=body, headers=headers)
            assert response.status_code == 422
            assert [(d["field"], d["code"]) for d in response.json()["error"]["details"]] == [("new_password", code)]
        assert (await _login(db, "olga")).token

    async def test_an_api_client_has_no_password(self, db: Database, client: httpx.AsyncClient) -> None:
        await create_tenant(db, "acme")
        headers = await bearer(client, await create_client(db, "acme", ["identity:read"]))
        body = {"current_password": PASSWORD, "new_password": NEW}
        response = await client.post("/api/v1/identity/me/password", json=body, headers=headers)
        assert response.status_code == 409 and response.json()["error"]["code"] == "no_password"


class TestPlatformReset:
    async def test_a_new_password_unlocks_and_ends_sessions_the_same_one_keeps_them(self, db: Database) -> None:
        await create_tenant(db, "acme")
        await create_staff(db, "acme", "lena", roles=("operator",))
        session = await _login(db, "lena")
        assert session.token
        async with cli_context(db) as ctx:
            await identity.reset_password_of_login(ctx, "lena", PASSWORD)  # the demo's refresh
        assert await _live(db, session.token)
        for _ in range(5):
            await _login(db, "lena", "wrong-password")
        async with cli_context(db) as ctx:
            await identity.reset_password_of_login(ctx, "LENA", NEW)
        assert not await _live(db, session.token)
        assert (await _login(db, "lena", NEW)).token


async def test_the_console_session_learns_its_csrf_token_from_me(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "alice", roles=("admin",))
    cookie = {"Cookie": (await login_session(client, db, "alice"))["Cookie"]}
    me = (await client.get("/api/v1/identity/me", headers=cookie)).json()
    assert me["csrf_token"]
    body = {"name": "ERP", "scopes": ["staff:read"]}
    created = await client.post(
        "/api/v1/identity/clients", json=body, headers={**cookie, "X-CSRF-Token": me["csrf_token"]}
    )
    assert created.status_code == 201


async def test_staff_search_takes_wildcards_literally(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_staff(db, "acme", "zhang_wei", roles=("operator",))
    await create_staff(db, "acme", "zhangxwei", roles=("operator",))
    async with system(db, "acme") as ctx:
        found = await identity.list_staff(ctx, StaffFilter(q="g_w"), 10, None)
        everything = await identity.list_staff(ctx, StaffFilter(q="%"), 10, None)
    assert [s.login for s in found] == ["zhang_wei"] and everything == []


async def test_answers_are_in_the_brands_time_zone(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")  # Asia/Shanghai
    await create_staff(db, "acme", "alice", roles=("admin",))
    headers = await login_session(client, db, "alice")
    [staff] = (await client.get("/api/v1/identity/staff", headers=headers)).json()["items"]
    [entry] = (await client.get("/api/v1/identity/audit-log", headers=headers)).json()["items"]
    assert staff["created_at"].endswith("+08:00") and entry["at"].endswith("+08:00")


async def test_a_role_carrying_more_than_the_caller_holds_is_not_theirs_to_change(db: Database) -> None:
    await _hr_and_finance(db)
    async with system(db, "acme") as ctx:
        payer = await identity.create_role(ctx, RoleCreate(code="payer", name="出纳", permissions=["wallet:write"]))
    async with staff_ctx(db, "hetty") as ctx:
        with pytest.raises(Forbidden) as refused:
            await identity.update_role(ctx, payer.id, RoleUpdate(permissions=["staff:read"]))
        with pytest.raises(Forbidden):
            await identity.delete_role(ctx, payer.id)
    assert [(d.message, d.code) for d in refused.value.details] == [("you lack 'wallet:write'", "escalation")]
    async with system(db, "acme") as ctx:
        assert [r.permissions for r in await identity.list_roles(ctx) if r.code == "payer"] == [["wallet:write"]]
