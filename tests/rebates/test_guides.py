"""The salesman's and the guides' shares through HTTP: a BbC policy also pays the store's salesman
(业务员); a guide policy pays the guide (导购) who registered the bottle by its cap's outer code,
or the registering store's only guide; each once per bottle, with its reason, in the guide's and
salesman's own my-credits; another guide cannot take a registered bottle. On his phone the
salesman sees the stores he looks after, what they registered, and his share."""

from __future__ import annotations

import re

import httpx

from tests.identity.factories import system
from tests.partners.factories import channel_auth, channel_token
from tests.rebates.world import REBATES, STORE_PHONE, World, balanced, consumer_scan, credits, policy, post
from yima.codes import service as codes
from yima.codes.tokens import Face
from yima.partners import service as partners
from yima.partners.schemas import ChannelRoleCreate, StoreUpdate
from yima.platform.db.session import Database

SALESMAN_PHONE, GUIDE_PHONE, AREA_GUIDE_PHONE = "13700000011", "13700000012", "13700000013"


async def _people(db: Database, w: World) -> tuple[int, int, int]:
    """The store's salesman (of its dealer), a guide of the store and a guide of the area."""
    async with system(db, w.slug) as ctx:
        salesman = await partners.grant_role(ctx, ChannelRoleCreate(phone=SALESMAN_PHONE, kind="salesman",
                                                                    dealer_id=w.dealer_id))  # fmt: skip
        await partners.update_store(ctx, w.store_id, StoreUpdate(salesman_id=salesman.id))
        guide = await partners.grant_role(ctx, ChannelRoleCreate(phone=GUIDE_PHONE, kind="guide", store_id=w.store_id))
        area = await partners.grant_role(ctx, ChannelRoleCreate(phone=AREA_GUIDE_PHONE, kind="guide",
                                                                region_code="510104"))  # fmt: skip
    return salesman.id, guide.id, area.id


async def _bottle_outer(db: Database, w: World, serial: int) -> str:
    async with system(db, w.slug) as ctx:
        return (await codes.codec(ctx)).encode(serial, Face.OUTER)


async def test_bbc_pays_the_salesman_and_a_guide_policy_the_guide_once(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    salesman_id, guide_id, area_id = await _people(db, w)
    bbc = await policy(client, w, name="三方联动", kind="bbc", store_fen=200, dealer_fen=100, salesman_fen=50)
    guides = await policy(client, w, name="导购奖励", kind="guide", guide_fen=80)
    store = await channel_auth(client, w.slug, STORE_PHONE)
    await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)  # bottles 0–5 are the store's
    area = await channel_auth(client, w.slug, AREA_GUIDE_PHONE)
    sold = await post(client, f"{REBATES}/guide-scans", {"code": await _bottle_outer(db, w, w.bottles[1])}, area)
    assert (sold["registered_now"], sold["role_id"]) == (True, area_id)
    guide = await channel_auth(client, w.slug, GUIDE_PHONE)
    taken = await client.post(f"{REBATES}/guide-scans", json={"code": await _bottle_outer(db, w, w.bottles[1])},
                              headers=guide)  # fmt: skip
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "registered_elsewhere")
    inner = await client.post(f"{REBATES}/guide-scans", json={"code": w.case_inner[1]}, headers=guide)
    assert (inner.status_code, inner.json()["error"]["details"][0]["code"]) == (422, "wrong_face")

    for serial in (w.bottles[0], w.bottles[0], w.bottles[1]):  # bottle 0 scanned twice: paid once
        await consumer_scan(client, db, serial, w.slug)

    paid = await credits(client, w.staff, policy_id=bbc["id"])
    assert sorted((c["receiver_kind"], c["serial"], c["amount_fen"]) for c in paid) == sorted(
        [(kind, serial, fen) for serial in w.bottles[:2] for kind, fen in (("store", 200), ("dealer", 100),
                                                                           ("salesman", 50))]
    )  # fmt: skip
    to_guides = await credits(client, w.staff, policy_id=guides["id"])
    assert sorted((c["receiver_id"], c["serial"]) for c in to_guides) == sorted(
        [(guide_id, w.bottles[0]), (area_id, w.bottles[1])]
    )  # the store's only guide for bottle 0, the guide who registered bottle 1 for bottle 1
    salesman = await channel_auth(client, w.slug, SALESMAN_PHONE)
    mine = await credits(client, salesman, "my-credits")
    assert [c["receiver_id"] for c in mine] == [salesman_id] * 2 and "您负责的门店" in mine[0]["reason"]
    [own] = await credits(client, area, "my-credits")
    assert own["amount_fen"] == 80 and "您扫码登记的" in own["reason"]
    accounts = await client.get("/api/v1/wallet/accounts", params={"kind": "participant"}, headers=w.staff)
    assert sorted(a["balance"] for a in accounts.json()["items"]) == [
        80,
        80,
        100,
        200,
        400,
    ]  # guides, salesman, dealer, store
    metrics = await client.get("/api/v1/analytics/channel-metrics", headers=w.staff)
    by_dealer = {r["key"]: r["amount_fen"] for r in metrics.json()["by_dealer"]}
    assert by_dealer == {str(w.dealer_id): 400 + 200 + 100 + 80, "": 80}  # the area's guide: no dealer
    assert await balanced(db, w.slug)


