"""``POST /api/v1/scans``: verify, record and draw in one call — the mini-program's scan."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from tests.identity.factories import create_tenant, system
from tests.scans.factories import code_url, scan_to_win
from yima.campaigns.models import CampaignAward
from yima.codes.tokens import Face
from yima.platform.db.session import Database
from yima.scans.models import ScanRecord
from yima.wallet import service as wallet

API = "/api/v1/scans"


async def _awards(db: Database) -> int:
    query = select(func.count()).select_from(CampaignAward).execution_options(all_tenants=True)
    async with db.session() as session:
        return int(await session.scalar(query) or 0)


async def test_a_first_scan_verifies_draws_and_makes_a_visitor(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme", name="赤水河酒业")
    batch, campaign = await scan_to_win(db, "acme")
    url = await code_url(db, "acme", batch.first_serial)

    answer = await client.post(API, json={"code": url, "lat": 30.66, "lon": 104.06})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["verdict"], body["brand_name"], body["scan_count"]) == ("genuine", "赤水河酒业", 1)
    assert body["draw"]["outcome"] == "awarded" and body["draw"]["campaign_id"] == campaign.id
    award = body["draw"]["award"]
    assert award["code_serial"] == batch.first_serial and award["role"] == "consumer"
    assert body["visitor_token"] and "yima_visitor=" in answer.headers["set-cookie"]
    async with system(db, "acme") as ctx:
        assert await wallet.is_balanced(ctx)
        record = await ctx.session.get(ScanRecord, body["scan_id"])
        assert record is not None
        assert (record.outcome, record.award_id, record.risk_decision) == ("awarded", award["id"], "pay")
        assert record.person_id == award["person_id"] and record.region_code is not None


async def test_a_retry_with_its_key_gets_the_first_answer(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme")
    url = await code_url(db, "acme", batch.first_serial)
    first = (await client.post(API, json={"code": url}, headers={"Idempotency-Key": "retry-0001"})).json()
    visitor = {"X-Yima-Visitor": first["visitor_token"], "Idempotency-Key": "retry-0001"}

    again = await client.post(API, json={"code": url}, headers=visitor)

    assert again.status_code == 200, again.text
    assert again.json()["replayed"] is True and again.json()["scan_id"] == first["scan_id"]
    assert again.json()["draw"] == first["draw"]
    assert await _awards(db) == 1


async def test_a_code_awards_once_and_later_scans_are_told(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme")
    url = await code_url(db, "acme", batch.first_serial)
    assert (await client.post(API, json={"code": url})).json()["draw"]["outcome"] == "awarded"
    client.cookies.clear()

    second = await client.post(API, json={"code": url})

    assert second.json()["draw"]["outcome"] == "already_awarded" and second.json()["draw"]["award"] is None
    assert second.json()["scan_count"] == 2
    assert await _awards(db) == 1


async def test_only_the_hidden_code_of_an_active_bottle_draws(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme")
    outer = await client.post(API, json={"code": await code_url(db, "acme", batch.first_serial, Face.OUTER)})
    assert outer.json()["draw"]["outcome"] == "verified" and outer.json()["verdict"] == "genuine"
    assert await _awards(db) == 0


async def test_without_a_running_campaign_the_scan_only_verifies(db: Database, client: httpx.AsyncClient) -> None:
    from tests.codes.factories import activated_batch

    await create_tenant(db, "acme")
    batch, _ = await activated_batch(db, "acme", quantity=2)
    answer = await client.post(API, json={"code": await code_url(db, "acme", batch.first_serial)})
    assert answer.json()["draw"] == {
        "outcome": "no_campaign", "message": "当前没有进行中的扫码活动", "campaign_id": None, "award": None,
        "address_required": False,
    }  # fmt: skip


async def test_a_forged_code_is_not_found_and_records_nothing(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme")
    url = await code_url(db, "acme", batch.first_serial)
    forged = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    answer = await client.post(API, json={"code": forged})
    assert answer.status_code == 404
    async with db.session() as session:
        count = select(func.count()).select_from(ScanRecord).execution_options(all_tenants=True)
        assert await session.scalar(count) == 0


async def test_bad_input_says_what_and_where(db: Database, client: httpx.AsyncClient) -> None:
    answer = await client.post(API, json={"code": "x", "lat": 30.1})
    assert answer.status_code == 422
    assert "lat and lon together" in answer.text
    bad_key = await client.post(API, json={"code": "x"}, headers={"Idempotency-Key": "a b"})
    assert bad_key.status_code == 422 and "idempotency-key" in bad_key.text.lower()


async def _scans(db: Database) -> int:
    query = select(func.count()).select_from(ScanRecord).execution_options(all_tenants=True)
    async with db.session() as session:
        return int(await session.scalar(query) or 0)


async def test_a_key_reused_for_another_code_is_refused(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme")
    first_url, other_url = [await code_url(db, "acme", batch.first_serial + i) for i in (0, 1)]
    first = (await client.post(API, json={"code": first_url}, headers={"Idempotency-Key": "reused-0001"})).json()
    headers = {"X-Yima-Visitor": first["visitor_token"], "Idempotency-Key": "reused-0001"}

    other = await client.post(API, json={"code": other_url}, headers=headers)

    assert other.status_code == 409, other.text
    error = other.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert [(d["field"], d["code"]) for d in error["details"]] == [("Idempotency-Key", "idempotency_key_reused")]
    assert (await _scans(db), await _awards(db)) == (1, 1)
    again = await client.post(API, json={"code": first_url}, headers=headers)  # the real retry still replays
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert again.json()["draw"] == first["draw"] and again.json()["scan_id"] == first["scan_id"]
    fresh = await client.post(API, json={"code": other_url}, headers=headers | {"Idempotency-Key": "reused-0002"})
    assert fresh.json()["draw"]["outcome"] == "awarded" and fresh.json()["replayed"] is False
    assert (await _scans(db), await _awards(db)) == (2, 2)


async def test_every_time_shown_is_the_brands_local_time(db: Database, client: httpx.AsyncClient) -> None:
    from tests.identity.factories import bearer, create_client

    await create_tenant(db, "acme")  # Asia/Shanghai
    batch, _ = await scan_to_win(db, "acme")
    url = await code_url(db, "acme", batch.first_serial)
    answer = await client.post(
        API, json={"code": url, "lat": 30.66, "lon": 104.06}, headers={"Idempotency-Key": "local-0001"}
    )
    body = answer.json()
    assert body["first_scanned_at"].endswith("+08:00") and body["draw"]["award"]["created_at"].endswith("+08:00")
    replay = await client.post(API, json={"code": url}, headers={"Idempotency-Key": "local-0001"})
    assert replay.json()["draw"] == body["draw"]
    staff = await bearer(client, await create_client(db, "acme", ["scans:read"]))
    [listed] = (await client.get(API, headers=staff)).json()["items"]
    assert listed["scanned_at"].endswith("+08:00") and listed["located_at"].endswith("+08:00")


async def test_the_nth_scan_counts_codes_not_rescans(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme", targeting={"nth_scans": [2]})
    first, second = [await code_url(db, "acme", batch.first_serial + i) for i in range(2)]
    answer = (await client.post(API, json={"code": first})).json()
    visitor = {"X-Yima-Visitor": answer["visitor_token"]}
    assert answer["draw"]["outcome"] == "not_eligible"
    again = (await client.post(API, json={"code": first}, headers=visitor)).json()
    assert again["draw"]["outcome"] == "not_eligible"  # the same cap again is not the second scan
    assert (await client.post(API, json={"code": second}, headers=visitor)).json()["draw"]["outcome"] == "awarded"

