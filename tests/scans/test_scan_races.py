"""The whole scan under concurrency and crashes, through HTTP on a real app committing for real
(SQLite and PostgreSQL): one award per code however many phones scan it at once, one answer per
retried request, and nothing half-written when the request dies mid-way."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.harness import delete_brand
from tests.identity.factories import create_tenant, system
from tests.scans.factories import code_url, scan_to_win
from yima.campaigns.models import CampaignAward
from yima.main import create_app
from yima.platform import caches
from yima.platform.db.session import Database
from yima.scans.models import ScanRecord
from yima.scans.service import draw
from yima.settings import get_settings
from yima.wallet import service as wallet

API = "/api/v1/scans"


@pytest.fixture
async def brand(engine_db: Database, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    slug = f"scan-race-{request.node.name[5:30].replace('_', '-')}"
    caches.clear_all()
    await create_tenant(engine_db, slug)
    try:
        yield slug
    finally:
        await delete_brand(engine_db, slug)
        caches.clear_all()


@pytest.fixture
def transport(engine_db: Database) -> httpx.ASGITransport:
    # One test client is one address: the per-address page limit is lifted for the race.
    settings = get_settings().model_copy(update={"scan_rate_per_minute": 10_000})
    app = create_app(settings, database=engine_db, run_worker=False)
    return httpx.ASGITransport(app=app, raise_app_exceptions=False)


@pytest.fixture
async def http(transport: httpx.ASGITransport) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _at_once(n: int, backend: str, call: Callable[[int], Awaitable[Any]]) -> list[Any]:
    gate = asyncio.Semaphore(8 if backend == "sqlite" else 30)

    async def one(i: int) -> Any:
        async with gate:
            return await call(i)

    return await asyncio.gather(*(one(i) for i in range(n)))


async def _count(db: Database, slug: str, model: type[Any]) -> int:
    async with system(db, slug) as ctx:
        return int(await ctx.session.scalar(select(func.count()).select_from(model)) or 0)


async def test_200_phones_scanning_one_code_make_one_award(
    engine_db: Database, transport: httpx.ASGITransport, brand: str
) -> None:
    batch, _ = await scan_to_win(engine_db, brand)
    url = await code_url(engine_db, brand, batch.first_serial)

    async def scan(i: int) -> str:  # each a phone of its own: no visitor cookie carried over
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as phone:
            answer = await phone.post(API, json={"code": url})
            assert answer.status_code == 200, answer.text
            return str(answer.json()["draw"]["outcome"])

    outcomes = await _at_once(200, engine_db.backend, scan)

    assert outcomes.count("awarded") == 1 and outcomes.count("already_awarded") == 199, Counter(outcomes)
    assert await _count(engine_db, brand, CampaignAward) == 1
    assert await _count(engine_db, brand, ScanRecord) == 200
    async with system(engine_db, brand) as ctx:
        assert await wallet.is_balanced(ctx)


async def test_a_request_retried_at_once_is_answered_once(
    engine_db: Database, http: httpx.AsyncClient, brand: str
) -> None:
    batch, _ = await scan_to_win(engine_db, brand)
    url = await code_url(engine_db, brand, batch.first_serial)
    first = await http.post(API, json={"code": await code_url(engine_db, brand, batch.first_serial + 1)})
    visitor = {"X-Yima-Visitor": first.json()["visitor_token"], "Idempotency-Key": "same-request-1"}

    async def retry(_: int) -> dict[str, Any]:
        answer = await http.post(API, json={"code": url}, headers=visitor)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    answers = await _at_once(20, engine_db.backend, retry)

    assert len({a["scan_id"] for a in answers}) == 1 and len({str(a["draw"]) for a in answers}) == 1
    assert sum(not a["replayed"] for a in answers) == 1
    assert await _count(engine_db, brand, CampaignAward) == 2  # this code's, and the first scan's
    assert await _count(engine_db, brand, ScanRecord) == 2


async def test_a_crash_after_the_draw_leaves_nothing_behind(
    engine_db: Database, http: httpx.AsyncClient, brand: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch, _ = await scan_to_win(engine_db, brand)
    url = await code_url(engine_db, brand, batch.first_serial)

    async def dies(*_: Any) -> Any:
        raise RuntimeError("the process died after the draw")

    monkeypatch.setattr(draw, "page_of", dies)
    crashed = await http.post(API, json={"code": url})
    assert crashed.status_code == 500
    assert await _count(engine_db, brand, ScanRecord) == 0
    assert await _count(engine_db, brand, CampaignAward) == 0
    async with system(engine_db, brand) as ctx:
        assert await wallet.is_balanced(ctx)

    monkeypatch.undo()
    again = await http.post(API, json={"code": url})
    assert again.json()["draw"]["outcome"] == "awarded"  # the code was not spent by the crash
