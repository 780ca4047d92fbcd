"""门店首次扫码注册 through HTTP: a store's person scans a case's inner code without an account, is
led to the registration (privacy consent → location → SMS code → a new store), waits for review,
the brand approves through the API, and the same scan then opens the case. Joining a store as
clerk; the refusals (no consent, a wrong code, a store of another district); the review queue,
narrowed to their regions for staff limited to some; signing out while waiting for review."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.codes.factories import activated_goods
from tests.identity.factories import bearer, create_client, create_staff, create_tenant, login_session, system
from tests.partners.factories import create_dealer, create_store
from tests.scans.factories import code_url
from yima.codes.tokens import Face
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter
from yima.members import sms
from yima.partners import service as partners
from yima.partners.schemas import ChannelRoleCreate
from yima.platform.db.session import Database

API = "/api/v1/partners"
REGISTER = "/m/partner/register"
PHONE = "13900000021"
JINJIANG = {"lat": 30.598, "lon": 104.117}  # 成都市锦江区 (near its seat)


@pytest.fixture
async def staff(db: Database, client: httpx.AsyncClient) -> dict[str, str]:
    await create_tenant(db, "acme")
    return await bearer(client, await create_client(db, "acme", ["partners:read", "partners:write"]))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def step_of(html: str) -> str | None:
    found = re.search(r'data-step="(\w+)"', html)
    return found.group(1) if found else None


async def start(client: httpx.AsyncClient, next_page: str = "/m/partner") -> str:
    """The registration's first page for brand acme: its CSRF token."""
    page = await client.get(REGISTER, params={"brand": "acme", "next": next_page})
    assert page.status_code == 200 and step_of(page.text) == "consent", page.text
    return csrf_of(page.text)


async def through_phone(client: httpx.AsyncClient, sink: sms.DevSmsSink, phone: str = PHONE) -> str:
    """Consent, location and the phone's SMS code: the phone is signed in; the CSRF token."""
    csrf = await start(client)
    agreed = await client.post(f"{REGISTER}/consent", data={"csrf_token": csrf, "agree": "yes"})
    assert agreed.status_code == 303
    located = await client.post(f"{REGISTER}/located", json=JINJIANG | {"csrf": csrf})
    assert located.status_code == 204, located.text
    sent = await client.post(f"{REGISTER}/send", data={"csrf_token": csrf, "phone": phone})
    assert sent.status_code == 200 and "短信验证码" in sent.text, sent.text
    code = sink.last_code("+86" + phone)
    verified = await client.post(f"{REGISTER}/verify", data={"csrf_token": csrf, "phone": phone, "code": code})
    assert verified.status_code == 303 and "yima_channel" in verified.cookies, verified.text
    return csrf


