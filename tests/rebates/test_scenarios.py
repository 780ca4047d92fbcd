"""Issue 6's rebate scenarios through HTTP: a pallet goes to dealer A and its cases to stores;
Bb holds the dealer's rebate per case, releases it when A's own store signs for a case and
forfeits it when another dealer's store does; the store opens its case by scanning it, and each
consumer scan of a bottle from it pays the store (bC) and its dealer (BbC) once, with the reason;
a scan of goods found diverted pays nothing. The ledger balances throughout."""

from __future__ import annotations

import httpx
import pytest

from tests.campaigns.factories import running_campaign
from tests.partners.factories import channel_auth
from tests.rebates.world import (
    DEALER_PHONE,
    OTHER_STORE_PHONE,
    REBATES,
    STORE_PHONE,
    World,
    balanced,
    consumer_scan,
    credits,
    dealer_of,
    move,
    policy,
    post,
)
from tests.scans.factories import code_url
from yima.codes.tokens import Face
from yima.platform.db import direct
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner


async def test_bb_holds_per_case_releases_to_the_own_store_and_forfeits_to_another(
    db: Database, client: httpx.AsyncClient, runner: Runner, world: World
) -> None:
    w = world
    bb = await policy(client, w, name="防窜货 5 元/箱", kind="bb", dealer_fen=500)
    await move(client, w, "warehouse-in", [w.pallet], {"warehouse_id": w.warehouse_id})
    await move(client, w, "shipments", [w.pallet], {"source": {"kind": "warehouse", "id": w.warehouse_id},
                                                      "destination": dealer_of(w)})  # fmt: skip
    await move(client, w, "receipts", [w.pallet], {"receiver": dealer_of(w)})
    await runner.drain()
    held = await credits(client, w.staff, policy_id=bb["id"])
    assert sorted((c["state"], c["amount_fen"], c["receiver_id"]) for c in held) == [("held", 500, w.dealer_id)] * 2
    await runner.drain()  # redelivery holds nothing twice
    assert len(await credits(client, w.staff, policy_id=bb["id"])) == 2

    for case, store_id in [(w.case_outer[0], w.store_id), (w.case_outer[1], w.other_store_id)]:
        to_store = {"kind": "store", "id": store_id}
        await move(client, w, "shipments", [case], {"source": dealer_of(w), "destination": to_store})
        await move(client, w, "receipts", [case], {"receiver": to_store})
    await runner.drain()
    states = {c["state"]: c for c in await credits(client, w.staff, policy_id=bb["id"])}
    assert set(states) == {"released", "forfeited"}
    assert "您的门店" in states["released"]["reason"] and "窜货" in states["forfeited"]["reason"]
    outcome = (await client.get(f"{REBATES}/policies/{bb['id']}/outcome", headers=w.staff)).json()
    assert (outcome["paid_fen"], outcome["held_fen"], outcome["forfeited_fen"]) == (500, 0, 500)
    assert outcome["policy"]["budget_left_fen"] == 10_000 - 500

    dealer = await channel_auth(client, "acme", DEALER_PHONE)
    mine = await credits(client, dealer, "my-credits")
    assert [(c["state"], c["amount_fen"]) for c in mine if c["state"] == "released"] == [("released", 500)]
    store = await channel_auth(client, "acme", STORE_PHONE)
    assert await credits(client, store, "my-credits") == []  # the dealer's rebate is not the store's to see
    assert await balanced(db)


async def test_a_store_opens_its_case_and_consumer_scans_pay_store_and_dealer_once(
    db: Database, client: httpx.AsyncClient, runner: Runner, world: World
) -> None:
    w = world
    bbc = await policy(client, w, name="三方联动", kind="bbc", store_fen=200, dealer_fen=100)
    store = await channel_auth(client, "acme", STORE_PHONE)
    other = await channel_auth(client, "acme", OTHER_STORE_PHONE)
    opened = await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    assert (opened["registered_now"], opened["store_id"]) == (True, w.store_id)
    again = await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    assert again["registered_now"] is False
    taken = await client.post(f"{REBATES}/store-scans", json={"code": w.case_inner[0]}, headers=other)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "registered_elsewhere")
    wrong = await client.post(f"{REBATES}/store-scans", json={"code": w.case_outer[1]}, headers=store)
    assert (wrong.status_code, wrong.json()["error"]["details"][0]["code"]) == (422, "wrong_face")
    not_mine = await client.post(f"{REBATES}/store-scans", json={"code": w.case_inner[1], "store_id": w.other_store_id},
                                 headers=store)  # fmt: skip
    assert (not_mine.status_code, not_mine.json()["error"]["code"]) == (403, "not_your_partner")

    bottle = w.bottles[0]  # in the case the store opened
    for _ in range(2):  # two consumers scan it: the store and dealer are paid once
        await consumer_scan(client, db, bottle)
    unregistered = w.bottles[6]  # in the other case, which no store registered
    await consumer_scan(client, db, unregistered)

    found = await credits(client, w.staff, policy_id=bbc["id"])
    assert sorted((c["receiver_kind"], c["amount_fen"], c["state"], c["serial"]) for c in found) == [
        ("dealer", 100, "paid", bottle), ("store", 200, "paid", bottle),
    ]  # fmt: skip
    mine = await credits(client, store, "my-credits")
    assert len(mine) == 1 and "消费者扫了您登记的商品" in mine[0]["reason"]
    # stored UTC, answered in the brand's time, as the phone pages and the console show them
    times = [opened["registered_at"], bbc["created_at"], *(c[k] for c in found for k in ("created_at", "updated_at"))]
    assert all(t.endswith("+08:00") for t in times), times
    accounts = await client.get("/api/v1/wallet/accounts", params={"kind": "participant"}, headers=w.staff)
    assert sorted(a["balance"] for a in accounts.json()["items"]) == [100, 200]
    assert await balanced(db)


