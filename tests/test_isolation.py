"""Tenant isolation, end to end: every /api/v1 route called by another brand — with an API
token holding every scope, as that brand's owner in the console, and as one of its channel
accounts (渠道账号) — answers 404 for the victim's objects or shows none of them, refuses what the
caller may not do, and changes nothing the victim owns."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.harness import Principal, global_path_params, leaked, seed_brand, snapshot
from tests.identity.factories import bearer, create_client, create_staff, login_session
from tests.partners.factories import harness_channel_account
from tests.routes import RouteCase, api_routes
from yima.platform.db.session import Database
from yima.platform.permissions import all_permissions


async def _sign_in(db: Database, client: httpx.AsyncClient, kind: str, slug: str) -> Principal:
    staff = frozenset(p.name for p in all_permissions())
    if kind == "api_client":
        return Principal(await bearer(client, await create_client(db, slug)), staff)
    if kind == "console_owner":
        await create_staff(db, slug, f"{slug}-owner", roles=("owner",))
        return Principal(await login_session(client, db, f"{slug}-owner"), staff)
    return await harness_channel_account(client, slug)


def _ends_the_session(case: RouteCase) -> bool:
    # Signing out would leave the caller unauthenticated for every route after it: it goes last.
    return case.path.endswith("/logout")


@pytest.mark.parametrize("kind", ["api_client", "console_owner", "channel_account"])
async def test_no_route_reaches_another_brand(db: Database, app: FastAPI, client: httpx.AsyncClient, kind: str) -> None:
    victim = await seed_brand(db, "victim")
    intruder = await seed_brand(db, "intruder")
    principal = await _sign_in(db, client, kind, intruder.slug)
    before = await snapshot(db, victim.tenant_id)
    cases = sorted(api_routes(app), key=_ends_the_session)
    global_params = global_path_params()
    victim.ids.update(global_params)
    assert len(cases) >= 15
    for case in cases:
        app.state.limiters["token"].reset()
        response = await client.request(case.method, case.url(victim.ids), json=case.body(), headers=principal.headers)
        names_victims_object = bool(set(case.path_params) - set(global_params))
        if case.permission is None:  # public (PUBLIC_API_ROUTES): credentials do not apply
            assert response.status_code < 500 and not leaked(victim.markers, response.text), f"{case}: {response.text}"
            continue
        if case.permission not in principal.held:  # another kind of account's route (staff's, or a channel account's)
            assert response.status_code == 403 and not leaked(victim.markers, response.text), f"{case}: {response.text}"
            continue
        # A refusal of what the body asks, whoever's it is, tells nothing where no victim's object is named.
        if not names_victims_object and principal.narrowed(response):
            assert not leaked(victim.markers, response.text), f"{case}: {response.text}"
            continue
        assert response.status_code not in (401, 403, 500), f"{case}: {response.status_code} {response.text}"
        if names_victims_object:
            assert response.status_code == 404, f"{case} reached the victim's object: {response.text}"
        assert not leaked(victim.markers, response.text), f"{case} leaked the victim's data: {response.text}"
    assert await snapshot(db, victim.tenant_id) == before