async def test_a_store_registers_by_its_first_scan_and_opens_the_case_once_approved(
    db: Database, client: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    dealer = await create_dealer(db, "acme", name="成都蓉城酒业")  # territory 成都
    await create_dealer(db, "acme", territory=("310000",), name="上海经销商")  # not here
    goods = await activated_goods(db, "acme")
    case = await code_url(db, "acme", goods.cases.first_serial, Face.INNER)

    scanned = await client.get("/c/" + case.rsplit("/", 1)[1])  # the case's inner code leads to the store scan
    assert scanned.status_code == 303
    store_scan = scanned.headers["location"]
    assert store_scan.startswith("/m/store-scan?code=")
    led = await client.get(store_scan)  # no account: the registration, coming back here afterwards
    assert led.status_code == 303
    query = parse_qs(urlsplit(led.headers["location"]).query)
    assert (urlsplit(led.headers["location"]).path, query["brand"], query["next"]) == (REGISTER, ["acme"], [store_scan])

    page = await client.get(led.headers["location"])
    csrf = csrf_of(page.text)
    refused = await client.post(f"{REGISTER}/consent", data={"csrf_token": csrf, "next": store_scan})
    assert refused.status_code == 422 and "请先阅读并同意隐私协议" in refused.text
    forged = await client.post(f"{REGISTER}/consent", data={"csrf_token": "x" * 20, "agree": "yes"})
    assert forged.status_code == 403
    agreed = await client.post(f"{REGISTER}/consent", data={"csrf_token": csrf, "agree": "yes", "next": store_scan})
    assert agreed.status_code == 303 and step_of((await client.get(agreed.headers["location"])).text) == "locate"
    assert (await client.post(f"{REGISTER}/located", json=JINJIANG | {"csrf": csrf})).status_code == 204
    assert step_of((await client.get(agreed.headers["location"])).text) == "phone"
    await client.post(f"{REGISTER}/send", data={"csrf_token": csrf, "phone": PHONE})
    wrong = await client.post(f"{REGISTER}/verify", data={"csrf_token": csrf, "phone": PHONE, "code": "000000"})
    assert wrong.status_code == 422 and "yima_channel" not in wrong.cookies
    code = sink.last_code("+86" + PHONE)
    verified = await client.post(
        f"{REGISTER}/verify", data={"csrf_token": csrf, "phone": PHONE, "code": code, "next": store_scan}
    )
    assert verified.status_code == 303
    choose = await client.get(verified.headers["location"])
    assert step_of(choose.text) == "choose" and "成都蓉城酒业" in choose.text and "上海经销商" not in choose.text

    store = {"csrf_token": csrf, "name": "春熙路名酒行", "address": "春熙路 8 号", "owner_name": "李红",
             "dealer_id": str(dealer.id), "next": store_scan}  # fmt: skip
    registered = await client.post(f"{REGISTER}/store", data=store)
    assert registered.status_code == 303
    waiting = await client.get(registered.headers["location"])
    assert "等待品牌审核" in waiting.text
    assert (await client.get(store_scan)).headers["location"].startswith(REGISTER)  # pending acts for nothing

    queue = (await client.get(f"{API}/registrations", headers=staff)).json()["items"]
    assert len(queue) == 1
    asked = queue[0]
    assert (asked["kind"], asked["status"], asked["partner_name"], asked["new_store"], asked["phone"]) == (
        "store_owner", "pending", "春熙路名酒行", True, "+86" + PHONE,
    )  # fmt: skip
    assert asked["consented_at"] is not None and "锦江区" in (asked["region_name"] or "")
    new_store = (await client.get(f"{API}/stores/{asked['store_id']}", headers=staff)).json()
    assert (new_store["active"], new_store["dealer_id"], new_store["owner_phone"]) == (False, dealer.id, PHONE)

    approved = await client.post(f"{API}/registrations/{asked['id']}/approve", headers=staff)
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    assert (await client.get(f"{API}/stores/{asked['store_id']}", headers=staff)).json()["active"] is True
    again = await client.post(f"{API}/registrations/{asked['id']}/approve", headers=staff)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_pending")
    async with system(db, "acme") as ctx:
        [entry] = await identity.list_audit(ctx, AuditFilter(action="channel_role.approved"), 10, None)
        [opened_store] = await identity.list_audit(ctx, AuditFilter(action="store.approved"), 10, None)
    assert (entry.target_id, entry.changes["status"], opened_store.target_id) == (
        str(asked["id"]), ["pending", "active"], str(asked["store_id"]),
    )  # fmt: skip

    confirm = await client.get(store_scan)  # approved: straight to the store scan
    assert confirm.status_code == 200 and "春熙路名酒行" in confirm.text
    opened = await client.post("/m/store-scan", data={"code": case, "csrf_token": csrf_of(confirm.text)})
    assert opened.status_code == 200 and "开箱成功" in opened.text


async def test_a_person_joins_a_nearby_store_as_clerk_and_is_rejected_with_a_reason(
    db: Database, client: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    here = await create_store(db, "acme", name="锦江烟酒店", code="S-JJ-1")
    far = await create_store(db, "acme", name="黄浦烟酒店", code="S-SH-1", region_code="310101")
    csrf = await through_phone(client, sink)
    choose = await client.get(REGISTER)
    assert "锦江烟酒店" in choose.text and "黄浦烟酒店" not in choose.text  # only the district's stores are offered
    elsewhere = await client.post(f"{REGISTER}/join", data={"csrf_token": csrf, "store_id": str(far.id)})
    assert elsewhere.status_code == 422 and "未找到此门店" in elsewhere.text
    joined = await client.post(
        f"{REGISTER}/join", data={"csrf_token": csrf, "kind": "store_clerk", "store_id": str(here.id), "name": "小王"}
    )
    assert joined.status_code == 303
    twice = await client.post(f"{REGISTER}/join", data={"csrf_token": csrf, "store_code": "S-JJ-1"})
    assert twice.status_code == 409 and "申请正在审核中" in twice.text and "等待品牌审核" in twice.text

    [asked] = (await client.get(f"{API}/registrations", headers=staff)).json()["items"]
    assert (asked["kind"], asked["store_id"], asked["new_store"]) == ("store_clerk", here.id, False)
    assert asked["name"] == "小王"
    empty = await client.post(f"{API}/registrations/{asked['id']}/reject", json={"reason": ""}, headers=staff)
    assert empty.status_code == 422
    rejected = await client.post(f"{API}/registrations/{asked['id']}/reject", json={"reason": "非本店员工"},
                                 headers=staff)  # fmt: skip
    assert (rejected.json()["status"], rejected.json()["review_note"]) == ("rejected", "非本店员工")
    assert (await client.get(f"{API}/registrations", headers=staff)).json()["items"] == []
    listed = await client.get(f"{API}/registrations", params={"status": "rejected"}, headers=staff)
    assert [r["id"] for r in listed.json()["items"]] == [asked["id"]]
    again = await client.get(REGISTER)  # refused: the phone may ask again
    assert step_of(again.text) == "choose" and "申请未通过" in again.text


async def test_an_address_stands_in_for_the_position_and_steps_keep_their_order(
    db: Database, client: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    csrf = await start(client)
    early = await client.post(f"{REGISTER}/send", data={"csrf_token": csrf, "phone": PHONE})
    assert early.status_code == 422 and "请先阅读并同意隐私协议" in early.text and sink.last_code("+86" + PHONE) is None
    await client.post(f"{REGISTER}/consent", data={"csrf_token": csrf, "agree": "yes"})
    nowhere = await client.post(f"{REGISTER}/location", data={"csrf_token": csrf, "address": "某地"})
    assert nowhere.status_code == 422 and "未能识别" in nowhere.text
    address = {"csrf_token": csrf, "address": "四川省成都市锦江区春熙路 88 号"}
    typed = await client.post(f"{REGISTER}/location", data=address)
    assert typed.status_code == 303 and step_of((await client.get(REGISTER)).text) == "phone"
    unknown = await client.get(REGISTER, params={"brand": "nobody"})
    assert unknown.status_code == 303 and unknown.headers["location"].startswith("/m/partner/login")


async def test_a_guide_joins_the_guide_group_of_the_district_the_phone_is_in(
    client: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    csrf = await through_phone(client, sink)
    choose = await client.get(REGISTER)
    assert "加入区域导购群" in choose.text
    nameless = await client.post(f"{REGISTER}/guide-group", data={"csrf_token": csrf, "name": " "})
    assert nameless.status_code == 422
    joined = await client.post(f"{REGISTER}/guide-group", data={"csrf_token": csrf, "name": "导购小李"})
    assert joined.status_code == 303
    [asked] = (await client.get(f"{API}/registrations", headers=staff)).json()["items"]
    assert (asked["kind"], asked["store_id"], asked["region_code"]) == ("guide", None, "510104")  # 锦江区
    approved = await client.post(f"{API}/registrations/{asked['id']}/approve", headers=staff)
    assert approved.status_code == 200 and approved.json()["status"] == "active"


async def _pending(db: Database, phone: str, **role: object) -> int:
    """A role waiting for review (注册审核), as a registration or an invitation leaves it."""
    async with system(db, "acme") as ctx:
        granted = await partners.grant_role(ctx, ChannelRoleCreate(phone=phone, name="申请人", **role))  # type: ignore[arg-type]
        return (await partners.set_role_status(ctx, granted.id, "pending")).id


async def test_staff_limited_to_some_regions_review_only_the_requests_of_their_regions(
    db: Database, client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    chengdu = await create_dealer(db, "acme", territory=("510100",))
    shanghai = await create_dealer(db, "acme", territory=("310000",))
    here = await create_store(db, "acme", chengdu.id, region_code="510104")
    far = await create_store(db, "acme", shanghai.id, region_code="310101")
    clerk_here = await _pending(db, "13900000031", kind="store_clerk", store_id=here.id)
    clerk_far = await _pending(db, "13900000032", kind="store_clerk", store_id=far.id)
    staff_here = await _pending(db, "13900000033", kind="dealer_staff", dealer_id=chengdu.id)
    staff_far = await _pending(db, "13900000034", kind="dealer_staff", dealer_id=shanghai.id)
    guide_here = await _pending(db, "13900000035", kind="guide", region_code="510104")  # 锦江区's guide group
    guide_far = await _pending(db, "13900000036", kind="guide", region_code="310101")  # 黄浦区's
    await create_staff(db, "acme", "sichuan", roles=("operator",), region_codes=["510000"])
    await create_staff(db, "acme", "east", roles=("regional_manager",), region_codes=["310000"])
    await create_staff(db, "acme", "headquarters", roles=("operator",))
    sichuan, east, hq = [await login_session(client, db, login) for login in ("sichuan", "east", "headquarters")]

    async def queue(headers: dict[str, str], status: str = "pending") -> list[int]:
        listed = await client.get(f"{API}/registrations", params={"status": status}, headers=headers)
        assert listed.status_code == 200, listed.text
        return [r["id"] for r in listed.json()["items"]]

    everyone = [guide_far, guide_here, staff_far, staff_here, clerk_far, clerk_here]
    assert await queue(hq) == everyone
    assert await queue(sichuan) == [guide_here, staff_here, clerk_here]
    assert await queue(east) == [guide_far, staff_far, clerk_far]

    missing = await client.post(f"{API}/registrations/{2**40}/approve", headers=sichuan)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    for role_id in (clerk_far, staff_far, guide_far):  # outside the regions: as if it did not exist
        approved = await client.post(f"{API}/registrations/{role_id}/approve", headers=sichuan)
        rejected = await client.post(f"{API}/registrations/{role_id}/reject", json={"reason": "非本区"},
                                     headers=sichuan)  # fmt: skip
        assert [(r.status_code, r.json()["error"]["code"]) for r in (approved, rejected)] == [(404, "not_found")] * 2
    assert await queue(hq) == everyone  # nothing decided
    async with system(db, "acme") as ctx:
        assert await identity.list_audit(ctx, AuditFilter(action="channel_role.approved"), 10, None) == []
    refused = await client.post(f"{API}/registrations/{clerk_far}/approve", headers=east)
    assert refused.status_code == 403  # a regional manager reads the queue; deciding takes partners:write

    approved = await client.post(f"{API}/registrations/{clerk_here}/approve", headers=sichuan)
    assert (approved.status_code, approved.json()["status"]) == (200, "active")
    rejected = await client.post(f"{API}/registrations/{guide_here}/reject", json={"reason": "不在本区"},
                                 headers=sichuan)  # fmt: skip
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    assert await queue(sichuan) == [staff_here]
    assert await queue(sichuan, "active") == [clerk_here]
    assert await queue(hq) == [guide_far, staff_far, staff_here, clerk_far]
    brand_wide = await client.post(f"{API}/registrations/{clerk_far}/approve", headers=hq)
    assert (brand_wide.status_code, brand_wide.json()["status"]) == (200, "active")


async def _waiting(client: httpx.AsyncClient, sink: sms.DevSmsSink) -> tuple[str, str]:
    """A phone signed in by its registration, its only role waiting for review: the session's
    token and the CSRF token its pages carry."""
    csrf = await through_phone(client, sink)
    joined = await client.post(f"{REGISTER}/guide-group", data={"csrf_token": csrf, "name": "导购小李"})
    assert joined.status_code == 303
    home = await client.get("/m/partner")
    assert home.status_code == 200 and "等待品牌审核" in home.text
    token = client.cookies.get("yima_channel")
    assert token is not None
    return token, csrf_of(home.text)


async def test_a_phone_waiting_for_review_signs_out_on_its_page_for_real(
    client: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    token, csrf = await _waiting(client, sink)
    forged = await client.post("/m/partner/logout", data={"csrf_token": "x" * 20})
    assert forged.status_code == 403 and (await client.get("/m/partner")).status_code == 200
    out = await client.post("/m/partner/logout", data={"csrf_token": csrf})
    assert (out.status_code, out.headers["location"]) == (303, "/m/partner/login?brand=acme")
    assert client.cookies.get("yima_channel") is None
    client.cookies.set("yima_channel", token)  # the token kept after signing out opens nothing
    again = await client.get("/m/partner")
    assert (again.status_code, again.headers["location"]) == (303, "/m/partner/login")
    ended = await client.post(f"{API}/logout", headers={"Authorization": f"Bearer {token}"})
    assert (ended.status_code, ended.json()["error"]["code"]) == (401, "unauthorized")


async def test_a_session_waiting_for_review_signs_out_through_the_api(
    client: httpx.AsyncClient, staff: dict[str, str], sink: sms.DevSmsSink
) -> None:
    token, csrf = await _waiting(client, sink)
    assert (await client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401
    by_cookie = await client.post(f"{API}/logout")  # the cookie alone, without its CSRF token
    assert (by_cookie.status_code, by_cookie.json()["error"]["code"]) == (403, "csrf_failed")
    assert (await client.get("/m/partner")).status_code == 200  # still signed in

    out = await client.post(f"{API}/logout", headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 204
    home = await client.get("/m/partner")  # the cookie still carries the token: it opens nothing
    assert (home.status_code, home.headers["location"]) == (303, "/m/partner/login")
    again = await client.post(f"{API}/logout", headers={"Authorization": f"Bearer {token}"})
    assert (again.status_code, again.json()["error"]["code"]) == (401, "unauthorized")
    by_cookie = await client.post(f"{API}/logout", headers={"X-CSRF-Token": csrf})
    assert by_cookie.status_code == 401
