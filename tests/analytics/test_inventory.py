"""Channel inventory (渠道库存), goods age (货龄) and diversion counts over real events: pack 12
bottles into 2 cases onto a pallet, warehouse-in, ship the pallet to dealer A, A receives, ships a
case to a store, the store signs for it, consumers scan one bottle at A and one at the store."""

from __future__ import annotations

import datetime as dt

import httpx

from tests.analytics.factories import receipt
from tests.catalog.factories import create_product, create_spec
from tests.codes.factories import activate, create_batch, create_supplier
from tests.identity.factories import bearer, create_client, create_staff, create_tenant, staff_ctx, system
from tests.partners.factories import create_dealer, create_store, create_warehouse
from tests.scans.factories import code_url, scan
from yima.analytics import service as analytics
from yima.analytics.schemas import InventoryFilter
from yima.codes import service as codes
from yima.codes.schemas import PackOperation, PackRequest
from yima.codes.tokens import Face
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner
from yima.trace import service as trace
from yima.trace.schemas import PartyRef, Receipt, Shipment, WarehouseIn

SCOPES = ["analytics:read", "codes:read", "scans:read"]


async def _channel(db: Database, runner: Runner) -> dict[str, int]:
    await create_tenant(db, "acme")
    spec = await create_spec(db, "acme", bottles_per_case=6, cases_per_pallet=2)
    product = await create_product(db, "acme", packaging_spec_id=spec.id)
    supplier = await create_supplier(db, "acme")
    bottles, cases, pallets = [
        await create_batch(db, "acme", level, n, supplier_id=supplier)
        for level, n in [("bottle", 13), ("case", 2), ("pallet", 1)]
    ]
    for batch in (bottles, cases, pallets):
        await activate(db, "acme", batch.first_serial, batch.last_serial, product.id)
    warehouse = await create_warehouse(db, "acme")
    dealer = await create_dealer(db, "acme", territory=("510100",), region_code="510104")  # 成都
    other = await create_dealer(db, "acme", territory=("610100",), region_code="610104")  # 西安
    store = await create_store(db, "acme", dealer.id, region_code="510104")
    async with system(db, "acme") as ctx:
        brand = await codes.codec(ctx)

        def outer(serial: int) -> str:
            return brand.encode(serial, Face.OUTER)

        case = [outer(cases.first_serial + i) for i in range(2)]
        pallet = outer(pallets.first_serial)
        operations = [
            PackOperation(parent=case[i], children=[outer(bottles.first_serial + 6 * i + j) for j in range(6)])
            for i in range(2)
        ]
        await codes.pack(ctx, PackRequest(operations=[*operations, PackOperation(parent=pallet, children=case)]))
    await runner.drain()  # UnitsPacked → AggregationEvents
    a, s = PartyRef(kind="dealer", id=dealer.id), PartyRef(kind="store", id=store.id)
    async with system(db, "acme") as ctx:
        await trace.warehouse_in(ctx, WarehouseIn(codes=[pallet], warehouse_id=warehouse.id))
        w = PartyRef(kind="warehouse", id=warehouse.id)
        await trace.ship(ctx, Shipment(codes=[pallet], source=w, destination=a))
        await trace.receive(ctx, Receipt(codes=[pallet], receiver=a))
        await trace.ship(ctx, Shipment(codes=[case[1]], source=a, destination=s))
        await trace.receive(ctx, Receipt(codes=[case[1]], receiver=s))
        # the 13th bottle, alone, reached the other dealer 100 days ago
        epc = await codes.unit_epc(ctx, bottles.last_serial)
        await trace.capture_events(ctx, [receipt([epc], other.id, ctx.now() - dt.timedelta(days=100))], source="test")
        # 窜货: a bottle of A's found in Xi'an
        await trace.check_diversion(ctx, bottles.first_serial + 2, None, None, "610104", "consumer_scan", "x1")
    await scan(db, await code_url(db, "acme", bottles.first_serial))  # at A (case 0 on the pallet)
    await scan(db, await code_url(db, "acme", bottles.first_serial + 7))  # at the store (case 1)
    await scan(db, await code_url(db, "acme", bottles.first_serial + 7))  # again: counted once
    return {"dealer": dealer.id, "other": other.id, "store": store.id, "product": product.id}


async def test_inventory_age_and_diversions(db: Database, client: httpx.AsyncClient, runner: Runner) -> None:
    ids = await _channel(db, runner)
    headers = await bearer(client, await create_client(db, "acme", SCOPES))

    async def get(path: str, **params: object) -> dict:  # type: ignore[type-arg]
        answer = await client.get(f"/api/v1/analytics/{path}", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def figures(row: dict) -> tuple[int, int, int, int]:  # type: ignore[type-arg]
        return row["received"], row["shipped"], row["consumed"], row["stock"]

    by_dealer = {r["id"]: r for r in (await get("channel-inventory", group="dealer"))["rows"]}
    assert figures(by_dealer[ids["dealer"]]) == (12, 6, 1, 5)
    assert by_dealer[ids["dealer"]]["age"] == {"0-30": 5, "31-90": 0, "91-180": 0, "180+": 0}
    assert figures(by_dealer[ids["other"]]) == (1, 0, 0, 1)
    assert by_dealer[ids["other"]]["age"]["91-180"] == 1
    [store] = (await get("channel-inventory", group="store"))["rows"]
    assert store["id"] == ids["store"] and figures(store) == (6, 0, 1, 5) and store["age"]["0-30"] == 5
    [product] = (await get("goods-age", group="product"))["rows"]
    assert product["id"] == ids["product"] and figures(product) == (19, 6, 2, 11)
    assert product["age"] == {"0-30": 10, "31-90": 0, "91-180": 1, "180+": 0}
    regions = {r["key"]: figures(r) for r in (await get("channel-inventory", group="region"))["rows"]}
    assert regions == {"region:510100": (18, 6, 2, 10), "region:610100": (1, 0, 0, 1)}
    provinces = await get("channel-inventory", group="region", region_level="province")
    assert {r["key"] for r in provinces["rows"]} == {"region:510000", "region:610000"}
    only_a = await get("channel-inventory", group="store", dealer_id=ids["dealer"])
    assert [r["id"] for r in only_a["rows"]] == [ids["store"]]
    assert (await get("channel-inventory", group="dealer", dealer_id=ids["other"]))["total"]["stock"] == 1

    diversions = await get("diversion-summary", group="dealer")
    assert [(r["key"], r["open"], r["total"]) for r in diversions["rows"]] == [(f"dealer:{ids['dealer']}", 1, 1)]
    by_region = await get("diversion-summary", group="region")
    assert [r["key"] for r in by_region["rows"]] == ["region:610100"]
    # asked again: nothing counted twice
    assert figures((await get("channel-inventory", group="product"))["total"]) == (19, 6, 2, 11)


async def test_a_regional_manager_sees_their_regions(db: Database, client: httpx.AsyncClient, runner: Runner) -> None:
    ids = await _channel(db, runner)
    name = await create_staff(db, "acme", roles=("regional_manager",), region_codes=["610000"])
    async with staff_ctx(db, name) as ctx:
        report = await analytics.channel_inventory(ctx, InventoryFilter(group="dealer"))
        assert [r.id for r in report.rows] == [ids["other"]]
        found = await analytics.diversion_summary(ctx, InventoryFilter(group="dealer"))
        assert found.total.total == 1  # found in Xi'an, in their region
