"""The wallet's HTTP API: finance moves money, others read or are refused (and a refusal
changes nothing), every movement by staff is audited, another brand sees none of it."""

from __future__ import annotations

import httpx
import pytest

from tests.harness import snapshot
from tests.identity.factories import bearer, create_client, create_staff, create_tenant, login_session, system
from tests.wallet.factories import award, funded_budget, withdraw
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner

API = "/api/v1/wallet"
ALL = ["wallet:read", "wallet:write", "wallet:manage"]


@pytest.fixture
async def headers(db: Database, client: httpx.AsyncClient, acme: str) -> dict[str, str]:
    return await bearer(client, await create_client(db, "acme", ALL))


async def test_finance_funds_the_brand_and_gives_a_budget_money(
    db: Database, client: httpx.AsyncClient, acme: str
) -> None:
    await create_staff(db, "acme", "fin", roles=("finance",))
    headers = await login_session(client, db, "fin")
    funded = await client.post(
        f"{API}/fundings", json={"amount_fen": 1_000_000, "reference": "BANK-1"}, headers=headers
    )
    assert funded.status_code == 201, funded.text
    assert (funded.json()["amount"], funded.json()["replayed"]) == (1_000_000, False)
    again = await client.post(f"{API}/fundings", json={"amount_fen": 1_000_000, "reference": "BANK-1"}, headers=headers)
    assert (again.status_code, again.json()["id"], again.json()["replayed"]) == (201, funded.json()["id"], True)

    budget = await client.post(
        f"{API}/budgets", json={"owner_kind": "campaign", "owner_ref": "9", "name": "春节红包"}, headers=headers
    )
    assert budget.status_code == 201, budget.text
    bid = budget.json()["id"]
    reopened = await client.post(
        f"{API}/budgets", json={"owner_kind": "campaign", "owner_ref": "9", "name": "另一个名字"}, headers=headers
    )
    assert (reopened.json()["id"], reopened.json()["name"]) == (bid, "春节红包")  # opened once, audited once
    allocated = await client.post(
        f"{API}/budgets/{bid}/allocations", json={"amount_fen": 300_000, "key": "a1"}, headers=headers
    )
    assert allocated.status_code == 201, allocated.text
    # The accounts are named in the first answer, not only in a replay.
    entries = allocated.json()["entries"]
    assert [(e["account_kind"], e["account_name"]) for e in entries] == [("budget", "春节红包"), ("brand_cash", "")]
    short = await client.post(
        f"{API}/budgets/{bid}/allocations", json={"amount_fen": 800_000, "key": "a2"}, headers=headers
    )
    assert (short.status_code, short.json()["error"]["code"]) == (409, "brand_funds_low")
    released = await client.post(
        f"{API}/budgets/{bid}/releases", json={"key": "r1", "amount_fen": 100_000}, headers=headers
    )
    assert released.status_code == 201, released.text

    summary = (await client.get(f"{API}/summary", headers=headers)).json()
    assert (summary["funded"], summary["brand_cash"], summary["budgets"], summary["balanced"]) == (
        1_000_000, 800_000, 200_000, True,
    )  # fmt: skip
    statement = (await client.get(f"{API}/accounts/{bid}/entries", headers=headers)).json()
    assert [(e["kind"], e["amount"], e["balance_after"]) for e in statement["items"]] == [
        ("release", -100_000, 200_000), ("allocate", 300_000, 300_000),
    ]  # fmt: skip
    closed = await client.post(f"{API}/budgets/{bid}/close", headers=headers)
    assert (closed.json()["closed"], closed.json()["balance"]) == (True, 0)

    async with system(db, "acme") as ctx:
        audit = await identity.list_audit(ctx, AuditFilter(target_type="wallet_account"), 20, None)
    assert sorted(a.action for a in audit) == [
        "wallet.brand_funded", "wallet.budget_allocated", "wallet.budget_closed", "wallet.budget_opened",
        "wallet.budget_released",
    ]  # fmt: skip
    assert {a.actor_name for a in audit} == {"员工 fin"}


