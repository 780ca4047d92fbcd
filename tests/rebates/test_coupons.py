"""进货返利 (purchase rebate) through HTTP: a store opening a case gets a product coupon (货补券),
once per case; the store's own dealer honours it and the policy's budget pays the dealer its
value, once; coupons never reserve more than the budget holds; no one else honours them (the
racing redemptions are in test_races.py)."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from sqlalchemy import update

from tests.identity.factories import system
from tests.partners.factories import channel_auth, channel_token
from tests.rebates.world import DEALER_PHONE, OTHER_STORE_PHONE, REBATES, STORE_PHONE, World, balanced, post
from yima.partners.permissions import CHANNEL_COOKIE
from yima.platform.db.session import Database
from yima.rebates.models import RebateCoupon
from yima.wallet import service as wallet


async def _purchase_policy(client: httpx.AsyncClient, w: World, funded_fen: int, value_fen: int = 400) -> dict:  # type: ignore[type-arg]
    body = {"name": "进货返利 每箱送 1 瓶", "kind": "purchase", "product_ids": [w.product_id], "store_fen": value_fen,
            "coupon_product_id": w.product_id, "coupon_quantity": 1, "coupon_days": 30}  # fmt: skip
    created = await post(client, f"{REBATES}/policies", body, w.staff)
    active = await post(client, f"{REBATES}/policies/{created['id']}/activate", {}, w.staff)
    await post(client, "/api/v1/wallet/fundings", {"amount_fen": funded_fen, "reference": f"BANK-{created['id']}"},
               w.staff)  # fmt: skip
    await post(client, f"/api/v1/wallet/budgets/{active['budget_account_id']}/allocations",
               {"amount_fen": funded_fen, "key": f"alloc-{created['id']}"}, w.staff)  # fmt: skip
    return active


async def _items(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list:  # type: ignore[type-arg]
    response = await client.get(f"{REBATES}/{path}", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_an_opened_case_earns_a_coupon_the_dealer_honours_once(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    await _purchase_policy(client, w, funded_fen=1_000)
    store = await channel_auth(client, "acme", STORE_PHONE)
    opened = await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    [reward] = opened["rewards"]
    assert reward["kind"] == "purchase_coupon" and reward["title"].endswith("× 1") and "货补券" in reward["reason"]
    again = await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    assert again["rewards"] == opened["rewards"]  # the same coupon, not a second one
    [coupon] = await _items(client, "my-coupons", store)
    assert (coupon["state"], coupon["value_fen"], coupon["store_id"]) == ("issued", 400, w.store_id)

    refused = await client.post(f"{REBATES}/my-coupons/{coupon['id']}/redeem", headers=store)  # a store cannot
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_your_partner")
    other = await channel_auth(client, "acme", OTHER_STORE_PHONE)
    assert await _items(client, "my-coupons", other) == []
    dealer = await channel_auth(client, "acme", DEALER_PHONE)
    assert [c["id"] for c in await _items(client, "my-coupons", dealer)] == [coupon["id"]]
    redeemed = await post(client, f"{REBATES}/my-coupons/{coupon['id']}/redeem", {}, dealer)
    assert redeemed["state"] == "redeemed" and redeemed["journal_id"]
    twice = await client.post(f"{REBATES}/my-coupons/{coupon['id']}/redeem", headers=dealer)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "coupon_redeemed")
    accounts = await client.get("/api/v1/wallet/accounts", params={"kind": "participant"}, headers=w.staff)
    assert [a["balance"] for a in accounts.json()["items"]] == [400]  # the dealer's owner, paid once
    assert await balanced(db)


async def test_coupons_never_reserve_more_than_the_budget_holds(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    policy = await _purchase_policy(client, w, funded_fen=500)  # one coupon's worth
    store = await channel_auth(client, "acme", STORE_PHONE)
    first = await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    second = await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[1]}, store)
    assert (len(first["rewards"]), second["rewards"]) == (1, [])
    coupons = await _items(client, f"coupons?policy_id={policy['id']}", w.staff)
    assert [c["serial"] for c in coupons] == [first["serial"]]
    assert await balanced(db)


async def test_a_purchase_policy_outcome_counts_its_coupons(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    policy = await _purchase_policy(client, w, funded_fen=1_000)
    store = await channel_auth(client, "acme", STORE_PHONE)
    for case in w.case_inner:
        await post(client, f"{REBATES}/store-scans", {"code": case}, store)
    outcome_path = f"{REBATES}/policies/{policy['id']}/outcome"
    issued = (await client.get(outcome_path, headers=w.staff)).json()
    assert (issued["coupons"], issued["reserved_fen"], issued["paid_fen"]) == (
        [{"state": "issued", "count": 2, "value_fen": 800}], 800, 0,
    )  # fmt: skip
    first, second = sorted(await _items(client, f"coupons?policy_id={policy['id']}", w.staff), key=lambda c: c["id"])
    dealer = await channel_auth(client, "acme", DEALER_PHONE)
    await post(client, f"{REBATES}/my-coupons/{first['id']}/redeem", {}, dealer)
    async with system(db, "acme") as ctx:  # the second coupon's last day passes
        await ctx.session.execute(
            update(RebateCoupon)
            .where(RebateCoupon.id == second["id"])
            .values(expires_at=ctx.now() - dt.timedelta(days=1))
        )

    outcome = (await client.get(outcome_path, headers=w.staff)).json()
    assert sorted((c["state"], c["count"], c["value_fen"]) for c in outcome["coupons"]) == [
        ("expired", 1, 400), ("redeemed", 1, 400),
    ]  # fmt: skip
    assert (outcome["paid_fen"], outcome["reserved_fen"]) == (400, 0)
    assert outcome["policy"]["budget_left_fen"] == 1_000 - 400


async def _phone(client: httpx.AsyncClient, token: str, path: str, form: dict[str, str] | None = None) -> str:
    client.cookies.set(CHANNEL_COOKIE, token)
    try:
        answer = await (client.post(path, data=form) if form is not None else client.get(path))
    finally:
        client.cookies.clear()
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_the_dealer_honours_a_coupon_on_the_phone(db: Database, client: httpx.AsyncClient, world: World) -> None:
    w = world
    await _purchase_policy(client, w, funded_fen=1_000)
    store = await channel_auth(client, "acme", STORE_PHONE)
    await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    [coupon] = await _items(client, "coupons", w.staff)
    store_token = store["Authorization"].removeprefix("Bearer ")  # the same session, on the phone
    store_page = await _phone(client, store_token, "/m/rebates/coupons")
    assert f'data-coupon="{coupon["id"]}" data-state="issued"' in store_page and "核销</button>" not in store_page

    dealer = await channel_token(client, "acme", DEALER_PHONE)
    page = await _phone(client, dealer, "/m/rebates/coupons")
    assert "待您核销" in page and "核销</button>" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    wrong = await _phone_status(client, dealer, f"/m/rebates/coupons/{coupon['id']}/redeem", {"csrf_token": "x"})
    assert wrong == 403
    done = await _phone(client, dealer, f"/m/rebates/coupons/{coupon['id']}/redeem", {"csrf_token": csrf.group(1)})
    assert "已核销" in done and f'data-coupon="{coupon["id"]}" data-state="redeemed"' in done
    again = await _phone(client, dealer, f"/m/rebates/coupons/{coupon['id']}/redeem", {"csrf_token": csrf.group(1)})
    assert "data-error" in again  # redeemed already: said on the page, nothing paid twice
    assert await balanced(db)


async def _phone_status(client: httpx.AsyncClient, token: str, path: str, form: dict[str, str]) -> int:
    client.cookies.set(CHANNEL_COOKIE, token)
    try:
        return (await client.post(path, data=form)).status_code
    finally:
        client.cookies.clear()


async def test_a_refused_redemption_on_the_phone_leaves_the_coupon_issued(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    policy = await _purchase_policy(client, w, funded_fen=1_000)
    store = await channel_auth(client, "acme", STORE_PHONE)
    await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    [coupon] = await _items(client, "coupons", w.staff)
    async with system(db, "acme") as ctx:  # finance takes the budget back: the coupon cannot be paid now
        await wallet.release_budget(ctx, policy["budget_account_id"], None, "take-back")
    dealer = await channel_token(client, "acme", DEALER_PHONE)
    page = await _phone(client, dealer, "/m/rebates/coupons")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    refused = await _phone(client, dealer, f"/m/rebates/coupons/{coupon['id']}/redeem", {"csrf_token": csrf.group(1)})
    assert "data-error" in refused and f'data-coupon="{coupon["id"]}" data-state="issued"' in refused
    [after] = await _items(client, "coupons", w.staff)
    assert (after["state"], after["journal_id"]) == ("issued", None)
    assert await balanced(db)
