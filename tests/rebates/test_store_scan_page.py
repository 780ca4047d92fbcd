"""门店扫码 on the phone (/m/store-scan): a store's signed-in person confirms and opens a case,
sees it registered now or already, and the refusals in Chinese (another store's goods, the wrong
face, a code not yet active, another store's id, a missing CSRF token). A bottle's outer code
page links here; a person with two stores chooses one."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.codes.factories import activated_goods, create_batch
from tests.identity.factories import create_tenant, system
from tests.partners.factories import channel_token, create_dealer, create_store
from tests.partners.test_registration import csrf_of
from tests.scans.factories import code_url
from yima.codes.tokens import Face
from yima.partners import service as partners
from yima.partners.schemas import ChannelRoleCreate
from yima.platform.db.session import Database

PAGE = "/m/store-scan"
PHONE, OTHER_PHONE = "13700000011", "13700000012"


@pytest.fixture
async def goods(db: Database) -> dict[str, str]:
    """Two cases' inner codes, a case's outer code, a bottle's outer code and an inactive case's."""
    await create_tenant(db, "acme")
    made = await activated_goods(db, "acme")
    inactive = await create_batch(db, "acme", "case", 1)
    return {
        "case": await code_url(db, "acme", made.cases.first_serial, Face.INNER),
        "case2": await code_url(db, "acme", made.cases.last_serial, Face.INNER),
        "case_outer": await code_url(db, "acme", made.cases.first_serial, Face.OUTER),
        "bottle_outer": await code_url(db, "acme", made.bottles.first_serial, Face.OUTER),
        "inactive": await code_url(db, "acme", inactive.first_serial, Face.INNER),
    }


async def _store_person(db: Database, client: httpx.AsyncClient, phone: str, *names: str) -> list[int]:
    """Stores, ``phone`` their owner, signed in on ``client``'s phone: the stores' ids."""
    dealer = await create_dealer(db, "acme")
    ids = []
    for name in names:
        store = await create_store(db, "acme", dealer.id, name=name)
        async with system(db, "acme") as ctx:
            await partners.grant_role(ctx, ChannelRoleCreate(phone=phone, kind="store_owner", store_id=store.id))
        ids.append(store.id)
    client.cookies.set("yima_channel", await channel_token(client, "acme", phone))
    return ids


async def _scan(client: httpx.AsyncClient, code: str, store_id: int | None = None) -> httpx.Response:
    page = await client.get(PAGE, params={"code": code})
    assert page.status_code == 200, page.text
    form = {"code": code, "csrf_token": csrf_of(page.text)} | ({"store_id": str(store_id)} if store_id else {})
    return await client.post(PAGE, data=form)


async def test_a_store_opens_its_case_once_and_sees_the_refusals_in_chinese(
    db: Database, app: FastAPI, client: httpx.AsyncClient, goods: dict[str, str]
) -> None:
    [store_id] = await _store_person(db, client, PHONE, "锦江烟酒店")
    page = await client.get(PAGE, params={"code": goods["case"]})
    assert "锦江烟酒店" in page.text and "selected" in page.text  # the only store, chosen already
    opened = await _scan(client, goods["case"])
    assert opened.status_code == 200 and "开箱成功" in opened.text and "锦江烟酒店 已登记此商品" in opened.text
    again = await _scan(client, goods["case"])
    assert "此商品已登记" in again.text
    for code, status, said in [
        (goods["case_outer"], 422, "请扫描箱内码（开箱）或瓶盖外码（登记）"),
        (goods["inactive"], 422, "此码尚未激活"),
    ]:
        refused = await _scan(client, code)
        assert (refused.status_code, said in refused.text) == (status, True), refused.text
    no_csrf = await client.post(PAGE, data={"code": goods["case2"], "csrf_token": "x" * 20})
    assert no_csrf.status_code == 403

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other_phone:
        await _store_person(db, other_phone, OTHER_PHONE, "春熙路名酒行")
        taken = await _scan(other_phone, goods["case"])
        assert taken.status_code == 409 and "该商品已被其他门店登记" in taken.text
        not_mine = await _scan(other_phone, goods["case2"], store_id)
        assert not_mine.status_code == 403 and "只能为您自己的门店登记" in not_mine.text


async def test_a_bottles_outer_code_page_links_here_and_two_stores_choose(
    db: Database, client: httpx.AsyncClient, goods: dict[str, str]
) -> None:
    code_page = await client.get("/c/" + goods["bottle_outer"].rsplit("/", 1)[1])
    assert code_page.status_code == 200 and "data-store-scan-link" in code_page.text  # a consumer still sees the page
    first, second = await _store_person(db, client, PHONE, "一号店", "二号店")
    page = await client.get(PAGE, params={"code": goods["bottle_outer"]})
    assert "请选择" in page.text and "一号店" in page.text and "二号店" in page.text
    unchosen = await client.post(PAGE, data={"code": goods["bottle_outer"], "csrf_token": csrf_of(page.text)})
    assert unchosen.status_code == 422 and "请选择门店" in unchosen.text
    registered = await _scan(client, goods["bottle_outer"], second)
    assert "登记成功" in registered.text and "二号店 已登记此商品" in registered.text
    assert first != second


async def test_a_code_longer_than_a_scan_takes_is_refused_in_chinese(
    db: Database, client: httpx.AsyncClient, goods: dict[str, str]
) -> None:
    """The form takes up to 500 characters, the scan 300: a longer code (a printed URL with a long
    query) is no code of the brand, said on the page, not a 500."""
    await _store_person(db, client, PHONE, "锦江烟酒店")
    page = await client.get(PAGE, params={"code": goods["case"]})
    padded = goods["case"] + "?from=" + "a" * 400
    refused = await client.post(PAGE, data={"code": padded, "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 422 and "不是本品牌的商品码" in refused.text, refused.text
    opened = await _scan(client, goods["case"])  # nothing was left behind
    assert "开箱成功" in opened.text