async def test_a_bottle_of_a_case_a_store_opened_stays_that_stores(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    """Another store scanning the outer code of a bottle in a case a store opened must not take
    it (its consumer scans would pay the wrong store and dealer); the opener is told it has it."""
    w = world
    bbc = await policy(client, w, name="三方联动", kind="bbc", store_fen=200, dealer_fen=100)
    store = await channel_auth(client, "acme", STORE_PHONE)
    other = await channel_auth(client, "acme", OTHER_STORE_PHONE)
    opened = await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    bottle = await code_url(db, "acme", w.bottles[0], Face.OUTER)  # in the opened case
    taken = await client.post(f"{REBATES}/store-scans", json={"code": bottle}, headers=other)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "registered_elsewhere")
    mine = await post(client, f"{REBATES}/store-scans", {"code": bottle}, store)
    assert (mine["registered_now"], mine["store_id"], mine["registered_at"]) == (
        False, w.store_id, opened["registered_at"],
    )  # fmt: skip
    await consumer_scan(client, db, w.bottles[0])
    found = await credits(client, w.staff, policy_id=bbc["id"])
    assert sorted((c["receiver_kind"], c["receiver_id"]) for c in found) == [("dealer", w.dealer_id),
                                                                             ("store", w.store_id)]  # fmt: skip
    assert await balanced(db)


async def test_a_bottle_a_consumer_scanned_before_its_store_registered_it_pays_no_one(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    """Registration after the fact: a store scanning the case of a bottle consumers have already
    opened and scanned earns nothing from that bottle; its untouched bottles still pay."""
    w = world
    bbc = await policy(client, w, name="三方联动", kind="bbc", store_fen=200, dealer_fen=100)
    opened_first, untouched = w.bottles[0], w.bottles[1]  # both in the first case
    await consumer_scan(client, db, opened_first)  # no store has these goods yet: nobody is paid
    store = await channel_auth(client, "acme", STORE_PHONE)
    await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)

    await consumer_scan(client, db, opened_first)
    assert await credits(client, w.staff, policy_id=bbc["id"]) == []
    await consumer_scan(client, db, untouched)
    paid = await credits(client, w.staff, policy_id=bbc["id"])
    assert sorted((c["receiver_kind"], c["serial"]) for c in paid) == [("dealer", untouched), ("store", untouched)]
    assert await balanced(db)


async def test_a_policy_without_budget_credits_but_pays_nothing(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    created = await post(client, f"{REBATES}/policies", {"name": "双向红包", "kind": "bc", "store_fen": 300}, w.staff)
    await post(client, f"{REBATES}/policies/{created['id']}/activate", {}, w.staff)  # never funded
    store = await channel_auth(client, "acme", STORE_PHONE)
    await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[1]}, store)
    await consumer_scan(client, db, w.bottles[7])
    [credit] = await credits(client, w.staff, policy_id=created["id"])
    assert (credit["state"], credit["journal_id"]) == ("budget_exhausted", None)
    assert await balanced(db)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "kind": "bb", "dealer_fen": 0}, "dealer_fen"),
        ({"name": "x", "kind": "bc", "store_fen": 100, "dealer_fen": 50}, "dealer_fen"),
        ({"name": "x", "kind": "bbc", "store_fen": 100}, "dealer_fen"),
        ({"name": "x", "kind": "bc", "store_fen": 0}, "store_fen"),
        ({"name": "x", "kind": "bc", "store_fen": 100, "salesman_fen": 5}, "salesman_fen"),
        ({"name": "x", "kind": "guide", "guide_fen": 10, "store_fen": 5}, "store_fen"),
        (
            {"name": "x", "kind": "purchase", "store_fen": 100, "coupon_product_id": 1, "coupon_quantity": 1},
            "coupon_days",
        ),
        ({"name": "x", "kind": "bc", "store_fen": 100, "coupon_days": 3}, "coupon_days"),
        (
            {
                "name": "x",
                "kind": "bc",
                "store_fen": 100,
                "starts_at": "2026-02-01T00:00:00+08:00",
                "ends_at": "2026-01-01T00:00:00+08:00",
            },
            "ends_at",
        ),
        ({"name": "x", "kind": "bc", "store_fen": 100, "product_ids": [999999]}, "product_ids[0]"),
    ],
)
async def test_a_policy_that_cannot_pay_as_configured_is_refused(
    client: httpx.AsyncClient, world: World, body: dict[str, object], field: str
) -> None:
    refused = await client.post(f"{REBATES}/policies", json=body, headers=world.staff)
    assert refused.status_code == 422, refused.text
    # the answer names the field to fix, not the whole body
    assert [d["field"] for d in refused.json()["error"]["details"]] == [field], refused.text
    assert (await client.get(f"{REBATES}/policies", headers=world.staff)).json()["items"] == []


