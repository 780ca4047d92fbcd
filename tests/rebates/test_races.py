"""The rebates under concurrency, through HTTP on an app committing for real (SQLite and
PostgreSQL): two of a store's people opening one case at once, two stores racing for one case,
a consumer's scan racing the store's registration of the bottle's case, and a coupon honoured
twice at once. Each ends in exactly one registration, one prize, one coupon, one payment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.campaigns.factories import running_campaign
from tests.harness import delete_brand
from tests.partners.factories import channel_auth
from tests.rebates.world import (
    CLERK_PHONE,
    OTHER_STORE_PHONE,
    REBATES,
    STORE_PHONE,
    World,
    balanced,
    build_world,
    consumer_scan,
    credits,
    policy,
    post,
)
from yima.identity import service as identity
from yima.main import create_app
from yima.platform import caches
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner
from yima.settings import get_settings


@pytest.fixture
async def http(engine_db: Database) -> AsyncIterator[httpx.AsyncClient]:
    settings = get_settings().model_copy(update={"scan_rate_per_minute": 10_000})
    app = create_app(settings, database=engine_db, run_worker=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def race(engine_db: Database, http: httpx.AsyncClient, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    slug = f"rebate-race-{request.node.name[5:30].replace('_', '-')}"
    caches.clear_all()
    try:
        yield await build_world(engine_db, http, Runner(engine_db, identity.tenant_info), slug)
    finally:
        await delete_brand(engine_db, slug)
        caches.clear_all()


async def test_two_clerks_opening_one_case_register_it_once_and_draw_once(
    engine_db: Database, http: httpx.AsyncClient, race: World
) -> None:
    w = race
    pool = [{"name": "开箱红包", "kind": "cash", "amount_fen": 300, "weight": 1, "fallback": True}]
    await running_campaign(engine_db, w.slug, audience="store", scope={"product_ids": [w.product_id]}, prizes=pool)
    people = [await channel_auth(http, w.slug, phone) for phone in (STORE_PHONE, CLERK_PHONE)]
    answers = await asyncio.gather(
        *(http.post(f"{REBATES}/store-scans", json={"code": w.case_inner[0]}, headers=p) for p in people * 3)
    )
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    results = [a.json() for a in answers]
    assert sum(r["registered_now"] for r in results) == 1
    assert {str(r["rewards"]) for r in results} == {str(results[0]["rewards"])}  # one prize, shown to all
    accounts = await http.get("/api/v1/wallet/accounts", params={"kind": "participant"}, headers=w.staff)
    assert [a["balance"] for a in accounts.json()["items"]] == [300]
    assert await balanced(engine_db, w.slug)


async def test_two_stores_racing_for_one_case_one_keeps_it(http: httpx.AsyncClient, race: World) -> None:
    w = race
    stores = [await channel_auth(http, w.slug, phone) for phone in (STORE_PHONE, OTHER_STORE_PHONE)]
    answers = await asyncio.gather(
        *(http.post(f"{REBATES}/store-scans", json={"code": w.case_inner[1]}, headers=s) for s in stores * 2)
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 200, 409, 409], [a.text for a in answers]
    kept = {a.json()["store_id"] for a in answers if a.status_code == 200}
    assert len(kept) == 1


async def test_a_consumer_scan_racing_the_registration_pays_at_most_once(
    engine_db: Database, http: httpx.AsyncClient, race: World
) -> None:
    w = race
    bbc = await policy(http, w, name="三方联动", kind="bbc", store_fen=200, dealer_fen=100)
    store = await channel_auth(http, w.slug, STORE_PHONE)
    bottle = w.bottles[0]  # in the first case
    await asyncio.gather(
        post(http, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store),
        consumer_scan(http, engine_db, bottle, w.slug),
        consumer_scan(http, engine_db, bottle, w.slug),
    )
    paid = await credits(http, w.staff, policy_id=bbc["id"])
    # Either a scan saw the registration (store and dealer paid once each) or none did (nothing).
    assert sorted(c["receiver_kind"] for c in paid) in ([], ["dealer", "store"])
    await consumer_scan(http, engine_db, bottle, w.slug)  # later scans find it registered: paid once, still
    paid = await credits(http, w.staff, policy_id=bbc["id"])
    assert sorted((c["receiver_kind"], c["amount_fen"]) for c in paid) in ([], [("dealer", 100), ("store", 200)])
    assert await balanced(engine_db, w.slug)


async def test_a_coupon_honoured_twice_at_once_pays_once(
    engine_db: Database, http: httpx.AsyncClient, race: World
) -> None:
    w = race
    body = {"name": "进货返利", "kind": "purchase", "product_ids": [w.product_id], "store_fen": 400,
            "coupon_product_id": w.product_id, "coupon_quantity": 1, "coupon_days": 30}  # fmt: skip
    created = await post(http, f"{REBATES}/policies", body, w.staff)
    active = await post(http, f"{REBATES}/policies/{created['id']}/activate", {}, w.staff)
    await post(http, "/api/v1/wallet/fundings", {"amount_fen": 1_000, "reference": "BANK-race"}, w.staff)
    await post(http, f"/api/v1/wallet/budgets/{active['budget_account_id']}/allocations",
               {"amount_fen": 1_000, "key": "alloc-race"}, w.staff)  # fmt: skip
    store = await channel_auth(http, w.slug, STORE_PHONE)
    await post(http, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    [coupon] = (await http.get(f"{REBATES}/coupons", headers=w.staff)).json()["items"]
    answers = await asyncio.gather(
        *(http.post(f"{REBATES}/coupons/{coupon['id']}/redeem", headers=w.staff) for _ in range(4))
    )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409], [a.text for a in answers]
    accounts = await http.get("/api/v1/wallet/accounts", params={"kind": "participant"}, headers=w.staff)
    assert [a["balance"] for a in accounts.json()["items"]] == [400]
    assert await balanced(engine_db, w.slug)
