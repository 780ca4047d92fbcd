"""The API's error answers name what is wrong and where."""

from __future__ import annotations

import httpx

from tests.identity.factories import bearer, create_client, create_tenant
from yima.platform.db.session import Database


async def test_a_body_that_is_not_json_says_so_and_where(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    headers = await bearer(client, await create_client(db, "acme", ["staff:manage"]))
    response = await client.post(
        "/api/v1/identity/roles",
        content=b'{"code": "x",\n "name": }',
        headers={**headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    [detail] = response.json()["error"]["details"]
    assert detail == {
        "field": "body",
        "message": "not valid JSON at character 24: Expecting value",
        "code": "json_invalid",
    }
