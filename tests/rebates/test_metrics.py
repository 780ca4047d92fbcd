"""返利看板 and the channel assistants on a constructed scenario, through HTTP: the dealer
receives the pallet (two cases: Bb held twice), its store opens one case (released), consumers
scan two bottles of it (BbC: store 2.00 and dealer 1.00 each). Exact figures everywhere."""

from __future__ import annotations

import httpx

from tests.partners.factories import channel_token
from tests.rebates.world import (
    DEALER_PHONE,
    REBATES,
    STORE_PHONE,
    World,
    consumer_scan,
    dealer_of,
    move,
    policy,
    post,
)
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner


async def _scenario(db: Database, client: httpx.AsyncClient, runner: Runner, w: World) -> dict[str, int | str]:
    bbc = await policy(client, w, name="三方联动", kind="bbc", store_fen=200, dealer_fen=100)
    bb = await policy(client, w, name="防窜货", kind="bb", dealer_fen=500)
    await move(client, w, "receipts", [w.pallet], {"receiver": dealer_of(w)})
    await runner.drain()
    token = await channel_token(client, "acme", STORE_PHONE)
    await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, {"Authorization": f"Bearer {token}"})
    for bottle in w.bottles[:2]:  # in the opened case
        await consumer_scan(client, db, bottle)
    return {"bbc": bbc["id"], "bb": bb["id"], "store_token": token}


async def test_the_metrics_count_scan_rates_costs_and_bb_states(
    db: Database, client: httpx.AsyncClient, runner: Runner, world: World
) -> None:
    ids = await _scenario(db, client, runner, world)
    answer = await client.get("/api/v1/analytics/channel-metrics", headers=world.staff)
    assert answer.status_code == 200, answer.text
    m = answer.json()
    rates = {r["role"]: (r["scanned"], r["base"], r["rate"]) for r in m["scan_rates"]}
    assert rates == {"consumer": (2, 12, 2 / 12), "store": (1, 2, 0.5)}
    assert m["cost_fen"] == 500 + 2 * 200 + 2 * 100
    assert [(r["key"], r["count"], r["amount_fen"]) for r in m["by_policy"]] == [
        (str(ids["bbc"]), 4, 600), (str(ids["bb"]), 1, 500),
    ]  # fmt: skip
    assert [(r["key"], r["amount_fen"]) for r in m["by_dealer"]] == [(str(world.dealer_id), 1100)]
    assert [(r["name"], r["amount_fen"]) for r in m["by_region"]] == [("未定位", 1100)]
    assert [(s["state"], s["count"], s["amount_fen"]) for s in m["bb"]] == [("held", 1, 500), ("released", 1, 500)]


async def test_a_period_that_ends_before_it_starts_is_refused(client: httpx.AsyncClient, world: World) -> None:
    period = {"since": "2026-02-01", "until": "2026-01-01"}
    refused = await client.get("/api/v1/analytics/channel-metrics", params=period, headers=world.staff)
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "since"


async def _page(client: httpx.AsyncClient, token: str, path: str) -> str:
    client.cookies.set("yima_channel", token)
    try:
        page = await client.get(path)
    finally:
        client.cookies.clear()
    assert page.status_code == 200, page.text
    return page.text


async def test_the_assistants_show_the_store_and_the_dealer_their_own_amounts(
    db: Database, client: httpx.AsyncClient, runner: Runner, world: World
) -> None:
    store_token = str((await _scenario(db, client, runner, world))["store_token"])
    dealer_token = await channel_token(client, "acme", DEALER_PHONE)
    store = await _page(client, store_token, "/m/rebates/mine")
    assert "我的奖励" in store and 'data-state="paid" data-fen="400"' in store
    assert store.count("消费者扫了您登记的商品") == 2 and "held" not in store.split("data-credits")[0]
    scans = await _page(client, store_token, "/m/rebates/scans")
    assert f"整箱 #{world.bottles[-1] + 1}" in scans  # the opened case: the serial after the bottles
    dealer = await _page(client, dealer_token, "/m/rebates/mine")
    assert "我的返利" in dealer
    for state, fen in (("paid", 200), ("held", 500), ("released", 500)):
        assert f'data-state="{state}" data-fen="{fen}"' in dealer
    assert "暂扣" in dealer and "您的门店" in dealer
    stores = await _page(client, dealer_token, "/m/rebates/stores")
    assert f'data-store="{world.store_id}"' in stores and 'data-registered="1"' in stores
    home = await _page(client, dealer_token, "/m/partner")
    assert 'data-assistant="rebates"' in home and 'data-assistant="scans"' not in home


async def test_a_signed_out_phone_is_sent_to_the_login(client: httpx.AsyncClient) -> None:
    answer = await client.get("/m/rebates/mine")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/m/partner/login?next=%2Fm%2Frebates")
