"""门店首次扫码注册 in a real browser (Debian's Chromium) on the live demo server: a new store owner
scans a case's inner code, is led through the privacy terms, the phone's position, the SMS code
and the new store's form, waits for review; the brand approves through the API; the same code
then opens the case."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page
from tests.live import LiveServer

pytestmark = pytest.mark.browser
NEW_OWNER = "13600000777"
JINJIANG = {"latitude": 30.598, "longitude": 104.117}  # 成都市锦江区


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser, width=390, height=844, is_mobile=True, has_touch=True, geolocation=JINJIANG,
                    permissions=["geolocation"]) as fresh:  # fmt: skip
        yield fresh


def _approve(live: LiveServer, phone_number: str) -> None:
    headers = live.bearer("demo", ["partners:read", "partners:write"])
    with httpx.Client(base_url=live.url, headers=headers, timeout=30) as api:
        queue = api.get("/api/v1/partners/registrations").json()["items"]
        [asked] = [r for r in queue if r["phone"] == "+86" + phone_number]
        assert (asked["kind"], asked["new_store"]) == ("store_owner", True)
        approved = api.post(f"/api/v1/partners/registrations/{asked['id']}/approve")
        assert approved.status_code == 200, approved.text


def test_a_new_store_registers_by_scanning_a_case_and_opens_it_once_approved(live: LiveServer, phone: Page) -> None:
    urls = json.loads(live.yima("codes", "sample", "--tenant", "demo", "--level", "case", "--count", "12", "--json"))
    case = f"{live.url}/c/{urls[-1].rsplit('/', 1)[1]}"  # one no other test opens

    phone.goto(case)
    expect(phone.get_by_role("heading", name="门店注册")).to_be_visible()
    phone.get_by_label("我已阅读并同意《隐私协议》").check()
    with phone.expect_response(lambda r: r.url.endswith("/m/partner/register/located")) as located:
        phone.get_by_role("button", name="同意并继续").click()  # the next page sends the phone's position
    assert located.value.status == 204
    phone.get_by_role("link", name="下一步").click()
    phone.get_by_label("手机号").fill(NEW_OWNER)
    phone.get_by_role("button", name="获取验证码").click()
    phone.get_by_label("短信验证码").fill(live.sms_code(NEW_OWNER))
    phone.get_by_role("button", name="验证").click()

    expect(phone.get_by_text("所在区域：四川省 成都市 锦江区")).to_be_visible()
    phone.get_by_label("门店名称").fill("锦江新开烟酒店")
    phone.get_by_label("店主姓名").fill("周强")
    phone.get_by_role("button", name="提交注册").click()
    expect(phone.get_by_role("heading", name="等待品牌审核")).to_be_visible()

    _approve(live, NEW_OWNER)
    phone.goto(case)  # the same scan, now approved: straight to the store scan
    expect(phone.locator("#f-store_id option")).to_have_count(1)  # his only store, chosen already
    phone.get_by_role("button", name="确认登记").click()
    expect(phone.get_by_role("heading", name="开箱成功")).to_be_visible()
    expect(phone.get_by_text("锦江新开烟酒店 已登记此商品")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "store-registered-and-opened.png"), full_page=True)
