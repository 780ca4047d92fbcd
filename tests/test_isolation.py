"""Tenant isolation, end to end: every /api/v1 route called by another brand — with an API
token holding every scope, and as that brand's owner in the console — answers 404 for the
victim's objects or shows none of them, and changes nothing the victim owns."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.harness import global_path_params, leaked, seed_brand, snapshot
from tests.identity.factories import bearer, create_client, create_staff, login_session
from tests.routes import api_routes
from yima.platform.db.session import Database
from yima.platform.permissions import all_permissions


@pytest.mark.parametrize("principal", ["api_client", "console_owner"])
async def test_no_route_reaches_another_brand(
    db: Database, app: FastAPI, client: httpx.AsyncClient, principal: str
) -> None:
    victim = await seed_brand(db, "victim")
    intruder = await seed_brand(db, "intruder")
    if principal == "api_client":
        headers = await bearer(client, await create_client(db, intruder.slug))
    else:
        await create_staff(db, intruder.slug, "intruder-owner", roles=("owner",))
        headers = await login_session(client, db, "intruder-owner")
    before = await snapshot(db, victim.tenant_id)
    cases = api_routes(app)
    global_params = global_path_params()
    victim.ids.update(global_params)
    assert len(cases) >= 15
    staff_permissions = {p.name for p in all_permissions()}  # the others are channel accounts' only
    for case in cases:
        app.state.limiters["token"].reset()
        response = await client.request(case.method, case.url(victim.ids), json=case.body(), headers=headers)
        if case.permission is None:  # public (PUBLIC_API_ROUTES): staff credentials do not apply
            assert response.status_code < 500 and not leaked(victim.markers, response.text), f"{case}: {response.text}"
            continue
        if case.permission not in staff_permissions:  # a channel account's own routes: never staff's or a client's
            assert response.status_code == 403 and not leaked(victim.markers, response.text), f"{case}: {response.text}"
            continue
        assert response.status_code not in (401, 403, 500), f"{case}: {response.status_code} {response.text}"
        if set(case.path_params) - set(global_params):
            assert response.status_code == 404, f"{case} reached the victim's object: {response.text}"
        assert not leaked(victim.markers, response.text), f"{case} leaked the victim's data: {response.text}"
    assert await snapshot(db, victim.tenant_id) == before
