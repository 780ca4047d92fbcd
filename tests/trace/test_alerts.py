"""Who is alerted of a diversion (a pure rule), and the inbox the alert lands in."""

from __future__ import annotations

import httpx

from tests.identity.factories import create_staff, create_tenant, login_session, system
from yima.geo import service as geo
from yima.identity import service as identity
from yima.identity.schemas import LocalText
from yima.platform.db.session import Database
from yima.trace.rules import alert_recipients

FOUND_IN_XIAN = "610113"  # 雁塔区
CHENGDU = ("510100",)


def test_the_managers_of_both_sides_are_alerted_not_the_rest() -> None:
    staff = [
        (1, ["610000"]),  # 陕西: where the goods turned up
        (2, ["510104"]),  # a district of the dealer's territory
        (3, ["440000"]),  # 广东: not concerned
        (4, []),  # the whole brand: only when no regional manager is concerned
        (5, ["610113", "440000"]),
    ]
    assert alert_recipients(staff, FOUND_IN_XIAN, CHENGDU, geo.in_territory) == [1, 2, 5]


def test_without_a_regional_manager_the_whole_brand_staff_are_alerted() -> None:
    staff = [(3, ["440000"]), (4, []), (6, [])]
    assert alert_recipients(staff, FOUND_IN_XIAN, CHENGDU, geo.in_territory) == [4, 6]
    assert alert_recipients([(3, ["440000"])], FOUND_IN_XIAN, CHENGDU, geo.in_territory) == []


async def test_an_alert_is_sent_once_and_only_its_owner_reads_it(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    first = await create_staff(db, "acme", roles=("regional_manager",), region_codes=["610000"])
    second = await create_staff(db, "acme", roles=("regional_manager",), region_codes=["510000"])
    async with system(db, "acme") as ctx:
        managers = {r.user_id: r for r in await identity.staff_holding(ctx, "diversion:write")}
        assert len(managers) == 2 and sorted(r.region_codes for r in managers.values()) == [["510000"], ["610000"]]
        text = LocalText(zh="窜货提醒", en="Diversion")
        assert await identity.notify(ctx, list(managers), "diversion", "7", text, text, "/trace/diversions") == 2
        assert await identity.notify(ctx, list(managers), "diversion", "7", text, text) == 0  # re-delivered

    mine = await login_session(client, db, first)
    other = await login_session(client, db, second)
    own = (await client.get("/api/v1/identity/notifications", headers=mine)).json()["items"]
    theirs = (await client.get("/api/v1/identity/notifications", headers=other)).json()["items"]
    assert len(own) == 1 and len(theirs) == 1 and own[0]["id"] != theirs[0]["id"]
    # marking someone else's message changes nothing
    foreign = await client.post("/api/v1/identity/notifications/read", json={"ids": [theirs[0]["id"]]}, headers=mine)
    assert foreign.json() == {"marked": 0}
    done = await client.post("/api/v1/identity/notifications/read", json={"ids": [own[0]["id"]]}, headers=mine)
    assert done.json() == {"marked": 1}
    again = (await client.get("/api/v1/identity/notifications", headers=other)).json()["items"]
    assert again[0]["read_at"] is None
    bad = await client.post("/api/v1/identity/notifications/read", json={"ids": [0]}, headers=mine)
    assert bad.status_code == 422