async def test_shares_need_a_policy_that_pays_them(client: httpx.AsyncClient, world: World) -> None:
    w = world
    for body, field in [
        ({"name": "x", "kind": "bc", "store_fen": 100, "salesman_fen": 10}, "salesman_fen"),
        ({"name": "x", "kind": "guide", "guide_fen": 0}, "guide_fen"),
        ({"name": "x", "kind": "guide", "guide_fen": 50, "store_fen": 10}, "store_fen"),  # the field to fix
        ({"name": "x", "kind": "bbc", "store_fen": 100, "dealer_fen": 10, "guide_fen": 10}, "guide_fen"),
    ]:
        refused = await client.post(f"{REBATES}/policies", json=body, headers=w.staff)
        assert refused.status_code == 422 and field in refused.text, (body, refused.text)


async def test_the_salesman_sees_his_stores_and_his_rewards_on_his_phone(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    await _people(db, w)  # he looks after the world's store, not the other dealer's
    await policy(client, w, name="三方联动", kind="bbc", store_fen=200, dealer_fen=100, salesman_fen=50)
    store = await channel_auth(client, w.slug, STORE_PHONE)
    await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    await consumer_scan(client, db, w.bottles[0])
    client.cookies.set("yima_channel", await channel_token(client, w.slug, SALESMAN_PHONE))

    stores = await client.get("/m/rebates/stores")
    assert stores.status_code == 200 and "您负责的门店" in stores.text
    assert re.findall(r'data-store="(\d+)"', stores.text) == [str(w.store_id)]
    assert 'data-registered="1"' in stores.text and "最近登记" in stores.text  # the case the store opened
    mine = await client.get("/m/rebates/mine")
    assert mine.status_code == 200 and "我的奖励" in mine.text
    assert 'data-fen="50"' in mine.text and "您负责的门店" in mine.text  # his BbC share, with its reason


async def test_a_guide_who_registers_a_bottle_already_scanned_is_not_paid_for_it(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    """A guide registering a bottle after a consumer first scanned it did not sell it: the later
    scans pay the guide nothing, while a bottle registered before its first scan pays."""
    w = world
    _, _, area_id = await _people(db, w)
    guides = await policy(client, w, name="导购奖励", kind="guide", guide_fen=80)
    area = await channel_auth(client, w.slug, AREA_GUIDE_PHONE)
    late, in_time = w.bottles[7], w.bottles[8]  # the second case, which no store registered
    await consumer_scan(client, db, late, w.slug)
    for serial in (late, in_time):
        sold = await post(client, f"{REBATES}/guide-scans", {"code": await _bottle_outer(db, w, serial)}, area)
        assert sold["registered_now"] is True
    for serial in (late, in_time):
        await consumer_scan(client, db, serial, w.slug)

    paid = await credits(client, w.staff, policy_id=guides["id"])
    assert [(c["receiver_id"], c["serial"]) for c in paid] == [(area_id, in_time)]
    assert await balanced(db, w.slug)
