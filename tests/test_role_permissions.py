"""Per-role permissions on every /api/v1 route: anonymous callers get 401, each built-in role
gets 403 exactly where it lacks the route's permission, and a refused call changes nothing."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.harness import global_path_params, seed_brand, snapshot
from tests.identity.factories import create_staff, login_session
from tests.routes import api_routes
from yima.platform.db.session import Database
from yima.platform.permissions import BUILTIN_ROLES, builtin_role_permissions


async def test_anonymous_callers_are_refused_everywhere(db: Database, app: FastAPI, client: httpx.AsyncClient) -> None:
    brand = await seed_brand(db, "acme")
    brand.ids.update(global_path_params())
    before = await snapshot(db, brand.tenant_id)
    for case in api_routes(app):
        if case.permission is None:
            continue  # public on purpose (PUBLIC_API_ROUTES); its context's tests cover it
        response = await client.request(case.method, case.url(brand.ids), json=case.body())
        assert response.status_code == 401, f"{case}: {response.status_code}"
    assert await snapshot(db, brand.tenant_id) == before


@pytest.mark.parametrize("role", BUILTIN_ROLES)
async def test_each_role_gets_exactly_its_permissions(
    db: Database, app: FastAPI, client: httpx.AsyncClient, role: str
) -> None:
    brand = await seed_brand(db, "acme")
    brand.ids.update(global_path_params())
    await create_staff(db, "acme", "holder", roles=(role,))
    headers = await login_session(client, db, "holder")
    granted = builtin_role_permissions(role)
    for case in api_routes(app):
        if case.permission is None:
            continue  # public on purpose (PUBLIC_API_ROUTES); its context's tests cover it
        before = await snapshot(db, brand.tenant_id)
        response = await client.request(case.method, case.url(brand.ids), json=case.body(), headers=headers)
        if case.permission in granted:
            assert response.status_code not in (401, 403, 500), f"{role} {case}: {response.text}"
        else:
            assert response.status_code == 403, f"{role} {case} should be refused: {response.status_code}"
            assert response.json()["error"]["code"] == "permission_denied"
            assert await snapshot(db, brand.tenant_id) == before, f"{role} {case} changed data while refused"


def test_the_built_in_roles_are_what_the_domain_expects() -> None:
    auditor = builtin_role_permissions("auditor")
    assert auditor and all(p.endswith(":read") for p in auditor)
    assert builtin_role_permissions("owner") >= builtin_role_permissions("admin") >= {"staff:manage", "clients:manage"}
    assert "staff:manage" not in builtin_role_permissions("operator")
    assert "audit:read" in builtin_role_permissions("finance")
