"""导购扫码 on the phone (/m/store-scan): a signed-in guide (导购) registers a bottle by its cap's
outer code and sees it registered now, already theirs, or another guide's first; a guide-only
account that scanned a case's inner code is told to scan the cap; an account both a store's
person and a guide chooses which it acts as; a missing CSRF token is refused and leaves nothing;
a guide of another brand is sent to register with the code's brand."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from tests.codes.factories import activated_goods
from tests.identity.factories import create_tenant, system
from tests.partners.factories import channel_token, create_dealer, create_store
from tests.partners.test_registration import csrf_of
from tests.scans.factories import code_url
from yima.codes.tokens import Face
from yima.partners import service as partners
from yima.partners.schemas import ChannelRoleCreate
from yima.platform.db.session import Database

PAGE = "/m/store-scan"
GUIDE, OTHER_GUIDE, BOTH, SALESMAN = "13700000021", "13700000022", "13700000023", "13700000024"


@pytest.fixture
async def goods(db: Database) -> dict[str, str]:
    """A case's inner code and three bottles' outer codes of the brand ``acme``."""
    await create_tenant(db, "acme")
    made = await activated_goods(db, "acme")
    first = made.bottles.first_serial
    return {
        "case": await code_url(db, "acme", made.cases.first_serial, Face.INNER),
        **{f"bottle{i}": await code_url(db, "acme", first + i, Face.OUTER) for i in range(3)},
    }


async def _store(db: Database, slug: str, name: str) -> int:
    dealer = await create_dealer(db, slug)
    return (await create_store(db, slug, dealer.id, name=name)).id


async def _grant(db: Database, slug: str, phone: str, kind: str, **tie: object) -> int:
    async with system(db, slug) as ctx:
        return (await partners.grant_role(ctx, ChannelRoleCreate(phone=phone, kind=kind, **tie))).id  # type: ignore[arg-type]


async def _sign_in(client: httpx.AsyncClient, slug: str, phone: str) -> None:
    client.cookies.set("yima_channel", await channel_token(client, slug, phone))


async def _confirm(client: httpx.AsyncClient, code: str, **form: str) -> httpx.Response:
    """Open the page for ``code`` and post its form with the page's CSRF token."""
    page = await client.get(PAGE, params={"code": code})
    assert page.status_code == 200, page.text
    return await client.post(PAGE, data={"code": code, "csrf_token": csrf_of(page.text), **form})


