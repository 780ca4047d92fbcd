"""The consumer's phone pages: code page → draw → claim with phone and SMS code → wallet →
withdraw, with the visitor cookie carrying the person from page to page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.identity.factories import create_tenant, system
from tests.members.factories import new_phone
from tests.scans.factories import code_url, path_of, scan_to_win
from yima.campaigns import service as campaigns
from yima.members import service as members
from yima.members import sms
from yima.members.events import PersonsMerged
from yima.members.models import Person
from yima.members.permissions import CODES_LIMITER
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner
from yima.platform.ratelimit import RateLimiter
from yima.scans.handlers import follow_the_person
from yima.wallet import service as wallet

CASH_ONLY = [
    {"name": "5元红包", "kind": "cash", "amount_fen": 500, "weight": 1},
    {"name": "谢谢参与积分", "kind": "points", "points": 5, "fallback": True, "weight": 0},
]


@pytest.fixture
def sink() -> Iterator[sms.DevSmsSink]:
    dev = sms.DevSmsSink()
    previous = sms.use_sender(dev)
    yield dev
    sms.use_sender(previous)


def _form(html: str, action: str) -> dict[str, str]:
    found = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert found is not None, f"no form posting to {action}"
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', found.group(0)))


async def _draw(client: httpx.AsyncClient, url: str) -> httpx.Response:
    page = await client.get(path_of(url))
    assert "立即抽奖" in page.text, page.text
    return await client.post("/m/draw", data=_form(page.text, "/m/draw"))


async def test_the_whole_journey_ends_in_a_withdrawal(
    db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
) -> None:
    await create_tenant(db, "acme", name="赤水河酒业")
    batch, _ = await scan_to_win(db, "acme", prizes=CASH_ONLY)
    async with system(db, "acme") as ctx:  # the platform's fee on withdrawals comes from the brand's cash
        await wallet.fund_brand(ctx, 10_000, "bank-fees")
    url = await code_url(db, "acme", batch.first_serial)

    result = await _draw(client, url)
    assert result.status_code == 200, result.text
    assert 'data-outcome="awarded"' in result.text and "5元红包" in result.text and "领取红包" in result.text

    again = await client.post("/m/draw", data=_form((await client.get(path_of(url))).text, "/m/draw"))
    assert "此码已参与过活动" in again.text  # a new scan of a code that has won

    wallet_page = await client.get("/m/me")
    assert 'data-balance="500"' in wallet_page.text and "获取验证码" in wallet_page.text
    phone = new_phone()
    sent = await client.post("/m/me/claim/send", data={"phone": phone})
    assert "验证并领取" in sent.text, sent.text
    wrong = await client.post("/m/me/claim/verify", data={"phone": phone, "code": "000000"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.text
    verified = await client.post(
        "/m/me/claim/verify", data={"phone": phone, "code": sink.last_code("+86" + phone) or ""}
    )
    assert verified.status_code == 303 and verified.headers["location"] == "/m/me?claimed=1"

    claimed = await client.get("/m/me?claimed=1")
    assert "奖励已领取" in claimed.text and "提现到微信零钱" in claimed.text
    key = _form(claimed.text, "/m/me/withdraw")["key"]
    too_much = await client.post("/m/me/withdraw", data={"amount": "6", "key": key})
    assert too_much.status_code == 409 and "余额不足" in too_much.text
    done = await client.post("/m/me/withdraw", data={"amount": "5.00", "key": key})
    assert done.status_code == 303, done.text
    after = await client.get("/m/me?withdrawn=1")
    assert 'data-balance="0"' in after.text and "提现记录" in after.text
    async with system(db, "acme") as ctx:
        assert await wallet.is_balanced(ctx)


async def test_the_claim_form_says_what_is_wrong_on_the_page(
    db: Database, app: FastAPI, client: httpx.AsyncClient, sink: sms.DevSmsSink
) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme", prizes=CASH_ONLY)
    await _draw(client, await code_url(db, "acme", batch.first_serial))

    empty = await client.post("/m/me/claim/send", data={"phone": ""})
    assert empty.status_code == 422 and empty.headers["content-type"].startswith("text/html")
    assert "手机号" in empty.text and 'data-balance="500"' in empty.text
    phone = new_phone()
    spaced = "+86 " + phone[:3] + " " + phone[3:7] + " " + phone[7:]  # as a phone's contacts write it
    assert 'maxlength="20"' in empty.text and len(spaced) <= 20
    sent = await client.post("/m/me/claim/send", data={"phone": spaced})
    assert sent.status_code == 200 and "验证并领取" in sent.text, sent.text
    no_code = await client.post("/m/me/claim/verify", data={"phone": spaced, "code": ""})
    assert no_code.status_code == 422 and "6 位数字验证码" in no_code.text

    # The phone pages send and check codes under the API's per-IP limit (YIMA_OTP_RATE_PER_MINUTE).
    app.state.limiters[CODES_LIMITER] = RateLimiter(2)
    answers = [await client.post("/m/me/claim/verify", data={"phone": spaced, "code": "000000"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [422, 422, 429]
    assert "操作太频繁" in answers[-1].text


async def test_the_draw_button_needs_the_page_s_proof(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme")
    url = await code_url(db, "acme", batch.first_serial)
    form = _form((await client.get(path_of(url))).text, "/m/draw")
    forged = await client.post("/m/draw", data=form | {"proof": "0" * 32}, headers={"Accept": "text/html"})
    assert forged.status_code == 403
    # Said on a page, in the consumer's words, not as a JSON error.
    assert forged.headers["content-type"].startswith("text/html") and "请重新扫描瓶盖内的二维码" in forged.text


async def test_a_wallet_before_any_scan_says_how_to_win(client: httpx.AsyncClient) -> None:
    page = await client.get("/m/me")
    assert page.status_code == 200 and "还没有奖励" in page.text


async def test_winnings_follow_the_visitor_into_the_phone_s_person(
    db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink, runner: Runner
) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme", prizes=CASH_ONLY)
    phone = new_phone()
    async with system(db, "acme") as ctx:  # a member the brand already knows by this phone
        holder = await members.phone_person(ctx, phone)
    await _draw(client, await code_url(db, "acme", batch.first_serial))
    await client.post("/m/me/claim/send", data={"phone": phone})
    await client.post("/m/me/claim/verify", data={"phone": phone, "code": sink.last_code("+86" + phone) or ""})

    await runner.drain()  # members' PersonsMerged reaches scans' handler

    page = await client.get("/m/me")
    assert 'data-balance="500"' in page.text and "5元红包" in page.text
    async with system(db, "acme") as ctx:
        assert (await wallet.wallet_of(ctx, holder.id)).balance == 500
        assert [a.person_id for a in await campaigns.awards_of_person(ctx, [holder.id])] == [holder.id]
        assert await wallet.is_balanced(ctx)
    await runner.drain()  # delivered again: nothing more moves
    async with system(db, "acme") as ctx:
        assert (await wallet.wallet_of(ctx, holder.id)).balance == 500


async def test_a_merge_delivered_late_follows_the_survivor_s_own_merge(
    db: Database, client: httpx.AsyncClient
) -> None:
    await create_tenant(db, "acme")
    batch, campaign = await scan_to_win(db, "acme", prizes=CASH_ONLY)
    await _draw(client, await code_url(db, "acme", batch.first_serial))
    async with system(db, "acme") as ctx:
        winner = (await campaigns.awards_of_code(ctx, campaign.id, batch.first_serial))[0].person_id
        first, survivor = await members.phone_person(ctx, new_phone()), await members.phone_person(ctx, new_phone())
        merged = await ctx.session.get(Person, first.id)  # ``first`` was merged into ``survivor`` meanwhile
        assert merged is not None
        merged.merged_into_id = survivor.id

    async with system(db, "acme") as ctx:  # the winner's merge into ``first`` arrives only now
        await follow_the_person(ctx, PersonsMerged(tenant_id=ctx.tenant_id, from_person_id=winner,
                                                   into_person_id=first.id))  # fmt: skip

    async with system(db, "acme") as ctx:
        assert (await wallet.wallet_of(ctx, survivor.id)).balance == 500
        assert (await wallet.wallet_of(ctx, first.id)).balance == 0
        assert [a.person_id for a in await campaigns.awards_of_person(ctx, [survivor.id])] == [survivor.id]
        assert await wallet.is_balanced(ctx)
