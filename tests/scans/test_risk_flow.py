"""Risk control in the scan: graded responses stored with the scan, and the review queue."""

from __future__ import annotations

import httpx
import pytest

from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.scans.factories import code_url, scan_to_win
from yima.campaigns import service as campaigns
from yima.campaigns.schemas import BlacklistEntryCreate, RiskSettingsUpdate
from yima.platform import ctx as platform_ctx
from yima.platform.db import direct
from yima.platform.db.base import utcnow
from yima.platform.db.session import Database
from yima.scans.models import ScanRecord
from yima.wallet import service as wallet

API = "/api/v1/scans"
DEVICE = "device-farm-0001"


async def _settings(db: Database, slug: str, **changes: object) -> None:
    async with system(db, slug) as ctx:
        await campaigns.update_risk_settings(ctx, RiskSettingsUpdate.model_validate(changes))


async def _scan(client: httpx.AsyncClient, url: str, visitor: str | None = None, **place: float) -> dict[str, object]:
    headers = {"X-Yima-Visitor": visitor} if visitor else {}
    client.cookies.clear()
    answer = await client.post(API, json={"code": url, "device_id": DEVICE, **place}, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def _record(db: Database, slug: str, scan_id: object) -> ScanRecord:
    async with system(db, slug) as ctx:
        record = await ctx.session.get(ScanRecord, scan_id)
        assert record is not None
        return record


async def test_a_blacklisted_device_is_rejected_and_why_is_kept(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme")
    async with system(db, "acme") as ctx:
        await campaigns.add_blacklist_entry(ctx, BlacklistEntryCreate(kind="device", value=DEVICE, reason="改机"))

    answer = await _scan(client, await code_url(db, "acme", batch.first_serial))

    assert answer["draw"] == {
        "outcome": "rejected", "message": "活动太火爆了，请稍后再试", "campaign_id": answer["draw"]["campaign_id"],  # type: ignore[index]
        "award": None,
    }  # fmt: skip
    record = await _record(db, "acme", answer["scan_id"])
    assert (record.risk_decision, record.risk_reasons, record.award_id) == ("reject", ["blacklist:device"], None)


async def test_a_lowered_scan_gets_the_fallback(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    batch, _ = await scan_to_win(db, "acme")
    await _settings(db, "acme", device={"minute": {"limit": 1, "response": "fallback"}})
    first = await _scan(client, await code_url(db, "acme", batch.first_serial))
    sent: list[str] = []
    direct.listen(listener := lambda statement, sql: sent.append(sql))
    try:  # located: the diversion check reads trace's events, counted with risk control's counters
        url = await code_url(db, "acme", batch.first_serial + 1)
        second = await _scan(client, url, str(first["visitor_token"]), lat=30.66, lon=104.06)
    finally:
        direct.remove(listener)
    assert second["draw"]["award"]["fallback"] is True  # type: ignore[index]
    assert second["draw"]["award"]["reason"] == "fallback: risk control"  # type: ignore[index]
    record = await _record(db, "acme", second["scan_id"])
    award_id = second["draw"]["award"]["id"]  # type: ignore[index]
    assert (record.outcome, record.award_id, record.campaign_id) == ("awarded", award_id, second["draw"]["campaign_id"])  # type: ignore[index]
    assert (record.risk_decision, record.risk_reasons) == ("fallback", ["device_minute"])
    if db.engine.dialect.name == "postgresql":
        # the record's outcome is written with the award, in one statement: no UPDATE of its own
        [outcome] = [sql for sql in sent if "UPDATE scan_records" in sql]
        assert outcome.startswith("WITH spent AS") and "INSERT INTO campaign_awards" in outcome
        # risk control's counters in one statement with the diversion check's read
        counting = [sql for sql in sent if "campaign_risk_counters" in sql]
        assert len(counting) == 1 and counting[0].startswith("WITH q0 AS") and "epcis_events" in counting[0]
        # and a returning visitor's person is read with the unit
        [first] = [sql for sql in sent if "person_identities" in sql]
        assert first.startswith("WITH q0 AS") and "code_units" in first


async def test_a_held_scan_waits_for_a_reviewer_who_decides_once(
    db: Database, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The counters are per UTC minute: the three scans must fall in one, however slow the machine.
    moment = utcnow()
    monkeypatch.setattr(platform_ctx, "utcnow", lambda: moment)
    await create_tenant(db, "acme")
    batch, campaign = await scan_to_win(db, "acme")
    await _settings(db, "acme", person={"minute": {"limit": 1, "response": "review"}})
    first = await _scan(client, await code_url(db, "acme", batch.first_serial))
    visitor = str(first["visitor_token"])
    held = await _scan(client, await code_url(db, "acme", batch.first_serial + 1), visitor)
    rejected = await _scan(client, await code_url(db, "acme", batch.first_serial + 2), visitor)
    assert held["draw"]["outcome"] == "held" and held["draw"]["award"] is None  # type: ignore[index]
    staff = await bearer(client, await create_client(db, "acme", ["risk:read", "risk:write"]))

    queue = await client.get(f"{API}/reviews", headers=staff)
    assert queue.status_code == 200, queue.text
    items = queue.json()["items"]
    assert [i["scan_id"] for i in items] == [rejected["scan_id"], held["scan_id"]]
    assert items[1]["reasons"][0]["code"] == "person_minute" and items[1]["reasons"][0]["zh"]
    assert items[1]["campaign_id"] == campaign.id and items[1]["review_state"] == "pending"

    approved = await client.post(f"{API}/reviews/{held['scan_id']}", json={"decision": "approve"}, headers=staff)
    assert approved.status_code == 200, approved.text
    assert approved.json()["outcome"] == "awarded" and approved.json()["award"]["code_serial"] == batch.first_serial + 1
    twice = await client.post(f"{API}/reviews/{held['scan_id']}", json={"decision": "reject"}, headers=staff)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_reviewed"
    no = await client.post(f"{API}/reviews/{rejected['scan_id']}", json={"decision": "reject"}, headers=staff)
    assert no.json()["outcome"] == "rejected" and no.json()["award"] is None
    assert (await client.get(f"{API}/reviews", headers=staff)).json()["items"] == []
    async with system(db, "acme") as ctx:
        assert await wallet.is_balanced(ctx)


async def test_reviewing_needs_risk_write(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    reader = await bearer(client, await create_client(db, "acme", ["risk:read"]))
    assert (await client.get(f"{API}/reviews", headers=reader)).status_code == 200
    denied = await client.post(f"{API}/reviews/1", json={"decision": "approve"}, headers=reader)
    assert denied.status_code == 403
