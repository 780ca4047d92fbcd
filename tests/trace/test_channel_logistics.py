"""Dealers' and stores' own people (channel accounts) do logistics as their own partner only:
through the API with their session token and through the /m/trace pages with their cookie."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from tests.catalog.factories import create_product
from tests.codes.factories import activate, create_batch, create_supplier
from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.partners.factories import channel_auth, channel_token, create_dealer, create_store, create_warehouse
from yima.codes import service as codes
from yima.codes.tokens import Face
from yima.partners import service as partners
from yima.partners.schemas import ChannelRoleCreate
from yima.platform.db.session import Database
from yima.trace import h5 as trace_pages
from yima.trace.models import EpcisEvent
from yima.trace.rules import party_uri

API = "/api/v1/trace/logistics"
DEALER_PHONE, STORE_PHONE = "13900000011", "13900000012"


async def _cases(db: Database, count: int) -> list[str]:
    """``count`` activated cases of a new product of acme, by their outer codes."""
    product = await create_product(db, "acme")
    cases = await create_batch(db, "acme", "case", count, supplier_id=await create_supplier(db, "acme"))
    await activate(db, "acme", cases.first_serial, cases.last_serial, product.id)
    async with system(db, "acme") as ctx:
        brand = await codes.codec(ctx)
    return [brand.encode(cases.first_serial + i, Face.OUTER) for i in range(count)]


async def test_channel_accounts_act_only_as_their_own_dealer_or_store(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    case = await _cases(db, 3)
    warehouse = await create_warehouse(db, "acme")
    dealer_a = await create_dealer(db, "acme", name="甲经销商")
    dealer_b = await create_dealer(db, "acme", name="乙经销商")
    store_a = await create_store(db, "acme", dealer_a.id, name="甲的门店")
    store_b = await create_store(db, "acme", dealer_b.id, name="乙的门店")
    async with system(db, "acme") as ctx:
        await partners.grant_role(ctx, ChannelRoleCreate(phone=DEALER_PHONE, kind="dealer_owner",
                                                         dealer_id=dealer_a.id))  # fmt: skip
        await partners.grant_role(ctx, ChannelRoleCreate(phone=STORE_PHONE, kind="store_owner", store_id=store_a.id))
    staff = await bearer(client, await create_client(db, "acme", ["logistics:write"]))
    shipped = await client.post(
        f"{API}/shipments",
        json={"codes": case, "source": {"kind": "warehouse", "id": warehouse.id},
              "destination": {"kind": "dealer", "id": dealer_a.id}},
        headers=staff,
    )  # fmt: skip
    assert shipped.status_code == 201, shipped.text

    dealer = await channel_auth(client, "acme", DEALER_PHONE)
    store = await channel_auth(client, "acme", STORE_PHONE)
    a, b = {"kind": "dealer", "id": dealer_a.id}, {"kind": "dealer", "id": dealer_b.id}
    received = await client.post(f"{API}/receipts", json={"codes": case, "receiver": a}, headers=dealer)
    assert received.status_code == 201, received.text
    as_other = await client.post(
        f"{API}/shipments", json={"codes": case[:1], "source": b, "destination": {"kind": "store", "id": store_b.id}},
        headers=dealer,
    )  # fmt: skip
    assert (as_other.status_code, as_other.json()["error"]["details"][0]["code"]) == (403, "not_your_partner")
    into_warehouse = {"codes": case, "warehouse_id": warehouse.id}
    stored = await client.post(f"{API}/warehouse-in", json=into_warehouse, headers=dealer)
    assert stored.status_code == 403
    to_store = {"kind": "store", "id": store_a.id}
    ok = await client.post(f"{API}/shipments", json={"codes": case[:1], "source": a, "destination": to_store},
                           headers=dealer)  # fmt: skip
    assert ok.status_code == 201, ok.text

    other_store = {"kind": "store", "id": store_b.id}
    refused = await client.post(f"{API}/receipts", json={"codes": case[:1], "receiver": other_store}, headers=store)
    assert refused.status_code == 403
    signed = await client.post(f"{API}/receipts", json={"codes": case[:1], "receiver": to_store}, headers=store)
    assert signed.status_code == 201, signed.text
    # Nothing the refused calls tried was written: the case's last event is the store's sign-for.
    life = await client.get("/api/v1/trace/units/lifecycle", params={"code": case[0]},
                            headers=await bearer(client, await create_client(db, "acme", ["trace:read"])))  # fmt: skip
    assert life.status_code == 200, life.text
    steps = sorted((e["event_time"], e["biz_step"]) for e in life.json()["events"])
    assert [step for _, step in steps] == ["shipping", "receiving", "shipping", "receiving"]


async def test_the_logistics_pages_offer_a_channel_account_its_own_partners(
    db: Database, client: httpx.AsyncClient
) -> None:
    await create_tenant(db, "acme")
    dealer_a = await create_dealer(db, "acme", name="甲经销商")
    dealer_b = await create_dealer(db, "acme", name="乙经销商")
    await create_store(db, "acme", dealer_a.id, name="甲的门店")
    await create_store(db, "acme", dealer_b.id, name="乙的门店")
    async with system(db, "acme") as ctx:
        await partners.grant_role(ctx, ChannelRoleCreate(phone=DEALER_PHONE, kind="dealer_owner",
                                                         dealer_id=dealer_a.id))  # fmt: skip
    client.cookies.set("yima_channel", await channel_token(client, "acme", DEALER_PHONE))

    home = await client.get("/m/trace")
    assert home.status_code == 200
    assert "出库发货" in home.text and "/m/trace/warehouse-in" not in home.text
    ship = await client.get("/m/trace/ship")
    options = re.findall(r"<option value=\"(\w+):\d+\"[^>]*>[^<]*?(\S+)</option>", ship.text)
    assert sorted(options) == [("dealer", "甲经销商"), ("store", "甲的门店")]
    assert (await client.get("/m/trace/warehouse-in")).status_code == 404
    account = await client.get("/m/partner")
    assert "甲经销商" in account.text and "经销商负责人" in account.text
    client.cookies.clear()
    assert "经销商 / 门店登录" in (await client.get("/m/trace")).text


async def test_past_the_list_limit_a_counterpart_is_typed_by_its_code(
    db: Database, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dealer with more stores than a select list holds ships to any of them by its code."""
    monkeypatch.setattr(trace_pages, "CHOICES_LIMIT", 1)
    await create_tenant(db, "acme")
    case = await _cases(db, 2)
    warehouse = await create_warehouse(db, "acme")
    dealer = await create_dealer(db, "acme", name="甲经销商")
    stores = [await create_store(db, "acme", dealer.id, name=name) for name in ("甲一店", "甲二店")]
    async with system(db, "acme") as ctx:
        await partners.grant_role(ctx, ChannelRoleCreate(phone=DEALER_PHONE, kind="dealer_owner", dealer_id=dealer.id))
    staff = await bearer(client, await create_client(db, "acme", ["logistics:write"]))
    to_dealer = {"kind": "dealer", "id": dealer.id}
    shipped = await client.post(
        f"{API}/shipments", json={"codes": case, "source": {"kind": "warehouse", "id": warehouse.id},
                                  "destination": to_dealer}, headers=staff,
    )  # fmt: skip
    assert shipped.status_code == 201, shipped.text
    token = await channel_token(client, "acme", DEALER_PHONE)
    own = {"Authorization": f"Bearer {token}"}
    assert (await client.post(f"{API}/receipts", json={"codes": case, "receiver": to_dealer}, headers=own)).is_success
    client.cookies.set("yima_channel", token)

    page = await client.get("/m/trace/ship")
    assert 'name="destination_code"' in page.text and 'name="source_code"' not in page.text  # only the cut list
    listed = re.findall(r'<option value="store:(\d+)"', page.text)
    assert len(listed) == 1
    unlisted = next(s for s in stores if str(s.id) not in listed)
    csrf = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)[0]
    form = {"csrf_token": csrf, "source": f"dealer:{dealer.id}"}
    wrong = await client.post("/m/trace/ship", data=form | {"destination_code": "NO-SUCH", "codes": case[0]})
    assert wrong.status_code == 422 and "没有此编码，或已停用" in wrong.text and 'value="NO-SUCH"' in wrong.text
    done = await client.post("/m/trace/ship", data=form | {"destination_code": unlisted.code, "codes": "\n".join(case)})
    assert done.status_code == 200 and "出库发货已记录" in done.text, done.text
    event_id = re.findall(r'<code class="small">([^<]+)</code>', done.text)[0]
    async with system(db, "acme") as ctx:
        event = (await ctx.session.scalars(select(EpcisEvent).where(EpcisEvent.event_id == event_id))).one()
    destinations = [d["destination"] for d in event.document["destinationList"]]
    assert destinations == [party_uri("store", unlisted.id)]
