"""The rebates' HTTP world: a brand with a packed pallet of two cases of six bottles, two dealers
with a store each and their owners' channel accounts, and the helpers the scenarios share."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tests.codes.factories import activated_goods
from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.partners.factories import create_dealer, create_store, create_warehouse
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
CLERK_PHONE = "13700000004"  # a clerk (店员) of the dealer's store


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
    slug: str


async def post(client: httpx.AsyncClient, path: str, body: dict[str, object], headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), (path, response.text)
    return dict(response.json())


async def build_world(db: Database, client: httpx.AsyncClient, runner: Runner, slug: str = "acme") -> World:
    await create_tenant(db, slug)
    goods = await activated_goods(db, slug)
    bottles, cases, pallets = goods.bottles, goods.cases, goods.pallets
    async with system(db, slug) as ctx:
        brand = await codes.codec(ctx)
    outer = [brand.encode(cases.first_serial + i, Face.OUTER) for i in range(2)]
    inner = [brand.encode(cases.first_serial + i, Face.INNER) for i in range(2)]
    pallet = brand.encode(pallets.first_serial, Face.OUTER)
    staff = await bearer(client, await create_client(db, slug, SCOPES))
    operations = [
        {"parent": outer[i], "children": [brand.encode(bottles.first_serial + 6 * i + j, Face.OUTER) for j in range(6)]}
        for i in range(2)
    ]
    await post(client, "/api/v1/codes/packing", {"operations": [*operations, {"parent": pallet, "children": outer}]},
                staff)  # fmt: skip
    await runner.drain()
    dealer = await create_dealer(db, slug, territory=("510100",))  # 成都市
    other_dealer = await create_dealer(db, slug, territory=("510100",))
    store = await create_store(db, slug, dealer.id, region_code="510104")
    other_store = await create_store(db, slug, other_dealer.id, region_code="510104")
    async with system(db, slug) as ctx:
        for phone, kind, ids in [
            (DEALER_PHONE, "dealer_owner", {"dealer_id": dealer.id}),
            (STORE_PHONE, "store_owner", {"store_id": store.id}),
            (OTHER_STORE_PHONE, "store_owner", {"store_id": other_store.id}),
            (CLERK_PHONE, "store_clerk", {"store_id": store.id}),
        ]:
            await partners.grant_role(ctx, ChannelRoleCreate(phone=phone, kind=kind, **ids))  # type: ignore[arg-type]
    warehouse = await create_warehouse(db, slug)
    serials = list(range(bottles.first_serial, bottles.last_serial + 1))
    return World(staff, goods.product_id, serials, inner, outer, pallet,
                 warehouse.id, dealer.id, store.id, other_store.id, slug)  # fmt: skip


async def policy(client: httpx.AsyncClient, w: World, **body: object) -> dict:  # type: ignore[type-arg]
    created = await post(client, f"{REBATES}/policies", {"product_ids": [w.product_id], **body}, w.staff)
    assert created["state"] == "draft"
    active = await post(client, f"{REBATES}/policies/{created['id']}/activate", {}, w.staff)
    funding = {"amount_fen": 10_000, "reference": f"BANK-{created['id']}"}
    await post(client, "/api/v1/wallet/fundings", funding, w.staff)
    await post(client, f"/api/v1/wallet/budgets/{active['budget_account_id']}/allocations",
                {"amount_fen": 10_000, "key": f"alloc-{created['id']}"}, w.staff)  # fmt: skip
    return active


async def move(client: httpx.AsyncClient, w: World, op: str, codes_: list[str], party: dict[str, object]) -> None:
    await post(client, f"{LOGISTICS}/{op}", {"codes": codes_, **party}, w.staff)


def dealer_of(w: World) -> dict[str, object]:
    return {"kind": "dealer", "id": w.dealer_id}


async def credits(client: httpx.AsyncClient, headers: dict[str, str], path: str = "credits", **params: object) -> list:  # type: ignore[type-arg]
    response = await client.get(f"{REBATES}/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def consumer_scan(client: httpx.AsyncClient, db: Database, serial: int, slug: str = "acme") -> None:
    scanned = await client.post("/api/v1/scans", json={"code": await code_url(db, slug, serial)})
    assert scanned.status_code == 200, scanned.text


async def balanced(db: Database, slug: str = "acme") -> bool:
    async with system(db, slug) as ctx:
        return await wallet.is_balanced(ctx)
