"""The diversion report as the people alerted read it: a regional manager sees the findings made
in their regions and those of the dealers whose territory lies in them (both sides of the
offence, as the alert goes); moments are shown in the brand's time."""

from __future__ import annotations

import datetime as dt
import io

import httpx
from openpyxl import load_workbook

from tests.identity.factories import create_staff, create_tenant, login_session
from tests.partners.factories import create_dealer
from tests.trace.factories import diversion
from yima.platform.db.session import Database

XIAN = "610113"  # 雁塔区: where the Chengdu dealer's goods turned up


async def test_the_dealers_side_reads_what_it_was_alerted_of(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    chengdu = await create_dealer(db, "acme", territory=("510100",))
    guangzhou = await create_dealer(db, "acme", territory=("440100",))
    ours = await diversion(db, "acme", chengdu.id, region_code=XIAN)
    elsewhere = await diversion(db, "acme", guangzhou.id, region_code="350102")  # 福州
    managers = {
        region: await login_session(
            client, db, await create_staff(db, "acme", roles=("regional_manager",), region_codes=[region])
        )
        for region in ("510000", "610000", "440000", "320000")
    }
    seen = {}
    for region, session in managers.items():
        listed = await client.get("/api/v1/trace/diversions", headers=session)
        assert listed.status_code == 200, listed.text
        seen[region] = [item["id"] for item in listed.json()["items"]]
    assert seen == {"510000": [ours], "610000": [ours], "440000": [elsewhere], "320000": []}

    sichuan, jiangsu = managers["510000"], managers["320000"]
    one = await client.get(f"/api/v1/trace/diversions/{ours}", headers=sichuan)
    assert one.status_code == 200 and one.json()["dealer_id"] == chengdu.id
    assert (await client.get(f"/api/v1/trace/diversions/{ours}", headers=jiangsu)).status_code == 404
    confirmed = await client.patch(f"/api/v1/trace/diversions/{ours}", json={"status": "confirmed"}, headers=sichuan)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    refused = await client.patch(f"/api/v1/trace/diversions/{elsewhere}", json={"note": "x"}, headers=sichuan)
    assert refused.status_code == 404
    exported = await client.get("/api/v1/trace/diversions/export", headers=sichuan)
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [ours]
    filtered = await client.get("/api/v1/trace/diversions", params={"dealer_id": chengdu.id}, headers=sichuan)
    assert [item["id"] for item in filtered.json()["items"]] == [ours]  # the alert's link
    for session, counted in ((sichuan, {f"dealer:{chengdu.id}": 1}), (jiangsu, {})):  # the cockpit counts the same
        summary = await client.get("/api/v1/analytics/diversion-summary", params={"group": "dealer"}, headers=session)
        assert summary.status_code == 200, summary.text
        assert {row["key"]: row["total"] for row in summary.json()["rows"]} == counted


async def test_found_at_is_shown_in_the_brands_time(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    dealer = await create_dealer(db, "acme")
    found = await diversion(db, "acme", dealer.id)
    session = await login_session(client, db, await create_staff(db, "acme"))
    for answer in (
        (await client.get("/api/v1/trace/diversions", headers=session)).json()["items"][0],
        (await client.get(f"/api/v1/trace/diversions/{found}", headers=session)).json(),
    ):
        assert dt.datetime.fromisoformat(answer["found_at"]).utcoffset() == dt.timedelta(hours=8)
