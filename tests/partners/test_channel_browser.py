"""A dealer's own person in a real browser (Debian's Chromium) on the live demo server: the goods
are shipped to 成都蓉城酒业 through the API; 张伟 opens the receiving page on his phone, is sent to
the channel login (brand code, phone, SMS code), comes back to the page, sees only his own dealer
to receive as, and signs for the pallet. When his session has run out, the page leads him back to
his brand's login without asking for the brand again."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS, fresh_page
from tests.live import LiveServer

pytestmark = pytest.mark.browser
DEALER_PHONE = "13800000101"  # 张伟, owner of D-CD-001 in the demo
LOGISTICS = "/api/v1/trace/logistics"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with fresh_page(browser, width=390, height=844, is_mobile=True, has_touch=True) as fresh:
        yield fresh


def _partner_id(api: httpx.Client, kind: str, code: str) -> int:
    response = api.get(f"/api/v1/partners/{kind}", params={"q": code})
    assert response.status_code == 200, response.text
    return int(next(item["id"] for item in response.json()["items"] if item["code"] == code))


def _ship_to_the_dealer(live: LiveServer, pallet: str) -> None:
    headers = live.bearer("demo", ["logistics:write", "partners:read", "trace:read"])
    with httpx.Client(base_url=live.url, headers=headers, timeout=30) as api:
        warehouse = _partner_id(api, "warehouses", "WH-RH-C01")
        dealer = _partner_id(api, "dealers", "D-CD-001")
        stored = api.post(f"{LOGISTICS}/warehouse-in", json={"codes": [pallet], "warehouse_id": warehouse})
        assert stored.status_code == 201, stored.text
        shipment = {
            "codes": [pallet],
            "source": {"kind": "warehouse", "id": warehouse},
            "destination": {"kind": "dealer", "id": dealer},
        }
        shipped = api.post(f"{LOGISTICS}/shipments", json=shipment)
        assert shipped.status_code == 201, shipped.text


def test_a_dealers_person_signs_in_by_phone_and_receives_the_goods(live: LiveServer, phone: Page) -> None:
    out = live.yima("codes", "sample", "--tenant", "demo", "--level", "pallet", "--face", "outer", "--count", "8")
    pallet = out.split()[6]  # one no other test touches
    _ship_to_the_dealer(live, pallet)

    phone.goto(f"{live.url}/m/trace/receive")
    expect(phone.get_by_role("heading", name="请先登录")).to_be_visible()
    phone.get_by_role("link", name="经销商 / 门店登录").click()
    expect(phone.get_by_role("heading", name="经销商 / 门店登录")).to_be_visible()
    phone.get_by_label("品牌代码").fill("demo")  # no brand in the link: the page asks for it
    phone.get_by_label("手机号").fill(DEALER_PHONE)
    phone.get_by_role("button", name="获取验证码").click()
    phone.get_by_label("短信验证码").fill(live.sms_code(DEALER_PHONE))
    phone.get_by_role("button", name="登录").click()

    expect(phone).to_have_url(re.compile(r"/m/trace/receive$"))  # signing in leads back to the page
    receivers = phone.locator("#f-receiver option:not([value=''])")
    expect(receivers).to_have_count(1)  # only his own dealer
    expect(receivers).to_have_text("D-CD-001 成都蓉城酒业有限公司")
    phone.fill("#f-scan", pallet)
    phone.press("#f-scan", "Enter")
    expect(phone.locator("[data-scan-summary]")).to_have_text("共 1 个码：托 1")
    phone.get_by_role("button", name="提交收货 / 签收").click()
    expect(phone.get_by_role("heading", name="收货 / 签收已记录")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "partner-received.png"), full_page=True)

    phone.context.clear_cookies(name="yima_channel")  # the session ran out
    phone.goto(f"{live.url}/m/trace/receive")
    phone.get_by_role("link", name="经销商 / 门店登录").click()
    expect(phone.get_by_label("品牌代码")).to_have_count(0)  # the phone remembers its brand
    expect(phone.get_by_label("手机号")).to_be_visible()
