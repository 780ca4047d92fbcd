"""The logistics phone pages (/m/trace) through the ASGI app, with a console staff session."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from tests.catalog.factories import create_product
from tests.codes.factories import activate, create_batch
from tests.identity.factories import create_staff, create_tenant, login_session, system
from tests.partners.factories import create_dealer, create_store, create_warehouse
from yima.codes import service as codes
from yima.codes.tokens import Face
from yima.platform.db.session import Database
from yima.trace import h5 as trace_pages
from yima.trace import service as trace
from yima.trace.models import EpcisEvent


@dataclass
class Channel:
    cookie: dict[str, str]
    cases: list[str]  # activated case codes (URLs)
    inactive: str  # a bottle code never activated
    case_serials: list[int]
    warehouse: int
    dealer: int
    store: int


async def _channel(db: Database, client: httpx.AsyncClient, roles: tuple[str, ...] = ("operator",)) -> Channel:
    await create_tenant(db, "acme", name="赤水河酒业")
    product = await create_product(db, "acme")
    cases = await create_batch(db, "acme", "case", 3)
    await activate(db, "acme", cases.first_serial, cases.last_serial, product.id)
    bottles = await create_batch(db, "acme", "bottle", 2)
    async with system(db, "acme") as ctx:
        brand = await codes.codec(ctx)
        serials = list(range(cases.first_serial, cases.last_serial + 1))
        urls = [f"https://scan.example.cn/c/{brand.encode(s, Face.OUTER)}" for s in serials]
        inactive = f"https://scan.example.cn/c/{brand.encode(bottles.first_serial, Face.OUTER)}"
    warehouse = await create_warehouse(db, "acme", code="WH-A", name="仁怀中心仓")
    dealer = await create_dealer(db, "acme", territory=("510100",), code="D-A", name="成都蓉城酒业")
    store = await create_store(db, "acme", dealer.id, code="S-A", name="锦江门店")
    login = await create_staff(db, "acme", roles=roles)
    headers = await login_session(client, db, login)
    cookie = {"Cookie": headers["Cookie"]}  # no X-CSRF-Token header: a form cannot send one
    return Channel(cookie, urls, inactive, serials, warehouse.id, dealer.id, store.id)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def _events(db: Database) -> int:
    async with system(db, "acme") as ctx:
        return int(await ctx.session.scalar(select(func.count()).select_from(EpcisEvent)) or 0)


async def test_signed_out_staff_are_sent_to_the_console_login(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    page = await client.get("/m/trace/ship")
    assert page.status_code == 401
    assert 'href="/console/login?next=%2Fm%2Ftrace%2Fship"' in page.text and "请先登录" in page.text
    posted = await client.post("/m/trace/ship", data={"codes": "X", "source": "warehouse:1"})
    assert posted.status_code == 401 and await _events(db) == 0
    assert (await client.get("/m/trace/check", params={"code": "X"})).status_code == 401


async def test_the_menu_and_a_form_offer_the_brands_partners(db: Database, client: httpx.AsyncClient) -> None:
    ch = await _channel(db, client)
    menu = await client.get("/m/trace", headers=ch.cookie)
    assert menu.status_code == 200 and "赤水河酒业" in menu.text
    for slug, title in (("warehouse-in", "入库"), ("ship", "出库发货"), ("receive", "收货 / 签收"), ("return", "退货")):
        assert f'href="/m/trace/{slug}"' in menu.text and title in menu.text
    assert "script-src 'self'" in menu.headers["content-security-policy"]

    form = await client.get("/m/trace/ship", headers=ch.cookie, params={"source": f"warehouse:{ch.warehouse}"})
    assert form.status_code == 200
    assert f'<option value="warehouse:{ch.warehouse}" selected>WH-A 仁怀中心仓</option>' in form.text
    assert f'<option value="dealer:{ch.dealer}">D-A 成都蓉城酒业</option>' in form.text
    assert f'<option value="store:{ch.store}">S-A 锦江门店</option>' in form.text
    assert '<textarea id="f-codes" name="codes"' in form.text and "/static/trace-scan.js" in form.text
    assert "<script>" not in form.text  # own files only (CSP)
    assert (await client.get("/m/trace/nope", headers=ch.cookie)).status_code == 404


async def test_past_the_list_limit_staff_type_a_partners_code(
    db: Database, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ch = await _channel(db, client)
    monkeypatch.setattr(trace_pages, "CHOICES_LIMIT", 1)
    await create_warehouse(db, "acme", code="WH-Z", name="备用仓")  # two warehouses: the list shows one
    form = await client.get("/m/trace/warehouse-in", headers=ch.cookie)
    assert 'name="warehouse_code"' in form.text and "列表只列出前 1 个" in form.text
    assert len(re.findall(r'<option value="warehouse:\d+"', form.text)) == 1
    typed = {"csrf_token": _csrf(form.text), "warehouse_code": "WH-A", "codes": ch.cases[0]}
    stored = await client.post("/m/trace/warehouse-in", headers=ch.cookie, data=typed)
    assert stored.status_code == 200 and "入库已记录" in stored.text, stored.text
    async with system(db, "acme") as ctx:
        holder = await trace.holder_of(ctx, ch.case_serials[0])
    assert holder is not None and holder.warehouse_id == ch.warehouse  # WH-A, typed


async def test_warehouse_in_then_ship_then_sign_for(db: Database, client: httpx.AsyncClient) -> None:
    ch = await _channel(db, client)
    csrf = _csrf((await client.get("/m/trace/warehouse-in", headers=ch.cookie)).text)
    scanned = f"{ch.cases[0]}\n\n  {ch.cases[1]}  \n{ch.cases[0]}\n"  # blank lines and a repeat
    stored = await client.post(
        "/m/trace/warehouse-in",
        headers=ch.cookie,
        data={"csrf_token": csrf, "warehouse": f"warehouse:{ch.warehouse}", "codes": scanned, "reference": "RK-1"},
    )
    assert stored.status_code == 200, stored.text
    assert "入库已记录" in stored.text and "共 2 个码" in stored.text and "data-scan-done" in stored.text
    assert f'href="/m/trace/warehouse-in?warehouse=warehouse%3A{ch.warehouse}"' in stored.text

    shipped = await client.post(
        "/m/trace/ship",
        headers=ch.cookie,
        data={
            "csrf_token": csrf,
            "source": f"warehouse:{ch.warehouse}",
            "destination": f"dealer:{ch.dealer}",
            "codes": ch.cases[0],
        },
    )
    assert shipped.status_code == 200 and "出库发货已记录" in shipped.text
    signed = await client.post(
        "/m/trace/receive",
        headers=ch.cookie,
        data={"csrf_token": csrf, "receiver": f"store:{ch.store}", "codes": ch.cases[0]},
    )
    assert signed.status_code == 200 and "收货 / 签收已记录" in signed.text and "窜货" not in signed.text
    assert await _events(db) == 3
    async with system(db, "acme") as ctx:
        first, second = await trace.holder_of(ctx, ch.case_serials[0]), await trace.holder_of(ctx, ch.case_serials[1])
    assert first is not None and first.store_id == ch.store
    assert second is not None and second.warehouse_id == ch.warehouse


async def test_every_problem_is_listed_and_nothing_is_written(db: Database, client: httpx.AsyncClient) -> None:
    ch = await _channel(db, client)
    csrf = _csrf((await client.get("/m/trace/ship", headers=ch.cookie)).text)
    codes_sent = "\n".join([ch.cases[0], "NOTACODE", ch.inactive])
    refused = await client.post(
        "/m/trace/ship",
        headers=ch.cookie,
        data={
            "csrf_token": csrf,
            "source": f"warehouse:{ch.warehouse}",
            "destination": f"dealer:{ch.dealer}",
            "codes": codes_sent,
        },
    )
    assert refused.status_code == 422
    assert "未记录任何数据：2 个问题" in refused.text
    assert "<code>NOTACODE</code>：无法识别" in refused.text and f"<code>{ch.inactive}</code>：未激活" in refused.text
    assert f">{codes_sent}</textarea>" in refused.text  # the scans are kept to fix and send again
    assert f'value="dealer:{ch.dealer}" selected' in refused.text

    # A missing partner and no codes: both said; a store cannot ship (the service's own rule).
    empty = await client.post("/m/trace/ship", headers=ch.cookie, data={"csrf_token": csrf, "codes": " \n"})
    assert empty.status_code == 422 and "发货方</code>：请选择" in empty.text and "请至少扫描一个码" in empty.text
    store_ships = await client.post(
        "/m/trace/ship",
        headers=ch.cookie,
        data={"csrf_token": csrf, "source": f"store:{ch.store}", "destination": f"dealer:{ch.dealer}", "codes": "X"},
    )
    assert store_ships.status_code == 422 and "发货方</code>：请选择" in store_ships.text  # stores are not offered
    assert await _events(db) == 0


async def test_a_form_without_the_sessions_csrf_token_is_refused(db: Database, client: httpx.AsyncClient) -> None:
    ch = await _channel(db, client)
    data = {"warehouse": f"warehouse:{ch.warehouse}", "codes": ch.cases[0]}
    for token in ("", "forged-token-000000000000"):
        answer = await client.post(
            "/m/trace/warehouse-in", headers=ch.cookie | {"Accept": "text/html"}, data={"csrf_token": token, **data}
        )
        assert answer.status_code == 403 and "无权访问" in answer.text
    assert await _events(db) == 0


async def test_staff_without_logistics_permission_get_403(db: Database, client: httpx.AsyncClient) -> None:
    ch = await _channel(db, client, roles=("finance",))
    assert (await client.get("/m/trace", headers=ch.cookie | {"Accept": "text/html"})).status_code == 403
    assert (await client.get("/m/trace/check", params={"code": "X"}, headers=ch.cookie)).status_code == 403


async def test_the_scan_list_learns_each_codes_level(db: Database, client: httpx.AsyncClient) -> None:
    ch = await _channel(db, client)
    case = (await client.get("/m/trace/check", params={"code": ch.cases[0]}, headers=ch.cookie)).json()
    assert case["ok"] and case["level"] == "case" and case["level_name"] == "箱" and case["problem"] is None
    inactive = (await client.get("/m/trace/check", params={"code": ch.inactive}, headers=ch.cookie)).json()
    assert not inactive["ok"] and inactive["level"] == "bottle" and inactive["problem"] == "未激活"
    unknown = (await client.get("/m/trace/check", params={"code": "NOTACODE"}, headers=ch.cookie)).json()
    assert not unknown["ok"] and unknown["level"] is None
