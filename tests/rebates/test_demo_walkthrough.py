"""Issue 6's acceptance on the demo brand itself: a fresh database seeded as ``make run`` seeds
it, then every rebate policy's scenario through the HTTP API, as the people who would do it —
the operator (李娜) packs, ships and sets up the policies and the store campaign, finance (陈静)
funds them, the demo store's owner (李红), its dealer (张伟) and its salesman (赵刚) sign in by
SMS — ending with the wallets, each amount with its reason, and the ledger balanced.

One story in one test: seeding the demo costs seconds, and each step builds on the goods the
previous one moved. The goods are the demo's own activated codes, from a range no demo seed uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import new_database_url
from tests.partners.factories import channel_auth
from tests.rebates.world import LOGISTICS, REBATES, post
from yima import demo
from yima.catalog import service as catalog
from yima.codes import service as codes
from yima.codes.tokens import Face
from yima.identity import service as identity
from yima.identity.permissions import cli_context
from yima.main import create_app
from yima.partners import service as partners
from yima.platform import caches
from yima.platform.db import migrations
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner

SLUG = demo.DEMO_SLUG
STORE_OWNER, DEALER_OWNER = "13900000001", "13800000101"  # 李红 of S-CD-0001, 张伟 of D-CD-001
SALESMAN, GUIDE = "13800000201", "13900000201"  # 赵刚 of D-CD-001, who looks after S-CD-0001; 孙悦 of S-CD-0001
CASES = slice(600, 602)  # of the demo's activated cases (its seeds use 500–503 and the ends)
BOTTLES = slice(4000, 4012)  # of its activated bottles, six to a case
CHENGDU, BEIJING = {"lat": 30.66, "lon": 104.06}, {"lat": 39.90, "lon": 116.40}


@dataclass(frozen=True)
class Goods:
    cases: list[int]  # serials
    bottles: list[int]
    case_inner: list[str]
    case_outer: list[str]
    bottle_outer: list[str]
    bottle_inner: list[str]
    product_id: int
    dealer_id: int
    store_id: int
    far_store_id: int
    warehouse_id: int


@pytest.fixture(scope="module")
def demo_url() -> str:
    url = new_database_url("demo-walk")
    migrations.upgrade(url)  # runs its own event loop: outside the async fixtures
    return url


@pytest.fixture(scope="module")
async def demo_db(demo_url: str) -> AsyncIterator[Database]:
    await demo.ensure_demo(demo_url, quiet=True)
    db = Database(demo_url)
    yield db
    await db.dispose()


async def _goods(db: Database) -> Goods:
    async with cli_context(db, SLUG) as ctx:
        brand = await codes.codec(ctx)
        cases = [(await codes.describe(ctx, u)).serial for u in (await codes.sample_urls(ctx, "case", "inner", 700))]
        bottles = [(await codes.describe(ctx, u)).serial for u in await codes.sample_urls(ctx, "bottle", "outer", 5000)]
        cases, bottles = cases[CASES], bottles[BOTTLES]
        product = await catalog.find_product(ctx, "CSH-JZ-500")
        dealer, warehouse = await partners.find_dealer(ctx, "D-CD-001"), await partners.find_warehouse(ctx, "WH-RH-C01")
        store, far = await partners.find_store(ctx, "S-CD-0001"), await partners.find_store(ctx, "S-CQ-0001")
    assert product and dealer and warehouse and store and far, "the demo brand lacks a partner the walk needs"
    return Goods(
        cases=cases, bottles=bottles,
        case_inner=[brand.encode(s, Face.INNER) for s in cases],
        case_outer=[brand.encode(s, Face.OUTER) for s in cases],
        bottle_outer=[brand.encode(s, Face.OUTER) for s in bottles],
        bottle_inner=[brand.encode(s, Face.INNER) for s in bottles],
        product_id=product.id, dealer_id=dealer.id, store_id=store.id, far_store_id=far.id, warehouse_id=warehouse.id,
    )  # fmt: skip


async def _staff(db: Database, login: str) -> dict[str, str]:
    """A demo staff member signed in with the demo password, as the console signs them in."""
    async with cli_context(db) as ctx:
        outcome = await identity.attempt_login(ctx, login, demo.DEMO_PASSWORD, "walkthrough")
    assert outcome.token and outcome.session, outcome.error
    return {"Cookie": f"yima_session={outcome.token}", "X-CSRF-Token": outcome.session.csrf_token}


async def _get(client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: object) -> dict:  # type: ignore[type-arg]
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, (path, response.text)
    return dict(response.json())


async def _fund(client: httpx.AsyncClient, finance: dict[str, str], budget_id: int, fen: int, ref: str) -> None:
    await post(client, "/api/v1/wallet/fundings", {"amount_fen": fen, "reference": f"BANK-{ref}"}, finance)
    await post(client, f"/api/v1/wallet/budgets/{budget_id}/allocations", {"amount_fen": fen, "key": ref}, finance)


async def _policy(
    client: httpx.AsyncClient, operator: dict[str, str], finance: dict[str, str], body: dict[str, object]
) -> dict:  # type: ignore[type-arg]
    created = await post(client, f"{REBATES}/policies", body, operator)
    active = await post(client, f"{REBATES}/policies/{created['id']}/activate", {}, operator)
    await _fund(client, finance, active["budget_account_id"], 50_000, f"walk-policy-{created['id']}")
    return active


async def _statement(
    client: httpx.AsyncClient, finance: dict[str, str], holder: dict[str, str]
) -> list[tuple[int, str]]:
    """The (amount, memo) lines of a channel account's person's wallet, newest first."""
    person_id = (await _get(client, "/api/v1/partners/me", holder))["person_id"]
    [account] = (await _get(client, "/api/v1/wallet/accounts", finance, person_id=person_id))["items"]
    lines = await _get(client, f"/api/v1/wallet/accounts/{account['id']}/entries", finance, limit=200)
    return [(line["amount"], line["memo"]) for line in lines["items"]]


def _by_serial(items: list[dict], serial: int) -> list[tuple[str, int, str]]:  # type: ignore[type-arg]
    return sorted((c["receiver_kind"], c["amount_fen"], c["state"]) for c in items if c["serial"] == serial)


async def test_every_policy_on_the_demo_brand_through_http(demo_db: Database) -> None:
    caches.clear_all()  # the in-process caches are keyed by tenant id, which other databases reuse
    db, g = demo_db, await _goods(demo_db)
    runner = Runner(db, identity.tenant_info)
    transport = httpx.ASGITransport(app=create_app(database=db, run_worker=False), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        operator, finance = await _staff(db, "operator"), await _staff(db, "finance")
        demo_policies = {p["kind"]: p for p in (await _get(client, f"{REBATES}/policies", operator))["items"]}
        bb, bbc = demo_policies["bb"], demo_policies["bbc"]
        assert (bb["state"], bbc["state"]) == ("active", "active")

        # The store's open-case reward (开箱有礼) and a purchase rebate (进货返利), set up by the operator.
        pool = [
            {"name": "开箱红包", "kind": "cash", "amount_fen": 300, "weight": 1},
            {"name": "进货抵扣券", "kind": "coupon", "coupon_ref": "PURCHASE-100", "cost_fen": 100, "weight": 0,
         "fallback": True},
        ]
        campaign = await post(client, "/api/v1/campaigns", {
            "name": "金樽开箱有礼（走查）", "audience": "store", "budget_fen": 50_000,
            "scope": {"product_ids": [g.product_id]}, "prizes": pool,
        }, operator)  # fmt: skip
        campaign = await post(client, f"/api/v1/campaigns/{campaign['id']}/publish", {}, operator)
        await _fund(client, finance, campaign["budget_account_id"], 50_000, f"walk-campaign-{campaign['id']}")
        purchase = await _policy(client, operator, finance, {
            "name": "金樽进货返利（走查）", "kind": "purchase", "product_ids": [g.product_id], "store_fen": 1_500,
            "coupon_product_id": g.product_id, "coupon_quantity": 1, "coupon_days": 30,
        })  # fmt: skip

        # Packed at the factory, into the warehouse, shipped to 成都蓉城酒业 and received: Bb holds.
        packing = [{"parent": g.case_outer[i], "children": g.bottle_outer[6 * i : 6 * i + 6]} for i in range(2)]
        await post(client, "/api/v1/codes/packing", {"operations": packing}, operator)
        to_dealer = {"kind": "dealer", "id": g.dealer_id}
        stocked = {"codes": g.case_outer, "warehouse_id": g.warehouse_id}
        await post(client, f"{LOGISTICS}/warehouse-in", stocked, operator)
        await post(client, f"{LOGISTICS}/shipments", {
            "codes": g.case_outer, "source": {"kind": "warehouse", "id": g.warehouse_id}, "destination": to_dealer,
        }, operator)  # fmt: skip
        await post(client, f"{LOGISTICS}/receipts", {"codes": g.case_outer, "receiver": to_dealer}, operator)
        await runner.drain()
        held = {
            c["serial"]: c for c in (await _get(client, f"{REBATES}/credits", operator, policy_id=bb["id"]))["items"]
        }
        assert [(held[s]["state"], held[s]["amount_fen"], held[s]["receiver_id"]) for s in g.cases] == [
            ("held", 500, g.dealer_id)
        ] * 2

        # Case 0 to the dealer's own store: released. Case 1 signed for in 重庆: forfeited.
        for case, store_id in [(g.case_outer[0], g.store_id), (g.case_outer[1], g.far_store_id)]:
            to_store = {"kind": "store", "id": store_id}
            shipped = {"codes": [case], "source": to_dealer, "destination": to_store}
            await post(client, f"{LOGISTICS}/shipments", shipped, operator)
            await post(client, f"{LOGISTICS}/receipts", {"codes": [case], "receiver": to_store}, operator)
        await runner.drain()
        settled = await _get(client, f"{REBATES}/credits", operator, policy_id=bb["id"])
        states = {c["serial"]: c for c in settled["items"]}
        case_serials = g.cases
        assert states[case_serials[0]]["state"] == "released" and "您的门店" in states[case_serials[0]]["reason"]
        assert states[case_serials[1]]["state"] == "forfeited" and "窜货" in states[case_serials[1]]["reason"]

        # 李红 opens case 0 on her phone: the open-case prize and a purchase coupon, each explained.
        store = await channel_auth(client, SLUG, STORE_OWNER)
        opened = await post(client, f"{REBATES}/store-scans", {"code": g.case_inner[0]}, store)
        assert opened["registered_now"] is True and opened["store_id"] == g.store_id
        kinds = {r["kind"]: r for r in opened["rewards"]}
        assert kinds["open_case_prize"]["amount_fen"] == 300 and "开箱有礼" in kinds["open_case_prize"]["reason"]
        [coupon] = (await _get(client, f"{REBATES}/my-coupons", store))["items"]
        assert (coupon["value_fen"], coupon["state"], coupon["policy_id"]) == (1_500, "issued", purchase["id"])

        # 张伟, the store's dealer, honours the coupon: the purchase budget pays him its value.
        dealer = await channel_auth(client, SLUG, DEALER_OWNER)
        redeemed = await post(client, f"{REBATES}/my-coupons/{coupon['id']}/redeem", {}, dealer)
        assert redeemed["state"] == "redeemed"
        again = await client.post(f"{REBATES}/my-coupons/{coupon['id']}/redeem", json={}, headers=dealer)
        assert again.status_code == 409, again.text

        # Consumers scan bottles of case 0: in 成都 the store, its dealer and its salesman are paid (BbC) once;
        # a bottle found in 北京 is diverted goods and pays nobody.
        for where in (CHENGDU, CHENGDU):
            scanned = await client.post("/api/v1/scans", json={"code": g.bottle_inner[0], **where})
            assert scanned.status_code == 200, scanned.text
        diverted = await client.post("/api/v1/scans", json={"code": g.bottle_inner[1], **BEIJING})
        assert diverted.status_code == 200, diverted.text
        await runner.drain()
        bottle_serials = g.bottles
        paid = (await _get(client, f"{REBATES}/credits", operator, policy_id=bbc["id"]))["items"]
        assert _by_serial(paid, bottle_serials[0]) == [("dealer", 100, "paid"), ("salesman", 50, "paid"),
                                                       ("store", 200, "paid")]  # fmt: skip
        assert [c for c in paid if c["serial"] == bottle_serials[1]] == []

        # bC alone (the operator pauses the BbC), and a guide policy: 孙悦, the store's guide,
        # registers bottle 2 by its cap's outer code; a consumer's scan of it pays the store and her.
        await post(client, f"{REBATES}/policies/{bbc['id']}/pause", {}, operator)
        bc = await _policy(client, operator, finance, {
            "name": "金樽双向红包（走查）", "kind": "bc", "product_ids": [g.product_id], "store_fen": 120,
        })  # fmt: skip
        guides = await _policy(client, operator, finance, {
            "name": "金樽导购奖励（走查）", "kind": "guide", "product_ids": [g.product_id], "guide_fen": 80,
        })  # fmt: skip
        guide = await channel_auth(client, SLUG, GUIDE)
        sold = await post(client, f"{REBATES}/guide-scans", {"code": g.bottle_outer[2]}, guide)
        assert sold["registered_now"] is True
        scanned = await client.post("/api/v1/scans", json={"code": g.bottle_inner[2], **CHENGDU})
        assert scanned.status_code == 200, scanned.text
        await runner.drain()
        credited = (await _get(client, f"{REBATES}/credits", operator))["items"]
        assert sorted((c["policy_id"], c["receiver_kind"], c["amount_fen"], c["state"]) for c in credited
                      if c["serial"] == bottle_serials[2]) == sorted(
            [(bc["id"], "store", 120, "paid"), (guides["id"], "guide", 80, "paid")]
        )  # fmt: skip
        [hers] = (await _get(client, f"{REBATES}/my-credits", guide))["items"]
        assert hers["amount_fen"] == 80 and "您扫码登记的" in hers["reason"]
        await post(client, f"{REBATES}/policies/{bbc['id']}/resume", {}, operator)

        # What each of them sees on their phone, with the reason.
        store_credits = (await _get(client, f"{REBATES}/my-credits", store))["items"]
        scanned_pay = [c for c in store_credits if c["serial"] == bottle_serials[0]]
        assert len(scanned_pay) == 1 and "消费者扫了您登记的商品" in scanned_pay[0]["reason"]
        dealer_credits = (await _get(client, f"{REBATES}/my-credits", dealer))["items"]
        assert {c["serial"]: c["state"] for c in dealer_credits}[case_serials[0]] == "released"
        assert not any(c["serial"] == case_serials[1] and c["state"] != "forfeited" for c in dealer_credits)
        salesman = await channel_auth(client, SLUG, SALESMAN)
        [his] = [c for c in (await _get(client, f"{REBATES}/my-credits", salesman))["items"]
                 if c["serial"] == bottle_serials[0]]  # fmt: skip
        assert his["amount_fen"] == 50 and "您负责的门店" in his["reason"]

        # The console's figures: each policy's outcome, and the ledger balanced to zero.
        outcome = await _get(client, f"{REBATES}/policies/{purchase['id']}/outcome", operator)
        assert (outcome["paid_fen"], outcome["reserved_fen"]) == (1_500, 0)
        assert outcome["coupons"] == [{"state": "redeemed", "count": 1, "value_fen": 1_500}]
        assert outcome["policy"]["budget_left_fen"] == 50_000 - 1_500
        bb_outcome = await _get(client, f"{REBATES}/policies/{bb['id']}/outcome", operator)
        # The demo's history (4 cases: 1 released, 1 forfeited, 2 held) and this walk's 2 cases.
        assert (bb_outcome["paid_fen"], bb_outcome["held_fen"], bb_outcome["forfeited_fen"]) == (1_000, 1_000, 1_000)

        # The wallets (finance's view): every amount paid this walk, each line with its memo.
        store_lines = await _statement(client, finance, store)
        assert (300, "开箱有礼") in [(amount, memo[:4]) for amount, memo in store_lines]
        assert any(amount == 200 and "三方联动" in memo for amount, memo in store_lines), store_lines
        dealer_lines = await _statement(client, finance, dealer)
        assert any(amount == 1_500 and "货补券" in memo for amount, memo in dealer_lines), dealer_lines
        assert any(amount == 100 and "三方联动" in memo for amount, memo in dealer_lines), dealer_lines
        assert (80, "金樽导购") in [(amount, memo[:4]) for amount, memo in await _statement(client, finance, guide)]
        salesman_lines = await _statement(client, finance, salesman)
        assert any(amount == 50 and "三方联动" in memo for amount, memo in salesman_lines), salesman_lines
        summary = await _get(client, "/api/v1/wallet/summary", finance)
        assert summary["balanced"] is True
    caches.clear_all()
