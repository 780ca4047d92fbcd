"""经销商员工扫码邀请 through HTTP: a dealer's owner shows his invitation QR code on his phone; a
new person opens it on theirs, accepts the privacy terms, proves the phone and waits; the owner
approves them on his phone (or the brand's staff may). A forged or expired invitation, no
consent, and a decision on another dealer's staff are refused."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import zxingcpp
from fastapi import FastAPI
from PIL import Image

from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.partners.factories import channel_token, create_dealer
from tests.partners.test_registration import API, csrf_of
from yima.identity import service as identity
from yima.members import sms
from yima.partners import rules
from yima.partners import service as partners
from yima.partners.schemas import ChannelRoleCreate
from yima.partners.service.invites import INVITE_PURPOSE
from yima.platform.db.session import Database

OWNER, OTHER_OWNER, NEWCOMER = "13800000031", "13800000032", "13800000033"


@pytest.fixture
async def staff(db: Database, client: httpx.AsyncClient) -> dict[str, str]:
    await create_tenant(db, "acme")
    return await bearer(client, await create_client(db, "acme", ["partners:read", "partners:write"]))


@pytest.fixture
async def newcomer(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The invited person's phone: a browser of its own (its own cookies)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _owner(db: Database, phone: str, client: httpx.AsyncClient) -> int:
    """A dealer and its owner, signed in on ``client`` (the session cookie): the dealer's id."""
    dealer = await create_dealer(db, "acme")
    async with system(db, "acme") as ctx:
        await partners.grant_role(ctx, ChannelRoleCreate(phone=phone, kind="dealer_owner", dealer_id=dealer.id))
    client.cookies.set("yima_channel", await channel_token(client, "acme", phone))
    return dealer.id


def _scan_qr(html: str) -> str:
    """What a phone's camera reads from the page's QR code (the PNG in its data: URL)."""
    found = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert found is not None, html
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(found.group(1)))))
    return str(code.text)


async def _join(phone_client: httpx.AsyncClient, url: str, sink: sms.DevSmsSink, name: str = "赵敏") -> httpx.Response:
    invite = parse_qs(urlsplit(url).query)["invite"][0]
    form = {"invite": invite, "phone": NEWCOMER, "name": name}
    sent = await phone_client.post("/m/partner/join/send", data=form | {"agree": "yes"})
    assert sent.status_code == 200 and "短信验证码" in sent.text, sent.text
    code = sink.last_code("+86" + NEWCOMER)
    return await phone_client.post("/m/partner/join", data=form | {"code": code})


async def test_an_invited_person_joins_the_dealers_staff_once_the_owner_approves(
    db: Database, client: httpx.AsyncClient, newcomer: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    dealer_id = await _owner(db, OWNER, client)
    page = await client.get("/m/partner/invite")
    assert page.status_code == 200
    url = _scan_qr(page.text)
    assert url.startswith("http://testserver/m/partner/join?invite=")

    opened = await newcomer.get(url.removeprefix("http://testserver"))
    assert opened.status_code == 200 and "邀请您成为员工" in opened.text
    invite = parse_qs(urlsplit(url).query)["invite"][0]
    no_consent = await newcomer.post("/m/partner/join/send", data={"invite": invite, "phone": NEWCOMER})
    assert no_consent.status_code == 422 and "隐私协议" in no_consent.text and sink.last_code("+86" + NEWCOMER) is None
    joined = await _join(newcomer, url, sink)
    assert joined.status_code == 303 and "yima_channel" in joined.cookies
    home = await newcomer.get("/m/partner")
    assert "等待品牌审核" in home.text and "经销商员工" in home.text
    assert (await newcomer.get("/m/trace/receive")).status_code == 401  # a pending role opens nothing
    assert "物流作业" not in home.text

    waiting = await client.get("/m/partner/invite")
    pending = waiting.text.split("data-pending-staff")[1]  # the owner recognises whom they approve
    assert "赵敏" in pending and NEWCOMER in pending
    role_id = int(re.search(r'name="role_id" value="(\d+)"', waiting.text).group(1))  # type: ignore[union-attr]
    approved = await client.post(
        "/m/partner/invite/decide", data={"csrf_token": csrf_of(waiting.text), "role_id": role_id, "approve": "yes"}
    )
    assert approved.status_code == 303
    me = await newcomer.get("/m/partner")
    assert "物流作业" in me.text and "等待品牌审核" not in me.text
    listed = await client.get(f"{API}/accounts", params={"dealer_id": dealer_id, "kind": "dealer_staff"}, headers=staff)
    assert [(r["status"], r["name"]) for r in listed.json()["items"]] == [("active", "赵敏")]


async def test_staff_may_decide_too_and_other_owners_may_not(
    db: Database, client: httpx.AsyncClient, newcomer: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink,
    app: FastAPI,
) -> None:  # fmt: skip
    await _owner(db, OWNER, client)
    url = _scan_qr((await client.get("/m/partner/invite")).text)
    await _join(newcomer, url, sink)
    [asked] = (await client.get(f"{API}/registrations", headers=staff)).json()["items"]
    assert (asked["kind"], asked["consented_at"] is not None) == ("dealer_staff", True)

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await _owner(db, OTHER_OWNER, other)
        page = await other.get("/m/partner/invite")
        assert "赵敏" not in page.text  # another dealer's request is not his to see
        csrf = csrf_of((await other.get("/m/partner")).text)  # his session's (the sign-out form carries it)
        decision = {"csrf_token": csrf, "role_id": asked["id"], "approve": "yes"}
        refused = await other.post("/m/partner/invite/decide", data=decision)
        assert refused.status_code == 403 and "只能审核本经销商的员工" in refused.text
    rejected = await client.post(f"{API}/registrations/{asked['id']}/reject", json={"reason": "不认识此人"},
                                 headers=staff)  # fmt: skip
    assert rejected.json()["status"] == "rejected"


async def test_forged_and_expired_invitations_are_refused(
    db: Database, client: httpx.AsyncClient, newcomer: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    await _owner(db, OWNER, client)
    url = _scan_qr((await client.get("/m/partner/invite")).text)
    invite = parse_qs(urlsplit(url).query)["invite"][0]
    tenant, body, mac = invite.split(".")
    forged = await newcomer.get("/m/partner/join", params={"invite": f"{tenant}.{body}x.{mac}"})
    assert forged.status_code == 422 and "邀请码无效" in forged.text
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    async with system(db, "acme") as ctx:
        key = await identity.tenant_subkey(ctx.session, ctx.tenant_id, INVITE_PURPOSE)
    expired = rules.seal(key, int(tenant), claims | {"x": claims["x"] - rules.INVITE_HOURS * 3600 - 1})
    gone = await newcomer.get("/m/partner/join", params={"invite": expired})
    assert gone.status_code == 422 and "已过期" in gone.text
