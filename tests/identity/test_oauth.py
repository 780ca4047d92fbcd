"""OAuth 2.0 client credentials: tokens, scopes, and everything that must be refused."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import replace

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from tests.identity.factories import bearer, create_client, create_staff, create_tenant, login_session, system
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter, ClientUpdate
from yima.platform.db.session import Database


async def test_a_token_works_within_its_scopes_and_is_refused_outside(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    creds = await create_client(db, "acme", ["staff:read", "identity:read"])
    headers = await bearer(client, creds)
    me = await client.get("/api/v1/identity/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["tenant"]["slug"] == "acme"
    assert me.json()["permissions"] == ["identity:read", "staff:read"]
    assert (await client.get("/api/v1/identity/staff", headers=headers)).status_code == 200
    refused = await client.get("/api/v1/identity/audit-log", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"


async def test_token_answer_follows_rfc_6749(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    creds = await create_client(db, "acme", ["staff:read", "identity:read"])
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "staff:read"},
        headers={
            "Authorization": "Basic " + base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()
        },
    )
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer" and body["scope"] == "staff:read" and body["expires_in"] == 3600


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "yc_unknown"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": "audit:read"}, 400, "invalid_scope"),
        ({"grant_type": ""}, 400, "invalid_request"),
        ({"client_id": ""}, 401, "invalid_client"),
    ],
)
async def test_bad_token_requests_are_refused(
    db: Database, client: httpx.AsyncClient, change: dict[str, str], status: int, error: str
) -> None:
    await create_tenant(db, "acme")
    creds = await create_client(db, "acme", ["staff:read"])
    data = {"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": creds.client_secret}
    response = await client.post("/oauth/token", data={key: v for key, v in {**data, **change}.items() if v})
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["error_description"]
    assert response.headers["cache-control"] == "no-store"


async def test_a_token_answer_is_never_cached(db: Database, client: httpx.AsyncClient) -> None:
    # RFC 6749 §5.1: the answer carrying a token says Cache-Control: no-store and Pragma: no-cache.
    await create_tenant(db, "acme")
    creds = await create_client(db, "acme", ["staff:read"])
    data = {"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": creds.client_secret}
    response = await client.post("/oauth/token", data=data)
    assert response.status_code == 200 and response.json()["access_token"]
    assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"


async def test_a_json_body_is_an_oauth_invalid_request(db: Database, client: httpx.AsyncClient) -> None:
    # RFC 6749 §4.4.2 asks for a form; JSON is a request the endpoint cannot read: its error shape too.
    response = await client.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request" and "grant_type" in response.json()["error_description"]


async def test_a_disabled_client_loses_its_tokens_at_once(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    creds = await create_client(db, "acme", ["identity:read"])
    headers = await bearer(client, creds)
    async with system(db, "acme") as ctx:
        [row] = await identity.list_clients(ctx, 10, None)
        await identity.update_client(ctx, row.id, ClientUpdate(is_active=False))
    assert (await client.get("/api/v1/identity/me", headers=headers)).status_code == 401


async def test_a_reset_secret_ends_the_old_secret_and_its_tokens(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    creds = await create_client(db, "acme", ["identity:read"])
    old_token = await bearer(client, creds)
    admin = await login_session(client, db, await create_staff(db, "acme"))
    [row] = (await client.get("/api/v1/identity/clients", headers=admin)).json()["items"]
    rotated = await client.post(f"/api/v1/identity/clients/{row['id']}/secret", headers=admin)
    assert rotated.status_code == 200 and rotated.json()["client_id"] == creds.client_id
    new_secret = rotated.json()["client_secret"]
    assert new_secret != creds.client_secret
    assert (await client.get("/api/v1/identity/me", headers=old_token)).status_code == 401
    old = {"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": creds.client_secret}
    refused = await client.post("/oauth/token", data=old)
    assert refused.status_code == 401
    fresh = await bearer(client, replace(creds, client_secret=new_secret))
    assert (await client.get("/api/v1/identity/me", headers=fresh)).status_code == 200
    async with system(db, "acme") as ctx:
        [entry] = await identity.list_audit(ctx, AuditFilter(action="client.secret_rotated"), 10, None)
    assert new_secret not in str(entry.changes)


async def test_narrowed_client_scopes_narrow_live_tokens(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    creds = await create_client(db, "acme", ["identity:read", "staff:read"])
    headers = await bearer(client, creds)
    async with system(db, "acme") as ctx:
        [row] = await identity.list_clients(ctx, 10, None)
        await identity.update_client(ctx, row.id, ClientUpdate(scopes=["identity:read"]))
    assert (await client.get("/api/v1/identity/staff", headers=headers)).status_code == 403


async def test_forged_expired_and_foreign_tokens_are_refused(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    await create_tenant(db, "rival")
    acme = await create_client(db, "acme", ["identity:read"])
    rival = await create_client(db, "rival", ["identity:read"])
    good = (await bearer(client, acme))["Authorization"].split()[1]
    header, payload, signature = good.split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    async with system(db, "rival") as ctx:
        rival_key = await identity.tenant_subkey(ctx.session, ctx.tenant_id, b"oauth-access-token")
        acme_id = (await identity.get_tenant_by_slug(ctx.session, "acme")).id
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {"iss": "yima", "sub": rival.client_id, "tid": acme_id, "scope": "identity:read", "exp": now + 60}
    # Signed with another brand's key but claiming this brand: the kid picks acme's key, so it fails.
    cross = jwt.encode({"alg": "HS256", "kid": f"t{acme_id}"}, claims, OctKey.import_key(rival_key))
    expired_claims = {**claims, "tid": ctx.tenant_id, "exp": now - 10}
    expired = jwt.encode({"alg": "HS256", "kid": f"t{ctx.tenant_id}"}, expired_claims, OctKey.import_key(rival_key))
    for token in (tampered, cross, expired, "not-a-jwt", good + "x"):
        response = await client.get("/api/v1/identity/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.json()["error"]["code"] in {"invalid_token", "unauthorized"}


async def test_no_credentials_gets_401_in_the_api_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/identity/me")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthorized" and error["request_id"] == response.headers["x-request-id"]


async def test_the_token_endpoint_is_rate_limited(db: Database, client: httpx.AsyncClient) -> None:
    data = {"grant_type": "client_credentials", "client_id": "yc_x", "client_secret": "y"}
    answers = [await client.post("/oauth/token", data=data) for _ in range(31)]
    assert [a.status_code for a in answers[:30]] == [401] * 30
    assert answers[30].status_code == 429
    # when a place frees up: the window's oldest request leaves it within the minute
    assert 1 <= int(answers[30].headers["Retry-After"]) <= 60
    # in the token endpoint's own (RFC 6749) shape, which OAuth client libraries read
    assert answers[30].json()["error"] == "rate_limited" and answers[30].json()["error_description"]


async def test_the_openapi_names_each_routes_scope(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    flow = schema["components"]["securitySchemes"]["OAuth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth/token" and "staff:manage" in flow["scopes"]
    patch = schema["paths"]["/api/v1/identity/staff/{staff_id}"]["patch"]
    assert patch["security"] == [{"OAuth2": ["staff:manage"]}, {"ConsoleSession": []}]
    assert "security" not in schema["paths"]["/oauth/token"]["post"]
