"""The brand's query page for typed codes (防伪查询 /m/verify/{brand}): the 12-digit 防伪码 printed
beside the QR code answers as the scanned code does (verdict, count, first query), typed as
people type it; a number the brand did not issue, another brand's, or an unknown brand is a
counterfeit warning; nothing typed offers a draw."""

from __future__ import annotations

import re

import httpx

from tests.codes.factories import activated_batch
from tests.identity.factories import create_tenant, system
from tests.scans.factories import running_campaign
from yima.codes import service as codes
from yima.platform.db.session import Database


async def _anti_fake(db: Database, slug: str, serial: int) -> str:
    async with system(db, slug) as ctx:
        return (await codes.codec(ctx)).anti_fake(serial)


async def test_a_typed_anti_fake_number_is_verified_like_a_scan(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme", name="赤水河酒业")
    await create_tenant(db, "other", name="别家酒业")
    batch, product_id = await activated_batch(db, "acme", quantity=3)
    await running_campaign(db, "acme", scope={"product_ids": [product_id]})  # the QR code's draw, not the number's
    number = await _anti_fake(db, "acme", batch.first_serial)

    form = await client.get("/m/verify/acme")
    assert form.status_code == 200 and "赤水河酒业 防伪查询" in form.text and 'action="/m/verify/acme"' in form.text
    typed = f"{number[:4]} {number[4:8]}－{number[8:]}".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    first = await client.post("/m/verify/acme", data={"code": typed})  # full-width, spaced, as a phone types it
    assert first.status_code == 200, first.text
    assert "正品验证通过" in first.text and "本次为首次查询" in first.text and "立即抽奖" not in first.text
    again = await client.post("/m/verify/acme", data={"code": number})
    assert re.search(r"<dd data-scan-count>2</dd>", again.text)

    for slug, code in (("acme", f"{int(number) ^ 1:012d}"), ("other", number), ("acme", "12345")):
        refused = await client.post(f"/m/verify/{slug}", data={"code": code})
        assert refused.status_code == 404 and "未查询到此码" in refused.text, (slug, code)
        assert 'name="code"' in refused.text  # the form again, to correct what was typed
    assert (await client.get("/m/verify/nobody")).status_code == 404
    assert (await client.post("/m/verify/acme", data={"code": " "})).status_code == 422


async def test_the_api_answers_a_typed_number_for_apps(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=1)
    number = await _anti_fake(db, "acme", batch.first_serial)
    answer = await client.post("/api/v1/scans/verify", json={"brand": "acme", "code": f"{number[:6]}-{number[6:]}"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["verdict"], body["scan_count"], body["draw_offered"]) == ("genuine", 1, False)
    unknown = await client.post("/api/v1/scans/verify", json={"brand": "acme", "code": "000000000000"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    loose = await client.post("/api/v1/scans/verify", json={"brand": "acme", "code": number, "serial": 1})
    assert loose.status_code == 422
