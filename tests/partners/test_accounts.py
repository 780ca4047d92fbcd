"""Channel accounts (渠道账号): staff grant roles by phone, the person signs in with an SMS code,
acts only for their own dealer or store, and loses it the moment a role is disabled."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.partners.factories import create_dealer, create_store
from yima.members import service as members
from yima.members import sms
from yima.members.events import PersonsMerged
from yima.partners import service as partners
from yima.partners.handlers import follow_the_person
from yima.partners.models import ChannelRole
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database

API = "/api/v1/partners"
PHONE = "13900000001"


@pytest.fixture
async def staff(db: Database, client: httpx.AsyncClient) -> dict[str, str]:
    await create_tenant(db, "acme")
    return await bearer(client, await create_client(db, "acme", ["partners:read", "partners:write"]))


async def _grant(client: httpx.AsyncClient, staff: dict[str, str], **body: object) -> httpx.Response:
    return await client.post(f"{API}/accounts", json={"phone": PHONE, "name": "王芳"} | body, headers=staff)


async def _sign_in(client: httpx.AsyncClient, sink: sms.DevSmsSink, phone: str = PHONE) -> dict[str, str]:
    sent = await client.post(f"{API}/login/code", json={"brand": "acme", "phone": phone})
    assert sent.status_code == 200, sent.text
    code = sink.last_code("+86" + phone)
    signed = await client.post(f"{API}/login", json={"brand": "acme", "phone": phone, "code": code})
    assert signed.status_code == 200, signed.text
    return {"authorization": f"Bearer {signed.json()['token']}"}


async def test_a_granted_phone_signs_in_and_sees_its_roles(
    db: Database, client: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    dealer = await create_dealer(db, "acme", name="成都蓉城酒业")
    store = await create_store(db, "acme", dealer.id, name="锦江烟酒店")
    granted = await _grant(client, staff, kind="store_owner", store_id=store.id)
    assert granted.status_code == 201, granted.text
    role = granted.json()
    assert (role["kind_name"], role["partner_name"], role["phone"], role["status"]) == (
        "店主", "锦江烟酒店", "+8613900000001", "active",
    )  # fmt: skip
    again = await _grant(client, staff, kind="store_owner", store_id=store.id)
    assert (again.status_code, again.json()["error"]["details"][0]["code"]) == (409, "role_exists")
    assert (await _grant(client, staff, kind="dealer_staff", dealer_id=dealer.id)).status_code == 201

    auth = await _sign_in(client, sink)
    me = (await client.get(f"{API}/me", headers=auth)).json()
    assert me["phone"] == "139****0001"
    assert sorted((r["kind"], r["partner_name"]) for r in me["roles"]) == [
        ("dealer_staff", "成都蓉城酒业"), ("store_owner", "锦江烟酒店"),
    ]  # fmt: skip
    # A channel account is not staff: the brand's lists stay closed to it.
    assert (await client.get(f"{API}/dealers", headers=auth)).status_code == 403
    listed = await client.get(f"{API}/accounts", params={"phone": PHONE}, headers=staff)
    assert len(listed.json()["items"]) == 2

    assert (await client.post(f"{API}/logout", headers=auth)).status_code == 204
    assert (await client.get(f"{API}/me", headers=auth)).status_code == 401


async def test_login_is_refused_to_phones_without_an_active_role(
    db: Database, client: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    store = await create_store(db, "acme")
    refused = await client.post(f"{API}/login/code", json={"brand": "acme", "phone": PHONE})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_a_channel_account")
    assert sink.sent == type(sink.sent)(maxlen=sink.sent.maxlen)  # no SMS was spent on it
    unknown = await client.post(f"{API}/login/code", json={"brand": "nobody", "phone": PHONE})
    assert (unknown.status_code, unknown.json()["error"]["details"][0]["field"]) == (422, "brand")
    bad = await client.post(f"{API}/login/code", json={"brand": "acme", "phone": "12"})
    assert bad.status_code == 422

    role_id = (await _grant(client, staff, kind="store_clerk", store_id=store.id)).json()["id"]
    auth = await _sign_in(client, sink)
    wrong = await client.post(f"{API}/login", json={"brand": "acme", "phone": PHONE, "code": "000000"})
    assert wrong.status_code == 422
    disabled = await client.post(f"{API}/accounts/{role_id}/disable", headers=staff)
    assert disabled.json()["status"] == "disabled"
    # The live session stops at once, and no new one starts.
    assert (await client.get(f"{API}/me", headers=auth)).status_code == 401
    assert (await client.post(f"{API}/login/code", json={"brand": "acme", "phone": PHONE})).status_code == 403
    assert (await client.post(f"{API}/accounts/{role_id}/enable", headers=staff)).json()["status"] == "active"
    assert (await client.get(f"{API}/me", headers=auth)).status_code == 200


async def test_a_phone_page_of_any_context_reads_the_channel_session_of_its_cookie(
    db: Database, client: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    store = await create_store(db, "acme")
    role_id = (await _grant(client, staff, kind="store_owner", store_id=store.id)).json()["id"]
    token = (await _sign_in(client, sink))["authorization"].removeprefix("Bearer ")
    async with db.session() as session:
        assert await partners.channel_session(Ctx(session=session), None) is None  # no cookie
        assert await partners.channel_session(Ctx(session=session), "yc_" + "x" * 43) is None  # no such session
        page = Ctx(session=session)
        csrf = await partners.channel_session(page, token)
        assert csrf is not None and page.tenant is not None and page.tenant.slug == "acme"
        assert (page.actor.kind, page.actor.parties) == ("person", frozenset({("store", store.id)}))
    async with system(db, "acme") as ctx:
        await partners.set_role_status(ctx, role_id, "pending")
    async with db.session() as session:
        assert await partners.channel_session(Ctx(session=session), token) is None  # acts for nothing now
        waiting = Ctx(session=session)
        assert await partners.channel_session(waiting, token, pending=True) == csrf  # the registration's pages
        assert (waiting.actor.kind, waiting.actor.parties, waiting.actor.permissions) == (
            "person", frozenset(), frozenset(),
        )  # fmt: skip


async def test_a_role_must_name_the_partner_its_kind_needs(
    db: Database, client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    dealer = await create_dealer(db, "acme")
    wrong_partner = await _grant(client, staff, kind="store_owner", dealer_id=dealer.id)
    assert wrong_partner.status_code == 422
    missing = await _grant(client, staff, kind="dealer_owner", dealer_id=999_999)
    assert (missing.status_code, missing.json()["error"]["details"][0]["field"]) == (422, "dealer_id")
    await create_tenant(db, "other")
    foreign = await create_dealer(db, "other")
    assert (await _grant(client, staff, kind="dealer_owner", dealer_id=foreign.id)).status_code == 422


async def test_a_merged_person_hands_over_roles(db: Database, staff: dict[str, str], client: httpx.AsyncClient) -> None:
    store = await create_store(db, "acme")
    role = (await _grant(client, staff, kind="store_owner", store_id=store.id)).json()
    async with system(db, "acme") as ctx:
        other = await members.phone_person(ctx, "13900000002")
        tenant_id = ctx.tenant_id
    event = PersonsMerged(tenant_id=tenant_id, from_person_id=role["person_id"], into_person_id=other.id)
    for _ in range(2):  # a redelivered message moves nothing more
        async with system(db, "acme") as ctx:
            await follow_the_person(ctx, event)
    async with system(db, "acme") as ctx:
        rows = (await ctx.session.scalars(select(ChannelRole))).all()
        assert [(r.person_id, r.store_id) for r in rows] == [(other.id, store.id)]


@pytest.mark.parametrize(
    ("target", "lands"),
    [("/m/trace/receive", "/m/trace/receive"), ("https://evil.example/m/", "/m/partner"), ("/api/v1/me", "/m/partner")],
)
async def test_the_phone_login_leads_back_inside_the_phone_pages_and_remembers_the_brand(
    db: Database, client: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink, target: str, lands: str
) -> None:
    store = await create_store(db, "acme", (await create_dealer(db, "acme")).id)
    assert (await _grant(client, staff, kind="store_owner", store_id=store.id)).status_code == 201
    asked = await client.get("/m/partner/login", params={"next": target})
    assert 'name="brand"' in asked.text and "品牌代码" in asked.text  # no brand in the link: asked for
    form = {"brand": "acme", "phone": PHONE, "next": target}
    sent = await client.post("/m/partner/login/send", data=form)
    assert sent.status_code == 200 and "短信验证码" in sent.text, sent.text
    signed = await client.post("/m/partner/login", data=form | {"code": sink.last_code("+86" + PHONE)})
    assert (signed.status_code, signed.headers["location"]) == (303, lands)
    assert signed.cookies.get("yima_brand") == "acme"
    client.cookies.delete("yima_channel")
    signed_out = await client.get("/m/trace/receive")
    assert signed_out.status_code == 401
    assert "/m/partner/login?brand=acme&amp;next=%2Fm%2Ftrace%2Freceive" in signed_out.text
