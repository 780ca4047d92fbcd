"""Issue 6's rebate scenarios through HTTP: a pallet goes to dealer A and its cases to stores;
Bb holds the dealer's rebate per case, releases it when A's own store signs for a case and
forfeits it when another dealer's store does; the store opens its case by scanning it, and each
consumer scan of a bottle from it pays the store (bC) and its dealer (BbC) once, with the reason;
a scan of goods found diverted pays nothing. The ledger balances throughout."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from tests.campaigns.factories import running_campaign
from tests.codes.factories import activated_goods
from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.partners.factories import channel_auth, create_dealer, create_store, create_warehouse
from tests.scans.factories import code_url
from yima.codes import service as codes
from yima.codes.tokens import Face
from yima.partners import service as partners
from yima.partners.schemas import ChannelRoleCreate
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner
from yima.wallet import service as wallet

LOGISTICS = "/api/v1/trace/logistics"
REBATES = "/api/v1/rebates"
SCOPES = ["packing:write", "codes:read", "logistics:write", "trace:read", "rebates:read", "rebates:write",
          "wallet:read", "wallet:write"]  # fmt: skip
DEALER_PHONE, STORE_PHONE, OTHER_STORE_PHONE = "13700000001", "13700000002", "13700000003"


@dataclass
class World:
    staff: dict[str, str]
    product_id: int
    bottles: list[int]  # serials, six per case
    case_inner: list[str]
    case_outer: list[str]
    pallet: str
    warehouse_id: int
    dealer_id: int
    store_id: int
    other_store_id: int


async def _post(client: httpx.AsyncClient, path: str, body: dict[str, object], headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), (path, response.text)
    return dict(response.json())


@pytest.fixture
async def world(db: Database, client: httpx.AsyncClient, runner: Runner) -> World:
    await create_tenant(db, "acme")
    goods = await activated_goods(db, "acme")
    bottles, cases, pallets = goods.bottles, goods.cases, goods.pallets
    async with system(db, "acme") as ctx:
        brand = await codes.codec(ctx)
    outer = [brand.encode(cases.first_serial + i, Face.OUTER) for i in range(2)]
    inner = [brand.encode(cases.first_serial + i, Face.INNER) for i in range(2)]
    pallet = brand.encode(pallets.first_serial, Face.OUTER)
    staff = await bearer(client, await create_client(db, "acme", SCOPES))
    operations = [
        {"parent": outer[i], "children": [brand.encode(bottles.first_serial + 6 * i + j, Face.OUTER) for j in range(6)]}
        for i in range(2)
    ]
    await _post(client, "/api/v1/codes/packing", {"operations": [*operations, {"parent": pallet, "children": outer}]},
                staff)  # fmt: skip
    await runner.drain()
    dealer = await create_dealer(db, "acme", territory=("510100",))  # 成都市
    other_dealer = await create_dealer(db, "acme", territory=("510100",))
    store = await create_store(db, "acme", dealer.id, region_code="510104")
    other_store = await create_store(db, "acme", other_dealer.id, region_code="510104")
    async with system(db, "acme") as ctx:
        for phone, kind, ids in [
            (DEALER_PHONE, "dealer_owner", {"dealer_id": dealer.id}),
            (STORE_PHONE, "store_owner", {"store_id": store.id}),
            (OTHER_STORE_PHONE, "store_owner", {"store_id": other_store.id}),
        ]:
            await partners.grant_role(ctx, ChannelRoleCreate(phone=phone, kind=kind, **ids))  # type: ignore[arg-type]
    warehouse = await create_warehouse(db, "acme")
    serials = list(range(bottles.first_serial, bottles.last_serial + 1))
    return World(staff, goods.product_id, serials, inner, outer, pallet,
                 warehouse.id, dealer.id, store.id, other_store.id)  # fmt: skip


async def _policy(client: httpx.AsyncClient, w: World, **body: object) -> dict:  # type: ignore[type-arg]
    created = await _post(client, f"{REBATES}/policies", {"product_ids": [w.product_id], **body}, w.staff)
    assert created["state"] == "draft"
    active = await _post(client, f"{REBATES}/policies/{created['id']}/activate", {}, w.staff)
    funding = {"amount_fen": 10_000, "reference": f"BANK-{created['id']}"}
    await _post(client, "/api/v1/wallet/fundings", funding, w.staff)
    await _post(client, f"/api/v1/wallet/budgets/{active['budget_account_id']}/allocations",
                {"amount_fen": 10_000, "key": f"alloc-{created['id']}"}, w.staff)  # fmt: skip
    return active


async def _move(client: httpx.AsyncClient, w: World, op: str, codes_: list[str], party: dict[str, object]) -> None:
    await _post(client, f"{LOGISTICS}/{op}", {"codes": codes_, **party}, w.staff)


def _dealer(w: World) -> dict[str, object]:
    return {"kind": "dealer", "id": w.dealer_id}


async def _credits(client: httpx.AsyncClient, headers: dict[str, str], path: str = "credits", **params: object) -> list:  # type: ignore[type-arg]
    response = await client.get(f"{REBATES}/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _consumer_scan(client: httpx.AsyncClient, db: Database, serial: int) -> None:
    scanned = await client.post("/api/v1/scans", json={"code": await code_url(db, "acme", serial)})
    assert scanned.status_code == 200, scanned.text


async def _balanced(db: Database) -> bool:
    async with system(db, "acme") as ctx:
        return await wallet.is_balanced(ctx)


async def test_bb_holds_per_case_releases_to_the_own_store_and_forfeits_to_another(
    db: Database, client: httpx.AsyncClient, runner: Runner, world: World
) -> None:
    w = world
    bb = await _policy(client, w, name="防窜货 5 元/箱", kind="bb", dealer_fen=500)
    await _move(client, w, "warehouse-in", [w.pallet], {"warehouse_id": w.warehouse_id})
    await _move(client, w, "shipments", [w.pallet], {"source": {"kind": "warehouse", "id": w.warehouse_id},
                                                      "destination": _dealer(w)})  # fmt: skip
    await _move(client, w, "receipts", [w.pallet], {"receiver": _dealer(w)})
    await runner.drain()
    held = await _credits(client, w.staff, policy_id=bb["id"])
    assert sorted((c["state"], c["amount_fen"], c["receiver_id"]) for c in held) == [("held", 500, w.dealer_id)] * 2
    await runner.drain()  # redelivery holds nothing twice
    assert len(await _credits(client, w.staff, policy_id=bb["id"])) == 2

    for case, store_id in [(w.case_outer[0], w.store_id), (w.case_outer[1], w.other_store_id)]:
        to_store = {"kind": "store", "id": store_id}
        await _move(client, w, "shipments", [case], {"source": _dealer(w), "destination": to_store})
        await _move(client, w, "receipts", [case], {"receiver": to_store})
    await runner.drain()
    states = {c["state"]: c for c in await _credits(client, w.staff, policy_id=bb["id"])}
    assert set(states) == {"released", "forfeited"}
    assert "您的门店" in states["released"]["reason"] and "窜货" in states["forfeited"]["reason"]
    outcome = (await client.get(f"{REBATES}/policies/{bb['id']}/outcome", headers=w.staff)).json()
    assert (outcome["paid_fen"], outcome["held_fen"], outcome["forfeited_fen"]) == (500, 0, 500)
    assert outcome["policy"]["budget_left_fen"] == 10_000 - 500

    dealer = await channel_auth(client, "acme", DEALER_PHONE)
    mine = await _credits(client, dealer, "my-credits")
    assert [(c["state"], c["amount_fen"]) for c in mine if c["state"] == "released"] == [("released", 500)]
    store = await channel_auth(client, "acme", STORE_PHONE)
    assert await _credits(client, store, "my-credits") == []  # the dealer's rebate is not the store's to see
    assert await _balanced(db)


async def test_a_store_opens_its_case_and_consumer_scans_pay_store_and_dealer_once(
    db: Database, client: httpx.AsyncClient, runner: Runner, world: World
) -> None:
    w = world
    bbc = await _policy(client, w, name="三方联动", kind="bbc", store_fen=200, dealer_fen=100)
    store = await channel_auth(client, "acme", STORE_PHONE)
    other = await channel_auth(client, "acme", OTHER_STORE_PHONE)
    opened = await _post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    assert (opened["registered_now"], opened["store_id"]) == (True, w.store_id)
    again = await _post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
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
        await _consumer_scan(client, db, bottle)
    unregistered = w.bottles[6]  # in the other case, which no store registered
    await _consumer_scan(client, db, unregistered)

    credits = await _credits(client, w.staff, policy_id=bbc["id"])
    assert sorted((c["receiver_kind"], c["amount_fen"], c["state"], c["serial"]) for c in credits) == [
        ("dealer", 100, "paid", bottle), ("store", 200, "paid", bottle),
    ]  # fmt: skip
    mine = await _credits(client, store, "my-credits")
    assert len(mine) == 1 and "消费者扫了您登记的商品" in mine[0]["reason"]
    accounts = await client.get("/api/v1/wallet/accounts", params={"kind": "participant"}, headers=w.staff)
    assert sorted(a["balance"] for a in accounts.json()["items"]) == [100, 200]
    assert await _balanced(db)


async def test_a_policy_without_budget_credits_but_pays_nothing(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    created = await _post(client, f"{REBATES}/policies", {"name": "双向红包", "kind": "bc", "store_fen": 300}, w.staff)
    await _post(client, f"{REBATES}/policies/{created['id']}/activate", {}, w.staff)  # never funded
    store = await channel_auth(client, "acme", STORE_PHONE)
    await _post(client, f"{REBATES}/store-scans", {"code": w.case_inner[1]}, store)
    await _consumer_scan(client, db, w.bottles[7])
    [credit] = await _credits(client, w.staff, policy_id=created["id"])
    assert (credit["state"], credit["journal_id"]) == ("budget_exhausted", None)
    assert await _balanced(db)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "kind": "bb", "dealer_fen": 0}, "dealer_fen"),
        ({"name": "x", "kind": "bc", "store_fen": 100, "dealer_fen": 50}, "dealer_fen"),
        ({"name": "x", "kind": "bbc", "store_fen": 100}, "dealer_fen"),
        ({"name": "x", "kind": "bc", "store_fen": 100, "product_ids": [999999]}, "product_ids[0]"),
    ],
)
async def test_a_policy_that_cannot_pay_as_configured_is_refused(
    client: httpx.AsyncClient, world: World, body: dict[str, object], field: str
) -> None:
    refused = await client.post(f"{REBATES}/policies", json=body, headers=world.staff)
    assert refused.status_code == 422, refused.text
    assert field in refused.text
    assert (await client.get(f"{REBATES}/policies", headers=world.staff)).json()["items"] == []


async def test_opening_a_case_draws_its_open_case_reward_once(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    pool = [
        {"name": "开箱红包", "kind": "cash", "amount_fen": 300, "weight": 1},
        {"name": "进货抵扣券", "kind": "coupon", "cost_fen": 100, "weight": 0, "fallback": True},
    ]
    await running_campaign(db, "acme", audience="store", scope={"product_ids": [w.product_id]}, prizes=pool)
    await running_campaign(db, "acme", audience="consumer", scope={"product_ids": [w.product_id]})
    store = await channel_auth(client, "acme", STORE_PHONE)

    opened = await _post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    [reward] = opened["rewards"]
    assert (reward["kind"], reward["amount_fen"], reward["title"]) == ("open_case_prize", 300, "开箱红包 ¥3.00")
    assert "开箱有礼" in reward["reason"] and "#" in reward["reason"]
    again = await _post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    assert again["registered_now"] is False and again["rewards"] == opened["rewards"]  # the same prize, shown again
    accounts = await client.get("/api/v1/wallet/accounts", params={"kind": "participant"}, headers=w.staff)
    assert [a["balance"] for a in accounts.json()["items"]] == [300]  # paid once, to the store's person
    assert await _balanced(db)