async def test_opening_a_case_draws_its_open_case_reward_once(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    pool = [
        {"name": "开箱红包", "kind": "cash", "amount_fen": 300, "weight": 1},
        {
            "name": "进货抵扣券",
            "kind": "coupon",
            "coupon_ref": "PURCHASE-100",
            "cost_fen": 100,
            "weight": 0,
            "fallback": True,
        },
    ]
    await running_campaign(db, "acme", audience="store", scope={"product_ids": [w.product_id]}, prizes=pool)
    await running_campaign(db, "acme", audience="consumer", scope={"product_ids": [w.product_id]})
    store = await channel_auth(client, "acme", STORE_PHONE)

    opened = await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    [reward] = opened["rewards"]
    assert (reward["kind"], reward["amount_fen"], reward["title"]) == ("open_case_prize", 300, "开箱红包 ¥3.00")
    assert "开箱有礼" in reward["reason"] and "#" in reward["reason"]
    again = await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    assert again["registered_now"] is False and again["rewards"] == opened["rewards"]  # the same prize, shown again
    accounts = await client.get("/api/v1/wallet/accounts", params={"kind": "participant"}, headers=w.staff)
    [account] = accounts.json()["items"]
    assert account["balance"] == 300  # paid once, to the store's person
    lines = await client.get(f"/api/v1/wallet/accounts/{account['id']}/entries", headers=w.staff)
    assert [line["memo"] for line in lines.json()["items"]] == ["开箱有礼 开箱红包"]  # not a consumer's 扫码红包
    assert await balanced(db)


async def test_a_consumer_scan_that_finds_the_goods_diverted_pays_nobody(
    db: Database, client: httpx.AsyncClient, runner: Runner, world: World
) -> None:
    w = world
    bbc = await policy(client, w, name="三方联动", kind="bbc", store_fen=200, dealer_fen=100)
    await move(client, w, "warehouse-in", [w.pallet], {"warehouse_id": w.warehouse_id})
    await move(client, w, "shipments", [w.pallet], {"source": {"kind": "warehouse", "id": w.warehouse_id},
                                                      "destination": dealer_of(w)})  # fmt: skip
    await move(client, w, "receipts", [w.pallet], {"receiver": dealer_of(w)})  # 成都市 is the dealer's territory
    store = await channel_auth(client, "acme", STORE_PHONE)
    await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)

    beijing = {"code": await code_url(db, "acme", w.bottles[0]), "lat": 39.90, "lon": 116.40}
    chengdu = {"code": await code_url(db, "acme", w.bottles[1]), "lat": 30.66, "lon": 104.06}
    together: list[str] = []
    direct.listen(listener := lambda statement, sql: together.append(sql) if sql.startswith("WITH q0 AS") else None)
    try:
        for body in (beijing, chengdu):
            scanned = await client.post("/api/v1/scans", json=body)
            assert scanned.status_code == 200, scanned.text
    finally:
        direct.remove(listener)
    if db.engine.dialect.name == "postgresql":  # each scan: trace's events and rebates' registrations at once
        events = [s for s in together if "epcis_event_epcs" in s]
        assert len(events) == 2 and all("rebate_registrations" in s for s in events)
    await runner.drain()

    found = await credits(client, w.staff, policy_id=bbc["id"])
    assert {c["serial"] for c in found} == {w.bottles[1]}  # the scan in 北京 was itself the diversion finding
    diversions = await client.get("/api/v1/trace/diversions", headers=w.staff)
    assert [d["serial"] for d in diversions.json()["items"]] == [w.bottles[0]]
    assert await balanced(db)
