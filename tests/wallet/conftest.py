"""Fixtures of the wallet's tests: a funded brand, a clock to move the tenant's day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.identity.factories import create_tenant
from yima.platform import ctx as ctx_module
from yima.platform.db.session import Database
from yima.wallet.providers import use_provider


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """What ``ctx.now()`` answers (starts at 2026-11-23 10:00 in Shanghai)."""
    fixed = Clock(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC))
    monkeypatch.setattr(ctx_module, "utcnow", fixed)
    return fixed


@pytest.fixture
async def acme(db: Database) -> str:
    return await create_tenant(db, "acme")


@pytest.fixture(autouse=True)
def _real_providers() -> Iterator[None]:
    yield
    use_provider("sandbox", None)
    use_provider("wechat", None)
