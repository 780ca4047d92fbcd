"""The HQ console in a real browser (Debian's Chromium through Playwright) against a real server:
sign-in, both languages, staff, an API client's one-time secret, the brand switch, sign-out."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page, sign_in
from tests.live import LiveServer
from yima.demo import DEMO_NAME, DEMO_PASSWORD, SISTER_NAME
from yima.identity.permissions import SESSION_COOKIE

pytestmark = pytest.mark.browser

OWNER_NAME = "周总 (品牌所有者)"
DEMO_LOGINS = ("owner", "admin", "operator", "finance", "east", "southwest", "auditor")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile (no cookies) per test."""
    with fresh_page(browser) as fresh:
        yield fresh


def test_owner_signs_in_works_in_both_languages_switches_brand_and_signs_out(live: LiveServer, page: Page) -> None:
    console = f"{live.url}/console"

    # Not signed in: the console sends us to its login page, remembering where we were going.
    page.goto(console)
    expect(page).to_have_url(re.compile(r"/console/login\?next=%2Fconsole%2F$"))

    # A wrong password is refused on the form, in Chinese, with 401.
    page.fill("#login", "owner")
    page.fill("#password", "not-the-password")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("button[type=submit]")
    assert answer.value.status == 401
    expect(page.locator("#login-error")).to_have_text("登录名或密码错误")

    # The right one lands on the Chinese home page of the owner's first brand.
    sign_in(page, "owner", DEMO_PASSWORD)
    expect(page).to_have_url(f"{console}/")
    expect(page.get_by_text(f"您好，{OWNER_NAME}")).to_be_visible()
    expect(page.locator(".q-header")).to_contain_text(DEMO_NAME)
    expect(page.locator(".q-drawer").get_by_text("员工", exact=True)).to_be_visible()
    session = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-home.png"), full_page=True)

    # English, for this session.
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text(f"Hello, {OWNER_NAME}")).to_be_visible()
    expect(page.locator(".q-drawer").get_by_text("Audit log")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en-US"

    # The staff page lists the demo staff.
    page.locator(".q-drawer").get_by_text("Staff", exact=True).click()
    expect(page).to_have_url(f"{console}/identity/staff")
    for login in DEMO_LOGINS:
        expect(page.get_by_role("cell", name=login, exact=True)).to_be_visible()

    # A new API client shows its secret once.
    name = f"ERP {uuid.uuid4().hex[:6]}"
    page.locator(".q-drawer").get_by_text("API clients").click()
    page.get_by_role("button", name="New client").click()
    dialog = page.locator(".q-dialog")
    dialog.get_by_label("Name (e.g. ERP integration)").fill(name)
    dialog.get_by_text("View staff and roles").click()
    dialog.get_by_role("button", name="Create").click()
    expect(dialog.get_by_text("shown only this once")).to_be_visible()
    secret = dialog.get_by_label("client_secret").input_value()
    assert len(secret) >= 40
    dialog.get_by_role("button", name="I have stored it safely").click()
    expect(page.locator(".q-dialog")).to_have_count(0)
    expect(page.get_by_role("cell", name=name)).to_be_visible()
    assert secret not in page.content()
    page.reload()
    expect(page.get_by_role("cell", name=name)).to_be_visible()
    assert secret not in page.content()
    # Its secret reset: a new one, shown once.
    page.get_by_role("row").filter(has_text=name).locator("[data-action=rotate]").click()
    page.locator(".q-dialog").get_by_role("button", name="Reset secret").click()
    dialog = page.locator(".q-dialog").filter(has_text="Secret reset")
    expect(dialog.get_by_text("shown only this once")).to_be_visible()
    rotated = dialog.get_by_label("client_secret").input_value()
    assert len(rotated) >= 40 and rotated != secret
    dialog.get_by_role("button", name="I have stored it safely").click()
    expect(page.locator(".q-dialog")).to_have_count(0)

    # The brand switch: the other brand's name, and not this brand's client.
    page.locator("[aria-label=brand]").click()
    page.get_by_role("option", name=SISTER_NAME).click()
    expect(page.locator(".q-header")).to_contain_text(SISTER_NAME)
    expect(page.get_by_text("API clients", exact=True).first).to_be_visible()
    expect(page.get_by_role("cell", name=name)).to_have_count(0)

    # Signing out ends the session: the console asks to sign in again.
    page.locator(".q-header").get_by_role("button", name=OWNER_NAME).click()
    page.get_by_text("Sign out").click()
    expect(page).to_have_url(re.compile(r"/console/login"))
    assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{console}/identity/staff")
    expect(page).to_have_url(re.compile(r"/console/login\?next=%2Fconsole%2Fidentity%2Fstaff$"))


def test_a_page_without_the_permission_says_so_and_next_stays_on_site(live: LiveServer, page: Page) -> None:
    page.goto(f"{live.url}/console/login?next=https://evil.example/steal")
    sign_in(page, "operator", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live.url}/console/")

    answer = page.goto(f"{live.url}/console/identity/staff")
    assert answer is not None and answer.status == 403
    expect(page.get_by_text("您没有访问此页面的权限")).to_be_visible()
    # The drawer offers only what the operator may open.
    expect(page.locator(".q-drawer").get_by_text("员工", exact=True)).to_have_count(0)


def test_console_routes_stay_out_of_the_api_schema(live: LiveServer) -> None:
    paths = httpx.get(f"{live.url}/openapi.json", timeout=10).json()["paths"]
    assert not [p for p in paths if p.startswith("/console")]


def test_a_person_changes_their_own_password_from_the_user_menu(live: LiveServer, page: Page) -> None:
    login = f"pw{uuid.uuid4().hex[:8]}"
    live.yima(
        "user", "create", "--tenant", "demo", "--login", login, "--role", "operator", "--password", "first-pass-1"
    )
    page.goto(f"{live.url}/console/login")
    sign_in(page, login, "first-pass-1")
    expect(page).to_have_url(f"{live.url}/console/")
    page.get_by_role("button", name=login).click()
    page.get_by_text("修改密码", exact=True).click()
    expect(page).to_have_url(f"{live.url}/console/identity/password")
    page.get_by_label("当前密码").fill("first-pass-1")
    page.get_by_label("新密码（至少 8 位，不含登录名）").fill("second-pass-2")
    page.get_by_label("再次输入新密码").fill("second-pass-2")
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_text("密码已修改")).to_be_visible()

    with fresh_page(page.context.browser) as other:  # type: ignore[arg-type]
        other.goto(f"{live.url}/console/login")
        sign_in(other, login, "first-pass-1")
        expect(other.get_by_text("登录名或密码错误")).to_be_visible()
        sign_in(other, login, "second-pass-2")
        expect(other).to_have_url(f"{live.url}/console/")


def test_the_login_page_is_neither_framed_sniffed_nor_scripted(live: LiveServer) -> None:
    headers = httpx.get(f"{live.url}/console/login", timeout=10).headers
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin" and headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src" not in headers["content-security-policy"]  # default-src 'none' covers scripts
