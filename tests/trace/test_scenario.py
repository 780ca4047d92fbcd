"""The acceptance scenario through HTTP: pack, ship a pallet to dealer A (territory: 成都市),
receive, ship a case to a store; a consumer scan in Chengdu is not diversion, a scan of a bottle
from that pallet in 西安 (~600 km) is, and shows in the report."""

from __future__ import annotations

import re

import httpx

from tests.codes.factories import activated_goods
from tests.identity.factories import bearer, create_client, create_staff, create_tenant, login_session, system
from tests.partners.factories import create_dealer, create_store, create_warehouse
from tests.scans.factories import code_url
from yima.codes import service as codes
from yima.codes.tokens import Face
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner

CHENGDU = (30.6598, 104.0633)
XIAN = (34.3416, 108.9398)
SCOPES = ["packing:write", "codes:read", "logistics:write", "trace:read", "diversion:write"]


async def _scan(client: httpx.AsyncClient, url: str, lat: float, lon: float) -> None:
    page = await client.get(url.removeprefix("https://scan.example.cn"))
    assert page.status_code == 200, page.text
    tag = re.search(r"<p[^>]*data-locate=[^>]*>", page.text)
    assert tag is not None
    values = dict(re.findall(r'data-locate(?:-(\w+))?="([^"]*)"', tag.group(0)))
    body = {"code": values["code"], "scan": int(values["scan"]), "proof": values["proof"], "lat": lat, "lon": lon}
    located = await client.post(values[""], json=body)
    assert located.status_code == 200, located.text


