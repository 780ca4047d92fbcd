"""Editing a policy's terms through HTTP: a draft freely; an active one only once paused, with
its kind kept; the new amounts pay from the next credit on (credits already written stay), and
every change is audited."""

from __future__ import annotations

import httpx

from tests.identity.factories import system
from tests.partners.factories import channel_auth
from tests.rebates.world import REBATES, STORE_PHONE, World, balanced, consumer_scan, credits, policy, post
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter
from yima.platform.db.session import Database


async def _put(client: httpx.AsyncClient, w: World, policy_id: int, **body: object) -> httpx.Response:
    terms = {"name": "双向红包", "kind": "bc", "product_ids": [w.product_id], "store_fen": 200} | body
    return await client.put(f"{REBATES}/policies/{policy_id}", json=terms, headers=w.staff)


async def test_a_draft_is_edited_freely_and_an_active_policy_once_paused(
    db: Database, client: httpx.AsyncClient, world: World
) -> None:
    w = world
    draft = await post(client, f"{REBATES}/policies", {"name": "草稿", "kind": "bb", "dealer_fen": 300}, w.staff)
    changed = await _put(client, w, draft["id"], kind="bbc", store_fen=150, dealer_fen=50)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["kind"], changed.json()["store_fen"], changed.json()["state"]) == ("bbc", 150, "draft")
    bad = await _put(client, w, draft["id"], kind="bc", store_fen=0)
    assert bad.status_code == 422 and "store_fen" in bad.text

    bc = await policy(client, w, name="双向红包", kind="bc", store_fen=200)  # active and funded
    refused = await _put(client, w, bc["id"], store_fen=300)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "policy_state")
    store = await channel_auth(client, w.slug, STORE_PHONE)
    await post(client, f"{REBATES}/store-scans", {"code": w.case_inner[0]}, store)
    await consumer_scan(client, db, w.bottles[0], w.slug)

    await post(client, f"{REBATES}/policies/{bc['id']}/pause", {}, w.staff)
    kind_kept = await _put(client, w, bc["id"], kind="bbc", dealer_fen=10)
    assert kind_kept.status_code == 422 and "kind" in kind_kept.text
    raised = await _put(client, w, bc["id"], store_fen=300)
    assert raised.status_code == 200 and raised.json()["state"] == "paused"
    await post(client, f"{REBATES}/policies/{bc['id']}/resume", {}, w.staff)
    await consumer_scan(client, db, w.bottles[1], w.slug)

    paid = await credits(client, w.staff, policy_id=bc["id"])
    assert sorted((c["serial"], c["amount_fen"]) for c in paid) == [(w.bottles[0], 200), (w.bottles[1], 300)]
    async with system(db, w.slug) as ctx:
        audit = await identity.list_audit(ctx, AuditFilter(action="rebate_policy.updated"), 10, None)
    assert {a.target_id for a in audit} == {str(draft["id"]), str(bc["id"])}
    assert await balanced(db, w.slug)