async def test_lists_page_by_cursor(db: Database, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    budget = await funded_budget(db, "acme", 10_000)
    for person in (1, 2, 3):
        await award(db, "acme", budget.id, person, 100)
    first = (await client.get(f"{API}/journals", params={"kind": "award", "limit": 2}, headers=headers)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await client.get(
        f"{API}/journals", params={"kind": "award", "cursor": first["next_cursor"]}, headers=headers
    )
    assert [j["kind"] for j in rest.json()["items"]] == ["award"] and rest.json()["next_cursor"] is None
    wallets = (await client.get(f"{API}/accounts", params={"kind": "participant"}, headers=headers)).json()
    assert sorted(a["owner_ref"] for a in wallets["items"]) == ["1", "2", "3"]
    one = (await client.get(f"{API}/accounts", params={"person_id": 2}, headers=headers)).json()["items"]
    assert [(a["kind"], a["balance"]) for a in one] == [("participant", 100)]
    journal = await client.get(f"{API}/journals/{first['items'][0]['id']}", headers=headers)
    assert [e["account_kind"] for e in journal.json()["entries"]] == ["budget", "participant"]


async def test_payouts_retry_and_reconciliation(
    db: Database, client: httpx.AsyncClient, headers: dict[str, str], runner: Runner
) -> None:
    budget = await funded_budget(db, "acme", 10_000, cash=20_000)
    await award(db, "acme", budget.id, 5, 2_000)
    ok = await withdraw(db, "acme", 5, 500)
    declined = await withdraw(db, "acme", 5, 700, openid="sandbox-fail-1")
    await runner.drain()
    listed = (await client.get(f"{API}/payouts", params={"status": "failed"}, headers=headers)).json()["items"]
    assert [(p["id"], p["fail_code"]) for p in listed] == [(declined.id, "SANDBOX_DECLINED")]
    assert (await client.get(f"{API}/payouts/{ok.id}", headers=headers)).json()["status"] == "succeeded"
    not_again = await client.post(f"{API}/payouts/{ok.id}/retry", headers=headers)
    assert (not_again.status_code, not_again.json()["error"]["code"]) == (409, "payout_not_retryable")
    retried = await client.post(f"{API}/payouts/{declined.id}/retry", headers=headers)
    assert retried.status_code == 200 and retried.json()["id"] != declined.id
    again = await client.post(f"{API}/payouts/{declined.id}/retry", headers=headers)
    assert again.json()["id"] == retried.json()["id"]
    async with system(db, "acme") as ctx:
        retries = await identity.list_audit(ctx, AuditFilter(action="wallet.payout_retried"), 20, None)
    assert [a.changes for a in retries] == [{"new_payout_id": retried.json()["id"]}]  # the answer again: no entry

    started = await client.post(f"{API}/reconciliations", json={}, headers=headers)
    assert (started.status_code, started.json()["status"]) == (202, "running")
    await runner.drain()
    report = (await client.get(f"{API}/reconciliations/{started.json()['id']}", headers=headers)).json()
    assert (report["status"], report["checked"], report["matched"], report["problems"]) == ("done", 3, 3, 0)
    listed_reports = (await client.get(f"{API}/reconciliations", headers=headers)).json()["items"]
    assert [r["id"] for r in listed_reports] == [started.json()["id"]]

    # A period that is empty once the default is filled in (until: now).
    empty = await client.post(f"{API}/reconciliations", json={"since": "2030-01-01T00:00:00Z"}, headers=headers)
    assert (empty.status_code, empty.json()["error"]["details"][0]["field"]) == (422, "since"), empty.text
    assert len((await client.get(f"{API}/reconciliations", headers=headers)).json()["items"]) == 1


@pytest.mark.parametrize("since", ["2026-11-25", "2026-11-25T06:30:00"])
async def test_a_moment_without_its_offset_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str], since: str
) -> None:
    refused = await client.get(f"{API}/journals", params={"since": since}, headers=headers)
    assert refused.status_code == 422, refused.text
    assert "since" in refused.text
    listed = await client.get(f"{API}/journals", params={"since": "2026-11-25T06:30:00+08:00"}, headers=headers)
    assert listed.status_code == 200, listed.text


async def test_settings_keep_wechats_rules_and_the_operators_fee(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    assert (await client.get(f"{API}/settings", headers=headers)).json()["fee_bps"] == 60
    changed = await client.patch(f"{API}/settings", json={"daily_cap_fen": 50_000}, headers=headers)
    assert changed.json()["daily_cap_fen"] == 50_000
    too_big = await client.patch(f"{API}/settings", json={"max_transfer_fen": 200_000}, headers=headers)
    assert too_big.status_code == 422
    assert [d["field"] for d in too_big.json()["error"]["details"]] == ["max_transfer_fen"]
    for operators in ({"fee_bps": 0}, {"transfer_scene_id": "1005"}):
        refused = await client.patch(f"{API}/settings", json=operators, headers=headers)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "operator_only")
    assert (await client.get(f"{API}/settings", headers=headers)).json()["transfer_scene_id"] == "1000"


