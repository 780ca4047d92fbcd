"""Risk control over HTTP (settings, blacklist, permissions, validation) and the CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid

import httpx

from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.live import LiveServer
from yima.campaigns import service as campaigns
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter
from yima.platform.db.session import Database

RISK = "/api/v1/campaigns/risk"
ALL = ["risk:read", "risk:write", "risk:manage"]


async def headers_for(db: Database, client: httpx.AsyncClient, scopes: list[str]) -> tuple[str, dict[str, str]]:
    slug = await create_tenant(db)
    return slug, await bearer(client, await create_client(db, slug, scopes))


def problems(response: httpx.Response) -> list[tuple[str, str]]:
    return [(d["field"], d["code"]) for d in response.json()["error"]["details"]]


class TestSettings:
    async def test_defaults_then_a_nested_change_that_is_audited(self, db: Database, client: httpx.AsyncClient) -> None:
        slug, headers = await headers_for(db, client, ALL)
        shown = await client.get(f"{RISK}/settings", headers=headers)
        assert shown.status_code == 200 and shown.json()["person"]["minute"] == {"limit": 10, "response": "review"}
        assert shown.json()["net"]["day"] == {"limit": 3000, "response": "reject"}
        body = {"person": {"minute": {"limit": 15}}, "far_from_territory": {"km": None}, "enabled": True}
        changed = await client.patch(f"{RISK}/settings", json=body, headers=headers)
        assert changed.status_code == 200, changed.text
        assert changed.json()["person"]["minute"] == {"limit": 15, "response": "review"}
        assert changed.json()["far_from_territory"] == {"km": None, "response": "fallback"}
        assert (await client.get(f"{RISK}/settings", headers=headers)).json() == changed.json()
        async with system(db, slug) as ctx:
            [entry] = [
                e for e in await identity.list_audit(ctx, AuditFilter(), 50, None) if e.action.startswith("risk")
            ]
        assert entry.action == "risk.settings_updated"
        assert entry.changes == {"person.minute.limit": [10, 15], "far_from_territory.km": [200.0, None]}

    async def test_validation_errors_name_the_field_and_the_problem(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        _, headers = await headers_for(db, client, ALL)
        zero = await client.patch(f"{RISK}/settings", json={"person": {"minute": {"limit": 0}}}, headers=headers)
        assert (zero.status_code, problems(zero)) == (422, [("person.minute.limit", "greater_than_equal")])
        word = await client.patch(f"{RISK}/settings", json={"ip": {"day": {"response": "ban"}}}, headers=headers)
        assert problems(word) == [("ip.day.response", "literal_error")]
        cleared = await client.patch(f"{RISK}/settings", json={"ip": {"day": {"response": None}}}, headers=headers)
        assert problems(cleared) == [("ip.day.response", "literal_error")]
        order = await client.patch(f"{RISK}/settings", json={"person": {"day": {"limit": 5}}}, headers=headers)
        assert (order.status_code, problems(order)) == (422, [("person.day.limit", "below_shorter_window")])
        assert "below person.hour.limit (60)" in order.json()["error"]["details"][0]["message"]
        assert (await client.get(f"{RISK}/settings", headers=headers)).json()["person"]["day"]["limit"] == 200

    async def test_operators_manage_blacklists_but_only_admins_set_the_rules(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        _, reader = await headers_for(db, client, ["risk:read"])
        assert (await client.get(f"{RISK}/settings", headers=reader)).status_code == 200
        refused = await client.post(f"{RISK}/blacklist", json={"kind": "serial", "value": "9", "reason": "x"},
                                    headers=reader)  # fmt: skip
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
        _, writer = await headers_for(db, client, ["risk:read", "risk:write"])
        patch = await client.patch(f"{RISK}/settings", json={"enabled": False}, headers=writer)
        assert patch.status_code == 403
        assert (await client.get(f"{RISK}/settings", headers=writer)).json()["enabled"] is True


class TestBlacklist:
    async def test_add_list_filter_and_remove(self, db: Database, client: httpx.AsyncClient) -> None:
        slug, headers = await headers_for(db, client, ALL)
        later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
        added = []
        bodies = [
            {"kind": "ip", "value": "198.51.100.0/24", "reason": "机房IP段"},
            {"kind": "phone", "value": "+86 138 1234 1234", "reason": "羊毛党", "expires_at": later},
        ]
        for body in bodies:
            made = await client.post(f"{RISK}/blacklist", json=body, headers=headers)
            assert made.status_code == 201, made.text
            added.append(made.json())
        assert (added[1]["value"], added[1]["active"], added[0]["expires_at"]) == ("13812341234", True, None)
        listed = await client.get(f"{RISK}/blacklist", headers=headers)
        assert [e["id"] for e in listed.json()["items"]] == [added[1]["id"], added[0]["id"]]
        by_kind = await client.get(f"{RISK}/blacklist?kind=ip&q=198.51", headers=headers)
        assert [e["value"] for e in by_kind.json()["items"]] == ["198.51.100.0/24"]
        assert (await client.get(f"{RISK}/blacklist?active=false", headers=headers)).json()["items"] == []
        async with system(db, slug) as ctx:
            blocked = await campaigns.assess_risk(ctx, campaigns.RiskInput(1, 1, "198.51.100.3", None, None, 0, None))
        assert blocked.reasons == ("blacklist:ip",)
        gone = await client.delete(f"{RISK}/blacklist/{added[0]['id']}", headers=headers)
        assert gone.status_code == 204
        assert (await client.delete(f"{RISK}/blacklist/{added[0]['id']}", headers=headers)).status_code == 404
        async with system(db, slug) as ctx:
            freed = await campaigns.assess_risk(ctx, campaigns.RiskInput(1, 1, "198.51.100.3", None, None, 0, None))
            actions = [e.action for e in await identity.list_audit(ctx, AuditFilter(), 50, None)]
        assert freed.reasons == () and {"risk.blacklisted", "risk.unblacklisted"} <= set(actions)

    async def test_bad_entries_are_refused_field_by_field(self, db: Database, client: httpx.AsyncClient) -> None:
        _, headers = await headers_for(db, client, ALL)

        async def post(**body: object) -> httpx.Response:
            return await client.post(f"{RISK}/blacklist", json={"reason": "r"} | body, headers=headers)

        host_bits = await post(kind="ip", value="198.51.100.7/24")
        assert (host_bits.status_code, problems(host_bits)) == (422, [("value", "value_error")])
        assert "the network is 198.51.100.0/24" in host_bits.json()["error"]["details"][0]["message"]
        assert problems(await post(kind="phone", value="12345")) == [("value", "value_error")]
        assert problems(await post(kind="email", value="a@b")) == [("kind", "literal_error")]
        past = await post(kind="serial", value="5", expires_at="2020-01-01T00:00:00Z")
        assert problems(past) == [("expires_at", "past")]
        naive = await post(kind="serial", value="5", expires_at="2030-01-01T00:00:00")
        assert problems(naive) == [("expires_at", "timezone_aware")]
        assert (await post(kind="serial", value="5")).status_code == 201
        twice = await post(kind="serial", value="05")
        assert (twice.status_code, twice.json()["error"]["code"]) == (409, "already_blacklisted")

    async def test_risk_is_not_read_as_a_campaign_id(self, db: Database, client: httpx.AsyncClient) -> None:
        _, headers = await headers_for(db, client, [*ALL, "campaigns:read"])
        assert (await client.get(f"{RISK}/blacklist", headers=headers)).status_code == 200
        assert (await client.get("/api/v1/campaigns/risk", headers=headers)).status_code == 422


def _yima(live: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yima", *args], env=live.env | {"COLUMNS": "200"}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


class TestCli:
    def test_show_blacklist_add_list_remove_and_purge(self, live: LiveServer) -> None:
        slug = f"cli-risk-{uuid.uuid4().hex[:6]}"
        live.yima("tenant", "create", "--slug", slug, "--name", "CLI 风控品牌")
        assert '"blacklist_response": "reject"' in live.yima("campaigns", "risk", "show", "--tenant", slug)
        added = live.yima("campaigns", "risk", "blacklist", "add", "ip", "203.0.113.0/24", "--tenant", slug,
                          "--reason", "机房IP段", "--days", "3")  # fmt: skip
        assert "blacklisted: #" in added and "203.0.113.0/24" in added
        entry_id = added.split("#", 1)[1].split()[0]
        listed = live.yima("campaigns", "risk", "blacklist", "list", "--tenant", slug, "--kind", "ip")
        assert "203.0.113.0/24" in listed and "机房IP段" in listed
        bad = _yima(live, "campaigns", "risk", "blacklist", "add", "ip", "203.0.113.9/24", "--tenant", slug,
                    "--reason", "x")  # fmt: skip
        assert bad.returncode != 0 and "host bits" in bad.stderr
        assert f"removed: #{entry_id}" in live.yima(
            "campaigns", "risk", "blacklist", "remove", entry_id, "--tenant", slug
        )
        assert "203.0.113.0/24" not in live.yima("campaigns", "risk", "blacklist", "list", "--tenant", slug)
        assert "purged: 0" in live.yima("campaigns", "risk", "purge", "--tenant", slug)
