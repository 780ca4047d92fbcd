"""The phone-page shell: Chinese error pages for people, JSON errors for programs, page headers,
the shared stylesheet and components."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from jinja2 import ChoiceLoader, DictLoader
from starlette.exceptions import HTTPException

from yima.platform import money
from yima.platform.errors import NotFound
from yima.platform.web import h5
from yima.platform.web.errors import install_error_handlers
from yima.platform.web.middleware import RequestContextMiddleware
from yima.platform.web.templates import STATIC_DIR, templates

REQUEST_ID = "req-test-0001"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "X-Request-ID": REQUEST_ID}
JSON = {"Accept": "application/json", "X-Request-ID": REQUEST_ID}
STATUSES = [400, 401, 403, 404, 405, 409, 410, 422, 429, 500, 503]
PAGE = """{% extends "base.html" %}{% import "ui.html" as ui %}
{% block content %}<p>{{ who }}</p>{{ ui.amount(fen) }}
{{ ui.field("phone", "手机号", error="请输入11位手机号", inputmode="numeric") }}
{{ ui.verdict("genuine", "正品") }}{% endblock %}"""

router = APIRouter()


@router.get("/page")
async def page(request: Request) -> HTMLResponse:
    return h5.render(request, "test/page.html", {"who": "<b>张三</b>", "fen": 123456})


@router.get("/boom/{status}")
async def boom(status: int) -> None:
    raise HTTPException(status)


@router.get("/missing")
async def missing() -> None:
    raise NotFound("no such code")


@router.get("/crash")
async def crash() -> None:
    raise RuntimeError("bug")


@router.get("/count")
async def count(n: int) -> int:
    return n


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    shared = templates.env.loader
    assert shared is not None
    monkeypatch.setattr(templates.env, "loader", ChoiceLoader([DictLoader({"test/page.html": PAGE}), shared]))
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(router)
    app.include_router(router, prefix="/api/v1")
    app.mount("/static", h5.StaticAssets(directory=STATIC_DIR), name="static")
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, html
    return found.group(1).strip()


@pytest.mark.parametrize("status", STATUSES)
def test_browsers_get_a_chinese_error_page(client: TestClient, status: int) -> None:
    response = client.get(f"/boom/{status}", headers=HTML)

    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in response.text
    assert _title(response.text) != "出错了"  # each listed status has its own words
    assert f"请求编号：<code>{REQUEST_ID}</code>" in response.text


def test_not_found_page_offers_back_only_with_script(client: TestClient) -> None:
    response = client.get("/no/such/page", headers=HTML)

    assert response.status_code == 404
    assert _title(response.text) == "页面不存在"
    assert "您访问的页面不存在或已失效。" in response.text
    assert re.search(r"<button [^>]*data-back hidden>返回上一页</button>", response.text)


@pytest.mark.parametrize(("path", "status", "title"), [("/missing", 404, "页面不存在"), ("/crash", 500, "系统出错了")])
def test_app_errors_and_crashes_get_the_page_too(client: TestClient, path: str, status: int, title: str) -> None:
    response = client.get(path, headers=HTML)

    assert response.status_code == status
    assert _title(response.text) == title
    assert REQUEST_ID in response.text
    assert "no such code" not in response.text and "bug" not in response.text


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/missing", JSON, 404, "not_found"),
        ("/boom/429", JSON, 429, "rate_limited"),
        ("/crash", JSON, 500, "internal_error"),
        ("/api/v1/missing", HTML, 404, "not_found"),
        ("/api/v1/crash", HTML, 500, "internal_error"),
        ("/api/v1/nothing-here", HTML, 404, "not_found"),
    ],
)
def test_programs_and_api_paths_get_json(
    client: TestClient, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    response = client.get(path, headers=headers)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert (error["code"], error["request_id"]) == (code, REQUEST_ID)


def test_validation_errors_name_the_field(client: TestClient) -> None:
    response = client.get("/count?n=many", headers=JSON)

    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == ["n"]


def test_pages_carry_security_headers_and_no_inline_code(client: TestClient) -> None:
    response = client.get("/page", headers=HTML)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    csp = response.headers["content-security-policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:"):
        assert directive in csp
    assert f'href="/static/mobile.css?v={h5.STATIC_VERSION}"' in response.text
    # The CSP forbids inline code, so the shell must not rely on any.
    for html in (response.text, client.get("/missing", headers=HTML).text):
        assert not re.search(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son\w+=|javascript:", html)


def test_pages_escape_and_wire_components(client: TestClient) -> None:
    html = client.get("/page", headers=HTML).text

    assert "&lt;b&gt;张三&lt;/b&gt;" in html
    assert "<small>¥</small>1,234.56</span>" in html
    assert 'aria-invalid="true" aria-describedby="f-phone-note" inputmode="numeric"' in html
    assert '<p class="error" id="f-phone-note">请输入11位手机号</p>' in html
    assert '<section class="verdict is-success">' in html


def test_stylesheet_is_served_small_and_cacheable(client: TestClient) -> None:
    response = client.get("/static/mobile.css")
    versioned = client.get(f"/static/mobile.css?v={h5.STATIC_VERSION}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert len(response.content) < 8 * 1024
    assert "immutable" not in response.headers.get("cache-control", "")
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert versioned.headers["x-content-type-options"] == "nosniff"
    assert "javascript" in client.get("/static/mobile.js").headers["content-type"]


def test_templates_format_money_with_the_platform_formatter() -> None:
    assert templates.env.filters["yuan"] is money.yuan  # cases in tests/platform/test_money.py
