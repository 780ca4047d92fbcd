"""Geo's routes, called with an API token as an integrator would."""

from __future__ import annotations

import httpx
import pytest

from tests.identity.factories import bearer, create_client, create_tenant
from yima.platform.db.session import Database


@pytest.fixture
async def headers(db: Database, client: httpx.AsyncClient) -> dict[str, str]:
    await create_tenant(db, "acme")
    return await bearer(client, await create_client(db, "acme", ["geo:read"]))


class TestRegions:
    async def test_provinces(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        response = await client.get("/api/v1/geo/regions", params={"level": "province", "limit": 50}, headers=headers)
        assert response.status_code == 200
        body = response.json()
        assert len(body["items"]) == 34 and body["next_cursor"] is None
        assert body["items"][0] == {
            "code": "110000",
            "name": "北京市",
            "level": "province",
            "parent_code": None,
            "province_code": "110000",
            "city_code": None,
            "full_name": "北京市",
            "lon": 116.407394,
            "lat": 39.904211,
        }

    async def test_pages_follow_the_cursor_in_code_order(
        self, client: httpx.AsyncClient, headers: dict[str, str]
    ) -> None:
        seen: list[str] = []
        cursor = None
        while True:
            params = {"parent": "330100", "limit": 4} | ({"cursor": cursor} if cursor else {})
            body = (await client.get("/api/v1/geo/regions", params=params, headers=headers)).json()
            seen += [r["code"] for r in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(set(seen)) and "330106" in seen and len(seen) == 14

    async def test_search(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        body = (await client.get("/api/v1/geo/regions", params={"q": "西湖"}, headers=headers)).json()
        assert {"330106", "360103"} <= {r["code"] for r in body["items"]}

    async def test_one_region(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        response = await client.get("/api/v1/geo/regions/330106", headers=headers)
        assert response.status_code == 200 and response.json()["full_name"] == "浙江省 杭州市 西湖区"

    async def test_unknown_and_malformed_codes(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        unknown = await client.get("/api/v1/geo/regions/999999", headers=headers)
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
        assert (await client.get("/api/v1/geo/regions/33010", headers=headers)).status_code == 422
        nul = await client.get("/api/v1/geo/regions", params={"q": "西\x00湖"}, headers=headers)
        assert nul.status_code == 422  # PostgreSQL would refuse the NUL with a server error
        bad = await client.get("/api/v1/geo/regions", params={"parent": "abc", "level": "town"}, headers=headers)
        assert bad.status_code == 422
        assert {d["field"] for d in bad.json()["error"]["details"]} == {"parent", "level"}


class TestLocate:
    async def test_a_point_in_hangzhou(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        response = await client.get("/api/v1/geo/locate", params={"lat": 30.259, "lon": 120.13}, headers=headers)
        assert response.status_code == 200
        body = response.json()
        assert body["region"]["code"] == "330106" and body["distance_km"] < 1

    async def test_outside_china(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        body = (await client.get("/api/v1/geo/locate", params={"lat": 48.85, "lon": 2.35}, headers=headers)).json()
        assert body == {"lat": 48.85, "lon": 2.35, "region": None, "distance_km": None}

    @pytest.mark.parametrize(
        ("params", "fields"),
        [
            ({"lat": 91, "lon": 0}, {"lat"}),
            ({"lat": 0, "lon": 180.5}, {"lon"}),
            ({"lat": "nan", "lon": "x"}, {"lat", "lon"}),
            ({}, {"lat", "lon"}),
        ],
    )
    async def test_out_of_range(
        self, client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, object], fields: set[str]
    ) -> None:
        response = await client.get("/api/v1/geo/locate", params=params, headers=headers)
        assert response.status_code == 422
        assert {d["field"] for d in response.json()["error"]["details"]} == fields


class TestParseAddress:
    async def test_an_address(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        response = await client.post(
            "/api/v1/geo/parse-address", json={"address": "浙江省杭州市西湖区文三路 90 号"}, headers=headers
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["code"], body["detail"], body["confidence"]) == ("330106", "文三路 90 号", 1.0)
        assert body["district"] == {"code": "330106", "name": "西湖区"}

    @pytest.mark.parametrize("body", [{"address": ""}, {"address": "x" * 201}, {}])
    async def test_bad_bodies(self, client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, str]) -> None:
        assert (await client.post("/api/v1/geo/parse-address", json=body, headers=headers)).status_code == 422


async def test_a_token_without_geo_read_is_refused(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    headers = await bearer(client, await create_client(db, "acme", ["staff:read"]))
    response = await client.get("/api/v1/geo/regions/330106", headers=headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
