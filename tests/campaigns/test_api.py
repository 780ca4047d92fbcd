"""The campaigns over HTTP, the CLI, and the configuration use cases' rules."""

from __future__ import annotations

import uuid

import httpx

from tests.campaigns.factories import POOL
from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.live import LiveServer
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter
from yima.platform.db.session import Database


class TestApi:
    async def test_create_edit_publish_pause_resume_end_and_simulate(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        slug = await create_tenant(db)
        headers = await bearer(client, await create_client(db, slug, ["campaigns:read", "campaigns:write"]))
        body = {"name": "春节", "budget_fen": 1_000_000, "prizes": POOL, "targeting": {"regions": ["510000"]}}
        made = await client.post("/api/v1/campaigns", json=body, headers=headers)
        assert made.status_code == 201, made.text
        cid = made.json()["id"]
        assert made.json()["state"] == "draft" and [p["stock_left"] for p in made.json()["prizes"]] == [10, None, None]
        edited = await client.patch(f"/api/v1/campaigns/{cid}", json={"daily_cap_fen": 50_000}, headers=headers)
        assert edited.json()["daily_cap_fen"] == 50_000
        steps = [("publish", "running"), ("pause", "paused"), ("resume", "running")]
        for action, state in steps:
            moved = await client.post(f"/api/v1/campaigns/{cid}/{action}", headers=headers)
            assert (moved.status_code, moved.json()["state"]) == (200, state), moved.text
        locked = await client.patch(f"/api/v1/campaigns/{cid}", json={"prizes": POOL}, headers=headers)
        assert locked.status_code == 409 and locked.json()["error"]["details"][0]["field"] == "prizes"
        sim = await client.post(f"/api/v1/campaigns/{cid}/simulate", json={"expected_scans": 100_000}, headers=headers)
        assert sim.status_code == 200 and round(sim.json()["expected_cost_fen"]) == 1_000_000
        assert round(sim.json()["prizes"][0]["expected_count"]) == 10
        ended = await client.post(f"/api/v1/campaigns/{cid}/end", headers=headers)
        assert ended.json()["state"] == "ended"
        again = await client.post(f"/api/v1/campaigns/{cid}/publish", headers=headers)
        assert (again.status_code, again.json()["error"]["code"]) == (409, "campaign_state")
        listed = await client.get("/api/v1/campaigns?state=ended", headers=headers)
        assert [c["id"] for c in listed.json()["items"]] == [cid]
        async with system(db, slug) as ctx:
            actions = [e.action for e in await identity.list_audit(ctx, AuditFilter(), 50, None)]
        assert {"campaign.created", "campaign.updated", "campaign.published", "campaign.end"} <= set(actions)

    async def test_bad_configurations_are_refused_field_by_field(self, db: Database, client: httpx.AsyncClient) -> None:
        slug = await create_tenant(db)
        headers = await bearer(client, await create_client(db, slug, ["campaigns:write"]))
        two_fallbacks = [POOL[2], POOL[2]]
        bad = await client.post(
            "/api/v1/campaigns", json={"name": "x", "budget_fen": 1, "prizes": two_fallbacks}, headers=headers
        )
        assert (bad.status_code, bad.json()["error"]["details"][0]["code"]) == (422, "fallback_count")
        unknown = {
            "name": "x",
            "budget_fen": 1,
            "scope": {"product_ids": [99999]},
            "targeting": {"regions": ["999999"]},
        }
        found = await client.post("/api/v1/campaigns", json=unknown, headers=headers)
        assert [d["code"] for d in found.json()["error"]["details"]] == ["unknown_product", "unknown_region"]
        cash = {"name": "x", "budget_fen": 1, "prizes": [{"name": "r", "kind": "cash", "fallback": True}]}
        assert (await client.post("/api/v1/campaigns", json=cash, headers=headers)).status_code == 422


class TestCli:
    def test_list_show_and_simulate_against_the_live_database(self, live: LiveServer) -> None:
        slug = f"cli-camp-{uuid.uuid4().hex[:6]}"
        live.yima("tenant", "create", "--slug", slug, "--name", "CLI 活动品牌")
        creds = live.client_credentials(slug, ["campaigns:write"])
        token = httpx.post(f"{live.url}/oauth/token", data={"grant_type": "client_credentials", **creds}).json()
        made = httpx.post(
            f"{live.url}/api/v1/campaigns",
            json={"name": "命令行活动", "budget_fen": 1_000_000, "prizes": POOL},
            headers={"Authorization": f"Bearer {token['access_token']}"},
        )
        assert made.status_code == 201, made.text
        cid = str(made.json()["id"])
        assert "命令行活动" in live.yima("campaigns", "list", "--tenant", slug)
        assert '"stock_left": 10' in live.yima("campaigns", "show", cid, "--tenant", slug)
        simulated = live.yima("campaigns", "simulate", cid, "--tenant", slug, "--scans", "100000")
        assert "10,000.00 / 10,000.00" in simulated and "88元红包" in simulated