def _phone(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_guide_registers_a_bottle_once_and_another_guide_is_refused(
    db: Database, app: FastAPI, client: httpx.AsyncClient, goods: dict[str, str]
) -> None:
    store_id = await _store(db, "acme", "春熙路名酒行")
    await _grant(db, "acme", GUIDE, "guide", store_id=store_id)
    await _sign_in(client, "acme", GUIDE)
    code_page = await client.get("/c/" + goods["bottle0"].rsplit("/", 1)[1])
    assert "data-store-scan-link" in code_page.text  # the bottle's outer code page leads guides here too

    page = await client.get(PAGE, params={"code": goods["bottle0"]})
    assert page.status_code == 200 and "导购扫码" in page.text and "导购身份：春熙路名酒行 导购" in page.text
    assert "data-guide-scan" in page.text and "data-store-scan>" not in page.text  # no store to register for
    registered = await _confirm(client, goods["bottle0"])
    assert registered.status_code == 200 and "登记成功" in registered.text
    assert "已登记为您（春熙路名酒行 导购）销售的商品" in registered.text
    assert 'href="/m/rebates/mine"' in registered.text  # where the guide's rewards will show
    again = await _confirm(client, goods["bottle0"])
    assert again.status_code == 200 and "此瓶已登记" in again.text and "您已于此前登记此瓶" in again.text

    async with _phone(app) as other:
        await _grant(db, "acme", OTHER_GUIDE, "guide", store_id=await _store(db, "acme", "锦江烟酒店"))
        await _sign_in(other, "acme", OTHER_GUIDE)
        taken = await _confirm(other, goods["bottle0"])
        assert taken.status_code == 409 and "该瓶已被其他导购登记" in taken.text


async def test_a_refused_csrf_token_registers_nothing(
    db: Database, app: FastAPI, client: httpx.AsyncClient, goods: dict[str, str]
) -> None:
    await _grant(db, "acme", GUIDE, "guide", store_id=await _store(db, "acme", "春熙路名酒行"))
    await _sign_in(client, "acme", GUIDE)
    forged = await client.post(PAGE, data={"code": goods["bottle1"], "csrf_token": "x" * 20, "acting": "guide"})
    assert forged.status_code == 403
    async with _phone(app) as other:  # the bottle is still free: another guide registers it now
        await _grant(db, "acme", OTHER_GUIDE, "guide", store_id=await _store(db, "acme", "锦江烟酒店"))
        await _sign_in(other, "acme", OTHER_GUIDE)
        assert "登记成功" in (await _confirm(other, goods["bottle1"])).text


async def test_a_guide_only_account_scanning_a_case_is_told_to_scan_the_cap(
    db: Database, client: httpx.AsyncClient, goods: dict[str, str]
) -> None:
    await _grant(db, "acme", GUIDE, "guide", store_id=await _store(db, "acme", "春熙路名酒行"))
    await _sign_in(client, "acme", GUIDE)
    led = await client.get("/c/" + goods["case"].rsplit("/", 1)[1])  # a case's inner code page leads here at once
    assert led.status_code == 303 and led.headers["location"].startswith(PAGE + "?")
    page = await client.get(led.headers["location"])
    assert page.status_code == 422 and "导购按瓶登记：请扫描瓶盖上的外码" in page.text
    assert "data-guide-scan" not in page.text and "data-store-scan" not in page.text  # nothing to confirm
    csrf = csrf_of((await client.get(PAGE, params={"code": goods["bottle0"]})).text)
    posted = await client.post(PAGE, data={"code": goods["case"], "csrf_token": csrf})
    assert posted.status_code == 422 and "导购按瓶登记：请扫描瓶盖上的外码" in posted.text


async def test_a_store_owner_who_is_also_a_guide_chooses_which_they_act_as(
    db: Database, client: httpx.AsyncClient, goods: dict[str, str]
) -> None:
    store_id = await _store(db, "acme", "春熙路名酒行")
    await _grant(db, "acme", BOTH, "store_owner", store_id=store_id)
    guide_id = await _grant(db, "acme", BOTH, "guide", store_id=store_id)
    area_id = await _grant(db, "acme", BOTH, "guide", region_code="510104")
    await _sign_in(client, "acme", BOTH)
    page = await client.get(PAGE, params={"code": goods["bottle2"]})
    assert "以门店身份登记" in page.text and "以导购身份登记" in page.text
    assert 'name="acting" value="store"' in page.text and 'name="acting" value="guide"' in page.text
    offered = re.findall(r'<option value="(\d+)">([^<]+) 导购</option>', page.text)
    assert [int(i) for i, _ in offered] == sorted([guide_id, area_id])

    unchosen = await client.post(PAGE, data={"code": goods["bottle2"], "csrf_token": csrf_of(page.text),
                                             "acting": "guide"})  # fmt: skip
    assert unchosen.status_code == 422 and "请选择导购身份" in unchosen.text
    as_guide = await _confirm(client, goods["bottle2"], acting="guide", role_id=str(guide_id))
    assert "登记成功" in as_guide.text and "春熙路名酒行 导购" in as_guide.text
    as_store = await _confirm(client, goods["bottle2"], acting="store")  # the store's own register is apart
    assert "登记成功" in as_store.text and "春熙路名酒行 已登记此商品" in as_store.text

    case = await client.get(PAGE, params={"code": goods["case"]})  # a case: the store opens it, no guide form
    assert case.status_code == 200 and "data-store-scan" in case.text and "data-guide-scan" not in case.text
    assert "导购按瓶登记" not in case.text


async def test_a_guide_of_another_brand_is_sent_to_register(
    db: Database, client: httpx.AsyncClient, goods: dict[str, str]
) -> None:
    await create_tenant(db, "other")
    await _grant(db, "other", GUIDE, "guide", store_id=await _store(db, "other", "别家门店"))
    await _sign_in(client, "other", GUIDE)
    page = await client.get(PAGE, params={"code": goods["bottle0"]})
    assert page.status_code == 303
    target = urlsplit(page.headers["location"])
    assert target.path == "/m/partner/register"
    assert parse_qs(target.query) == {"brand": ["acme"], "next": [f"{PAGE}?{urlencode({'code': goods['bottle0']})}"]}
    posted = await client.post(PAGE, data={"code": goods["bottle0"], "csrf_token": "x" * 20, "acting": "guide"})
    assert posted.status_code == 303 and urlsplit(posted.headers["location"]).path == "/m/partner/register"


async def test_a_salesman_is_told_his_account_does_not_scan_here(
    db: Database, client: httpx.AsyncClient, goods: dict[str, str]
) -> None:
    await _grant(db, "acme", SALESMAN, "salesman")  # the brand's own salesman
    await _sign_in(client, "acme", SALESMAN)
    page = await client.get(PAGE, params={"code": goods["bottle0"]})
    assert page.status_code == 403 and "无需在此扫码" in page.text and "<form" not in page.text
    posted = await client.post(PAGE, data={"code": goods["bottle0"], "csrf_token": "x" * 20})
    assert posted.status_code == 403 and "无需在此扫码" in posted.text
