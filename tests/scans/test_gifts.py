"""Physical gifts (实物奖品): the winner gives the address — JSON and phone pages, after claiming
with a phone as a withdrawal requires —, corrects it until it ships; staff list and ship them
(permissions, audit, tenant isolation). Also the points the wallet shows."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.members.factories import new_phone, sms_sink
from tests.scans.factories import GIFTS, GiftWon, code_url, gift_won, path_of, scan_to_win
from yima.campaigns.models import CampaignGiftDelivery
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter
from yima.members import sms
from yima.platform.db.session import Database

API = "/api/v1/scans"
ADDRESS = {"recipient_name": "张三", "phone": "13800138000", "region_code": "510104", "address": "春熙路 1 号 2 栋 301"}


@pytest.fixture
def sink() -> Iterator[sms.DevSmsSink]:
    with sms_sink() as dev:
        yield dev


def _as(visitor: str) -> dict[str, str]:
    return {"X-Yima-Visitor": visitor}


async def _claim(client: httpx.AsyncClient, sink: sms.DevSmsSink, visitor: str) -> None:
    """领取: the visitor proves a phone with its SMS code (members' routes)."""
    phone = new_phone()
    assert (await client.post("/api/v1/members/otp", json={"phone": phone}, headers=_as(visitor))).status_code == 200
    code = sink.last_code("+86" + phone) or ""
    verify = {"phone": phone, "code": code}
    assert (await client.post("/api/v1/members/otp/verify", json=verify, headers=_as(visitor))).status_code == 200


def _address_url(award_id: int) -> str:
    return f"{API}/me/awards/{award_id}/address"


async def _won_and_claimed(db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink, slug: str) -> GiftWon:
    won = await gift_won(db, slug)
    await _claim(client, sink, won.visitor_token)
    client.cookies.clear()
    return won


async def test_the_scan_says_a_gift_needs_an_address(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme", prizes=GIFTS)
    answer = await client.post(API, json={"code": await code_url(db, "acme", batch.first_serial)})
    draw = answer.json()["draw"]
    assert draw["award"]["kind"] == "gift" and draw["address_required"] is True


async def test_a_winner_gives_corrects_and_sees_the_gift_shipped(
    db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="yima")
    await create_tenant(db, "acme")
    won = await gift_won(db, "acme")
    client.cookies.clear()
    before_claim = await client.post(_address_url(won.award_id), json=ADDRESS, headers=_as(won.visitor_token))
    assert before_claim.status_code == 403 and before_claim.json()["error"]["code"] == "phone_required"
    await _claim(client, sink, won.visitor_token)
    client.cookies.clear()
    wallet = (await client.get(f"{API}/me/wallet", headers=_as(won.visitor_token))).json()
    assert [(g["award_id"], g["state"]) for g in wallet["gifts"]] == [(won.award_id, "address_needed")]

    given = await client.post(_address_url(won.award_id), json=ADDRESS, headers=_as(won.visitor_token))

    assert given.status_code == 200, given.text
    body = given.json()
    assert (body["state"], body["recipient_name"], body["region_code"]) == ("pending", "张三", "510104")
    assert body["region_name"] and body["created_at"].endswith("+08:00")
    corrected = ADDRESS | {"address": "成都市锦江区红星路 3 号", "region_code": None}
    again = await client.post(_address_url(won.award_id), json=corrected, headers=_as(won.visitor_token))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert (
        again.json()["address"] == "成都市锦江区红星路 3 号" and again.json()["region_code"] == "510104"
    )  # from the text

    staff = await bearer(client, await create_client(db, "acme", ["campaigns:read", "campaigns:write"]))
    [pending] = (await client.get(f"{API}/gifts", headers=staff)).json()["items"]
    assert (pending["id"], pending["phone"], pending["prize_name"]) == (body["id"], "13800138000", "定制酒具")
    ship = {"tracking_no": "SF1234567890", "carrier": "顺丰"}
    shipped = await client.post(f"{API}/gifts/{body['id']}/ship", json=ship, headers=staff)
    assert shipped.status_code == 200, shipped.text
    assert (shipped.json()["state"], shipped.json()["tracking_no"]) == ("shipped", "SF1234567890")
    assert shipped.json()["shipped_at"].endswith("+08:00")
    twice = await client.post(f"{API}/gifts/{body['id']}/ship", json=ship, headers=staff)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "gift_shipped"
    late = await client.post(_address_url(won.award_id), json=ADDRESS, headers=_as(won.visitor_token))
    assert late.status_code == 409 and late.json()["error"]["code"] == "gift_shipped"
    assert (await client.get(f"{API}/gifts", headers=staff)).json()["items"] == []
    [done] = (await client.get(f"{API}/gifts?state=shipped", headers=staff)).json()["items"]
    assert done["tracking_no"] == "SF1234567890"
    wallet = (await client.get(f"{API}/me/wallet", headers=_as(won.visitor_token))).json()
    assert wallet["gifts"][0]["state"] == "shipped" and wallet["gifts"][0]["delivery"]["tracking_no"] == "SF1234567890"
    async with system(db, "acme") as ctx:
        [entry] = await identity.list_audit(ctx, AuditFilter(action="gift.shipped"), 10, None)
    assert entry.changes == {"award_id": won.award_id, "tracking_no": "SF1234567890", "carrier": "顺丰"}
    # Personal information never reaches a log line.
    assert not [r for r in caplog.records if "13800138000" in r.getMessage() or "春熙路" in r.getMessage()]


async def test_bad_input_names_the_field(db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink) -> None:
    await create_tenant(db, "acme")
    won = await _won_and_claimed(db, client, sink, "acme")
    url, visitor = _address_url(won.award_id), _as(won.visitor_token)
    for field, value in (("phone", "12345"), ("recipient_name", " "), ("address", "x"), ("region_code", "51010")):
        answer = await client.post(url, json=ADDRESS | {field: value}, headers=visitor)
        assert answer.status_code == 422, (field, answer.text)
        assert [d["field"] for d in answer.json()["error"]["details"]] == [field], answer.text
    unknown = await client.post(url, json=ADDRESS | {"region_code": "999999"}, headers=visitor)
    assert unknown.status_code == 422 and unknown.json()["error"]["details"][0]["field"] == "region_code"
    extra = await client.post(url, json=ADDRESS | {"state": "shipped"}, headers=visitor)
    assert extra.status_code == 422
    async with system(db, "acme") as ctx:
        assert (await ctx.session.scalars(select(CampaignGiftDelivery))).all() == []


async def test_another_persons_award_is_not_found(
    db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
) -> None:
    await create_tenant(db, "acme")
    mine = await _won_and_claimed(db, client, sink, "acme")
    theirs = await _won_and_claimed(db, client, sink, "acme")
    answer = await client.post(_address_url(theirs.award_id), json=ADDRESS, headers=_as(mine.visitor_token))
    assert answer.status_code == 404
    await create_tenant(db, "other")
    elsewhere = await _won_and_claimed(db, client, sink, "other")  # another brand's visitor, the same award id space
    answer = await client.post(_address_url(mine.award_id), json=ADDRESS, headers=_as(elsewhere.visitor_token))
    assert answer.status_code == 404
    not_a_gift = await client.post(_address_url(2**40), json=ADDRESS, headers=_as(mine.visitor_token))
    assert not_a_gift.status_code == 404


async def test_staff_need_the_campaign_permissions_and_see_only_their_brand(
    db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
) -> None:
    await create_tenant(db, "acme")
    await create_tenant(db, "other")
    won = await _won_and_claimed(db, client, sink, "acme")
    given = await client.post(_address_url(won.award_id), json=ADDRESS, headers=_as(won.visitor_token))
    delivery_id = given.json()["id"]
    ship = {"tracking_no": "SF1234567890"}

    nobody = await bearer(client, await create_client(db, "acme", ["risk:read"]))
    assert (await client.get(f"{API}/gifts", headers=nobody)).status_code == 403
    reader = await bearer(client, await create_client(db, "acme", ["campaigns:read"]))
    assert len((await client.get(f"{API}/gifts", headers=reader)).json()["items"]) == 1
    assert (await client.post(f"{API}/gifts/{delivery_id}/ship", json=ship, headers=reader)).status_code == 403
    intruder = await bearer(client, await create_client(db, "other", ["campaigns:read", "campaigns:write"]))
    assert (await client.get(f"{API}/gifts", headers=intruder)).json()["items"] == []
    assert (await client.post(f"{API}/gifts/{delivery_id}/ship", json=ship, headers=intruder)).status_code == 404
    async with system(db, "acme") as ctx:
        delivery = await ctx.session.get(CampaignGiftDelivery, delivery_id)
        assert delivery is not None and (delivery.state, delivery.tracking_no) == ("pending", None)


async def test_the_wallet_shows_the_points_earned(db: Database, client: httpx.AsyncClient) -> None:
    points = [
        {"name": "10积分", "kind": "points", "points": 10, "weight": 1},
        {"name": "谢谢参与积分", "kind": "points", "points": 5, "fallback": True, "weight": 0},
    ]
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme", prizes=points)
    first = await client.post(API, json={"code": await code_url(db, "acme", batch.first_serial)})
    visitor = first.json()["visitor_token"]
    await client.post(API, json={"code": await code_url(db, "acme", batch.first_serial + 1)}, headers=_as(visitor))
    assert (await client.get(f"{API}/me/wallet", headers=_as(visitor))).json()["points"] == 20
    assert 'data-points="20"' in (await client.get("/m/me")).text


def _form(html: str, action: str) -> dict[str, str]:
    found = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert found is not None, f"no form posting to {action}"
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', found.group(0)))


async def test_the_phone_pages_collect_the_address(
    db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme", prizes=GIFTS)
    page = await client.get(path_of(await code_url(db, "acme", batch.first_serial)))
    result = await client.post("/m/draw", data=_form(page.text, "/m/draw"))
    assert "定制酒具" in result.text and "领取奖品" in result.text and "实物奖品需填写收货地址" in result.text
    phone = new_phone()
    await client.post("/m/me/claim/send", data={"phone": phone})
    await client.post("/m/me/claim/verify", data={"phone": phone, "code": sink.last_code("+86" + phone) or ""})
    wallet = await client.get("/m/me")
    link = re.search(r'href="(/m/me/awards/(\d+)/address)" data-gift-address>填写地址', wallet.text)
    assert link is not None, wallet.text
    form = await client.get(link.group(1))
    assert form.status_code == 200 and "填写收货地址" in form.text

    typed = {"recipient_name": "李四", "phone": "138001", "address": "四川省成都市锦江区春熙路 1 号"}
    wrong = await client.post(link.group(1), data=typed)
    assert wrong.status_code == 422 and "请填写 11 位手机号" in wrong.text and "李四" in wrong.text
    done = await client.post(link.group(1), data=typed | {"phone": "13800138000"})
    assert done.status_code == 303 and done.headers["location"] == "/m/me?address=1"
    after = await client.get("/m/me?address=1")
    assert "收货地址已提交" in after.text and "修改地址" in after.text
    async with system(db, "acme") as ctx:
        [delivery] = (await ctx.session.scalars(select(CampaignGiftDelivery))).all()
    assert (delivery.award_id, delivery.recipient_name, delivery.region_code) == (int(link.group(2)), "李四", "510104")
    client.cookies.clear()
    assert "未找到" not in (await client.get(link.group(1))).text  # no visitor: the page says how to start
