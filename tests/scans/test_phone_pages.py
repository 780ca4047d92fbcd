"""The consumer's phone pages: code page → draw → claim with phone and SMS code → wallet →
withdraw, with the visitor cookie carrying the person from page to page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.identity.factories import create_tenant, system
from tests.members.factories import new_phone
from tests.scans.factories import code_url, path_of, scan_to_win
from yima.campaigns import service as campaigns
from yima.members import service as members
from yima.members import sms
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner
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
