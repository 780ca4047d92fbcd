"""The API's documentation page works without the internet: Swagger UI's script and style are
served by yima itself, never fetched from a CDN."""

from __future__ import annotations

import re

import httpx


async def test_swagger_ui_is_served_from_this_install(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200 and "/openapi.json" in page.text
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', page.text)
    assert sorted(assets) == ["/docs/assets/favicon.png", "/docs/assets/swagger-ui-bundle.js",
                              "/docs/assets/swagger-ui.css"]  # fmt: skip
    assert "cdn." not in page.text and "://" not in "".join(assets)
    for asset in assets:
        served = await client.get(asset)
        assert served.status_code == 200 and len(served.content) > 1000, asset
    script = (await client.get("/docs/assets/swagger-ui-bundle.js")).text
    assert re.search(r'"5\.\d+\.\d+"', script)  # Swagger UI 5: it renders OpenAPI 3.1, as FastAPI writes
    assert (await client.get("/openapi.json")).json()["openapi"].startswith("3.1")
