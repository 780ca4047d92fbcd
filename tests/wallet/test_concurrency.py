"""Real concurrent transactions, each on its own connection, on the database under test: no
overspend, no double award, no withdrawal past the daily cap. On PostgreSQL they overlap (the
conditional UPDATE waits on the row, then re-checks); SQLite queues writers (BEGIN IMMEDIATE)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import delete, select

from tests.identity.factories import create_tenant, system
from tests.wallet.factories import award, funded_budget, settings, withdraw
from yima.identity.models import Tenant
from yima.platform import caches
from yima.platform.db.base import Base
from yima.platform.db.session import Database
from yima.platform.db.tenancy import ALL_TENANTS
from yima.platform.errors import AppError
from yima.wallet import service as wallet
from yima.wallet.models import Account
from yima.wallet.service import slices as wallet_slices


@pytest.fixture
async def brand(engine_db: Database) -> AsyncIterator[str]:
    """A brand committed for real (outside the test's rolled-back transaction), removed after."""
    caches.clear_all()
    slug = f"race-{uuid.uuid4().hex[:8]}"
    await create_tenant(engine_db, slug)
    try:
        yield slug
    finally:
        async with engine_db.session() as session:
            tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
            for table in reversed(Base.metadata.sorted_tables):
                if "tenant_id" in table.c:
                    statement = delete(table).where(table.c.tenant_id == tenant_id)
                    await session.execute(statement.execution_options(**{ALL_TENANTS: True}))
            await session.execute(delete(Tenant).where(Tenant.id == tenant_id))
            await session.commit()
        caches.clear_all()


async def _race(calls: list[Callable[[], Awaitable[Any]]]) -> list[str]:
    """Run every call at once; each outcome is "ok" or the refusal's code."""

    async def one(call: Callable[[], Awaitable[Any]]) -> str:
        try:
            await call()
        except AppError as exc:
            return exc.code
        return "ok"

    return list(await asyncio.gather(*(one(call) for call in calls)))


async def test_fifty_awards_against_a_budget_for_ten_pay_exactly_ten(engine_db: Database, brand: str) -> None:
    budget = await funded_budget(engine_db, brand, 10 * 188)
    outcomes = await _race(
        [lambda n=n: award(engine_db, brand, budget.id, 1_000 + n, 188, key=f"scan-{n}") for n in range(50)]
    )
    assert sorted(set(outcomes)) == ["insufficient_funds", "ok"]
    assert outcomes.count("ok") == 10
    async with system(engine_db, brand) as ctx:
        assert (await wallet.get_account(ctx, budget.id)).balance == 0
        summary = await wallet.balance_summary(ctx)
        assert (summary.wallets, summary.wallet_count) == (10 * 188, 10)
        assert summary.balanced


@pytest.mark.parametrize("slices", [1, 4])
async def test_one_award_retried_twenty_times_at_once_pays_once(engine_db: Database, brand: str, slices: int) -> None:
    budget = await funded_budget(engine_db, brand, 10_000, slices=slices)
    outcomes = await _race([lambda: award(engine_db, brand, budget.id, 7, 500, key="scan-1") for _ in range(20)])
    assert outcomes == ["ok"] * 20
    async with system(engine_db, brand) as ctx:
        assert (await wallet.get_account(ctx, budget.id)).balance == 9_500
        assert (await wallet.wallet_of(ctx, 7)).balance == 500
        assert await wallet.is_balanced(ctx)


async def test_concurrent_withdrawals_stop_at_the_daily_cap(engine_db: Database, brand: str) -> None:
    budget = await funded_budget(engine_db, brand, 10_000, cash=20_000)
    await award(engine_db, brand, budget.id, 5, 5_000)
    await settings(engine_db, brand, daily_cap_fen=1_000, fee_bps=100)
    outcomes = await _race([lambda n=n: withdraw(engine_db, brand, 5, 300, key=f"w{n}") for n in range(10)])
    assert outcomes.count("ok") == 3
    assert set(outcomes) == {"ok", "withdrawal_refused"}
    async with system(engine_db, brand) as ctx:
        mine = await wallet.wallet_of(ctx, 5)
        assert (mine.balance, mine.withdrawn_today, mine.in_flight) == (4_100, 900, 900)
        summary = await wallet.balance_summary(ctx)
        assert (summary.in_transit, summary.fee_income) == (900, 9)
        assert summary.balanced


async def test_concurrent_withdrawals_never_overdraw_a_wallet(engine_db: Database, brand: str) -> None:
    budget = await funded_budget(engine_db, brand, 10_000, cash=20_000)
    await award(engine_db, brand, budget.id, 6, 1_000)
    outcomes = await _race([lambda n=n: withdraw(engine_db, brand, 6, 400, key=f"w{n}") for n in range(8)])
    assert outcomes.count("ok") == 2 and outcomes.count("insufficient_funds") == 6
    async with system(engine_db, brand) as ctx:
        assert (await wallet.wallet_of(ctx, 6)).balance == 200
        assert await wallet.is_balanced(ctx)


async def test_an_award_goes_around_the_slices_another_transaction_holds(engine_db: Database, brand: str) -> None:
    """Three of four slices locked by a transaction that stays open: every award is paid from the
    fourth while it does (without SKIP LOCKED, three in four would wait for it)."""
    if engine_db.backend != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite has one writer at a time")
    budget = await funded_budget(engine_db, brand, 8_000, slices=4)
    async with system(engine_db, brand) as ctx:
        slices = [a.id for a in await wallet_slices.budget_rows(ctx, budget.id)]
    held, free = slices[:3], slices[3]
    async with engine_db.engine.connect() as holder:
        await holder.execute(select(Account.id).where(Account.id.in_(held)).with_for_update())
        journals = [await asyncio.wait_for(award(engine_db, brand, budget.id, 40 + n, 100), 30) for n in range(6)]
        await holder.rollback()
    assert {e.account_id for j in journals for e in j.entries if e.account_kind == "budget"} == {free}
    async with system(engine_db, brand) as ctx:
        rows = await ctx.session.execute(select(Account.id, Account.balance).where(Account.id.in_(slices)))
        balances = dict(rows.all())
        assert balances == {**{s: 2_000 for s in held}, free: 2_000 - 600}
        assert await wallet.is_balanced(ctx)


async def test_slices_draining_at_once_pay_exactly_the_budget(engine_db: Database, brand: str) -> None:
    """A budget split in 8 slices, 100 concurrent awards of uneven amounts against money for
    fewer: the slices drain unevenly, the last awards are paid after evening them out, and
    nothing is paid beyond the budget — every fen of it is, down to a last award that fits."""
    amounts = [100 + (n % 7) * 50 for n in range(100)]
    budget = await funded_budget(engine_db, brand, 9_000, slices=8)
    outcomes = await _race(
        [lambda n=n: award(engine_db, brand, budget.id, 2_000 + n, amounts[n], key=f"s-{n}") for n in range(100)]
    )
    assert set(outcomes) <= {"ok", "insufficient_funds"}
    paid = sum(a for a, outcome in zip(amounts, outcomes, strict=True) if outcome == "ok")
    async with system(engine_db, brand) as ctx:
        left = (await wallet.get_account(ctx, budget.id)).balance
        assert paid + left == 9_000
        assert left < min(a for a, outcome in zip(amounts, outcomes, strict=True) if outcome != "ok")
        summary = await wallet.balance_summary(ctx)
        assert (summary.budgets, summary.wallets, summary.budget_count) == (left, paid, 1)
        assert summary.balanced