async def test_pack_ship_receive_and_a_scan_far_away_is_diversion(
    db: Database, client: httpx.AsyncClient, runner: Runner
) -> None:
    await create_tenant(db, "acme")
    goods = await activated_goods(db, "acme")
    bottles, cases, pallets = goods.bottles, goods.cases, goods.pallets
    async with system(db, "acme") as ctx:
        brand = await codes.codec(ctx)

    def outer(serial: int) -> str:
        return brand.encode(serial, Face.OUTER)

    case = [f"https://m.brand.cn/C/{outer(cases.first_serial + i)}" for i in range(2)]
    pallet = outer(pallets.first_serial)
    headers = await bearer(client, await create_client(db, "acme", SCOPES))
    operations = [
        {"parent": case[i], "children": [outer(bottles.first_serial + 6 * i + j) for j in range(6)]} for i in range(2)
    ]
    operations.append({"parent": pallet, "children": case})
    packed = await client.post("/api/v1/codes/packing", json={"operations": operations}, headers=headers)
    assert packed.status_code == 200, packed.text
    await runner.drain()  # UnitsPacked → AggregationEvents

    # the regional managers: of the dealer's province, of the place the goods turn up, elsewhere
    sichuan = await create_staff(db, "acme", roles=("regional_manager",), region_codes=["510000"])
    shaanxi = await create_staff(db, "acme", roles=("regional_manager",), region_codes=["610000"])
    guangdong = await create_staff(db, "acme", roles=("regional_manager",), region_codes=["440000"])
    warehouse = await create_warehouse(db, "acme")
    dealer = await create_dealer(db, "acme", territory=("510100",))  # 成都市
    store = await create_store(db, "acme", dealer.id, region_code="510104")  # 锦江区, in Chengdu
    steps = [
        ("warehouse-in", {"codes": [pallet], "warehouse_id": warehouse.id}),
        (
            "shipments",
            {
                "codes": [pallet],
                "source": {"kind": "warehouse", "id": warehouse.id},
                "destination": {"kind": "dealer", "id": dealer.id},
                "reference": "DN-2024-001",
            },
        ),
        ("receipts", {"codes": [pallet], "receiver": {"kind": "dealer", "id": dealer.id}}),
        (
            "shipments",
            {
                "codes": [case[1]],
                "source": {"kind": "dealer", "id": dealer.id},
                "destination": {"kind": "store", "id": store.id},
            },
        ),
        ("receipts", {"codes": [case[1]], "receiver": {"kind": "store", "id": store.id}}),
    ]
    for path, body in steps:
        done = await client.post(f"/api/v1/trace/logistics/{path}", json=body, headers=headers)
        assert done.status_code == 201, (path, done.text)
        assert done.json()["units"] == 1 and done.json()["diversions"] == 0

    # the lifecycle of a bottle in the case at the store: inherited from its case and the pallet
    bottle_in_store = bottles.first_serial + 7
    life = await client.get("/api/v1/trace/units/lifecycle", params={"code": outer(bottle_in_store)}, headers=headers)
    assert life.status_code == 200, life.text
    body = life.json()
    assert body["level"] == "bottle" and [p["level"] for p in body["parents"]] == ["case", "pallet"]
    steps_seen = [(e["biz_step"], e["own"], (e["inherited_from"] or {}).get("level")) for e in body["events"]]
    assert ("packing", True, None) in steps_seen  # its own packing into the case
    assert ("shipping", False, "pallet") in steps_seen and ("receiving", False, "case") in steps_seen
    assert body["holder"]["store_id"] == store.id and body["holder"]["dealer_id"] == dealer.id
    assert body["holder"]["inherited_from"] == cases.first_serial + 1

    # a consumer scan in Chengdu is not diversion; one in Xi'an is
    await _scan(client, await code_url(db, "acme", bottles.first_serial), *CHENGDU)
    await _scan(client, await code_url(db, "acme", bottle_in_store), *CHENGDU)
    assert (await client.get("/api/v1/trace/diversions", headers=headers)).json()["items"] == []
    far = bottles.first_serial + 2  # still in case 0 on the pallet dealer A received
    await _scan(client, await code_url(db, "acme", far), *XIAN)
    report = (await client.get("/api/v1/trace/diversions", headers=headers)).json()["items"]
    assert len(report) == 1
    found = report[0]
    assert found["serial"] == far and found["dealer_id"] == dealer.id and found["source"] == "consumer_scan"
    assert found["region_code"].startswith("6101") and 500 < found["distance_km"] < 700
    assert found["product_id"] == goods.product_id and found["status"] == "open"
    life = await client.get("/api/v1/trace/units/lifecycle", params={"code": outer(far)}, headers=headers)
    assert life.json()["diverted"] is True

    # the alert reaches the managers of both regions concerned, once, linking to the report
    await runner.drain()
    await runner.drain()  # a second delivery pass adds nothing
    for login, expected in ((sichuan, 1), (shaanxi, 1), (guangdong, 0)):
        inbox = await client.get("/api/v1/identity/notifications", headers=await login_session(client, db, login))
        messages = inbox.json()["items"]
        assert len(messages) == expected, (login, messages)
    session = await login_session(client, db, shaanxi)
    alert = (await client.get("/api/v1/identity/notifications", headers=session)).json()["items"][0]
    assert alert["kind"] == "diversion" and alert["ref"] == str(found["id"]) and alert["read_at"] is None
    assert "西安" in alert["title"]["zh"] and str(far) in alert["body"]["zh"]
    assert alert["link"] == f"/trace/diversions?dealer={dealer.id}&status=open"
    marked = await client.post("/api/v1/identity/notifications/read", json={}, headers=session)
    assert marked.json() == {"marked": 1}
    unread = await client.get("/api/v1/identity/notifications", params={"unread": "true"}, headers=session)
    assert unread.json()["items"] == []

    filtered = await client.get("/api/v1/trace/diversions", params={"region": "510100"}, headers=headers)
    assert filtered.json()["items"] == []
    exported = await client.get("/api/v1/trace/diversions/export", headers=headers)
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    dismissed = await client.patch(
        f"/api/v1/trace/diversions/{found['id']}", json={"status": "dismissed", "note": "调货"}, headers=headers
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    life = await client.get("/api/v1/trace/units/lifecycle", params={"code": outer(far)}, headers=headers)
    assert life.json()["diverted"] is False