@pytest.mark.parametrize("role", ["operator", "auditor"])
async def test_readers_read_and_are_refused_money_moves(
    db: Database, client: httpx.AsyncClient, acme: str, role: str
) -> None:
    budget = await funded_budget(db, "acme", 10_000)
    await create_staff(db, "acme", "reader", roles=(role,))
    headers = await login_session(client, db, "reader")
    assert (await client.get(f"{API}/summary", headers=headers)).json()["budgets"] == 10_000
    tenant_id = (await client.get("/api/v1/identity/me", headers=headers)).json()["tenant"]["id"]
    before = await snapshot(db, tenant_id)
    for path, body in [
        ("/fundings", {"amount_fen": 100, "reference": "x"}),
        (f"/budgets/{budget.id}/allocations", {"amount_fen": 100, "key": "x"}),
        (f"/budgets/{budget.id}/close", None),
    ]:
        refused = await client.post(API + path, json=body, headers=headers)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    assert await snapshot(db, tenant_id) == before
    assert (await client.get(f"{API}/summary")).status_code == 401


async def test_another_brand_reaches_nothing(db: Database, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    budget = await funded_budget(db, "acme", 10_000, cash=20_000)
    await award(db, "acme", budget.id, 5, 1_000)
    payout = await withdraw(db, "acme", 5, 500)
    await create_tenant(db, "rival")
    rival = await bearer(client, await create_client(db, "rival", ALL))
    for path in (f"/accounts/{budget.id}", f"/accounts/{budget.id}/entries", f"/payouts/{payout.id}"):
        assert (await client.get(API + path, headers=rival)).status_code == 404
    for path, body in [
        (f"/budgets/{budget.id}/allocations", {"amount_fen": 1, "key": "k"}),
        (f"/budgets/{budget.id}/close", None),
        (f"/payouts/{payout.id}/retry", None),
    ]:
        assert (await client.post(API + path, json=body, headers=rival)).status_code == 404
    assert (await client.get(f"{API}/payouts", headers=rival)).json()["items"] == []
    assert (await client.get(f"{API}/accounts", headers=rival)).json()["items"] == []
    assert (await client.get(f"{API}/summary", headers=headers)).json()["budgets"] == 10_000 - 1_000


async def test_a_misspelt_field_is_refused_and_moves_nothing(
    db: Database, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    budget = await funded_budget(db, "acme", 10_000)
    async with system(db, "acme") as ctx:
        tenant_id = ctx.tenant_id
    before = await snapshot(db, tenant_id)
    for method, path, body in [
        # ``amount`` for ``amount_fen``: left out, the release would take everything the budget holds.
        ("POST", f"/budgets/{budget.id}/releases", {"amount": 100, "key": "r1"}),
        ("POST", f"/budgets/{budget.id}/allocations", {"amount_fen": 100, "key": "a1", "memo": "x"}),
        ("POST", "/fundings", {"amount_fen": 100, "reference": "BANK-9", "referance": "BANK-9"}),
        ("POST", "/budgets", {"owner_kind": "campaign", "owner_ref": "9", "name": "红包", "slices": 4}),
        ("PATCH", "/settings", {"daily_cap": 500}),  # would answer 200 and leave the cap as it was
        ("POST", "/reconciliations", {"from": "2026-11-01T00:00:00+08:00"}),
    ]:
        refused = await client.request(method, API + path, json=body, headers=headers)
        assert refused.status_code == 422, (path, refused.text)
        [detail] = refused.json()["error"]["details"]
        assert (detail["code"], detail["field"] in body) == ("extra_forbidden", True), refused.text
    assert await snapshot(db, tenant_id) == before
    assert (await client.get(f"{API}/accounts/{budget.id}", headers=headers)).json()["balance"] == 10_000


async def test_a_period_the_wrong_way_round_names_its_field(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    body = {"since": "2026-11-25T00:00:00+08:00", "until": "2026-11-20T00:00:00+08:00"}
    refused = await client.post(f"{API}/reconciliations", json=body, headers=headers)
    assert refused.status_code == 422, refused.text
    assert [(d["field"], d["code"]) for d in refused.json()["error"]["details"]] == [("since", "empty_period")]
    remark = await client.patch(f"{API}/settings", json={"transfer_remark": "红包\n提现"}, headers=headers)
    assert (remark.status_code, remark.json()["error"]["details"][0]["field"]) == (422, "transfer_remark")


async def test_closing_an_empty_budget_is_audited_once(
    db: Database, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    budget = await funded_budget(db, "acme", 0, cash=1)
    for _ in range(2):  # closing it again changes nothing
        closed = await client.post(f"{API}/budgets/{budget.id}/close", headers=headers)
        assert (closed.status_code, closed.json()["closed"]) == (200, True)
    async with system(db, "acme") as ctx:
        audit = await identity.list_audit(ctx, AuditFilter(action="wallet.budget_closed"), 20, None)
    assert [(a.target_id, a.changes) for a in audit] == [(str(budget.id), {"amount_fen": 0})]
    refused = await client.post(
        f"{API}/budgets/{budget.id}/allocations", json={"amount_fen": 1, "key": "k"}, headers=headers
    )
    assert refused.json()["error"]["code"] == "budget_closed"
