"""Plain factories for the wallet's records, and the objects the route harnesses point at."""

from __future__ import annotations

import itertools

from tests.identity.factories import system
from yima.platform.db.session import Database
from yima.wallet import service as wallet
from yima.wallet.schemas import AccountRead, JournalRead, PayoutRead, ReconciliationCreate, SettingsUpdate

_seq = itertools.count(1)


async def fund(db: Database, slug: str, amount: int = 1_000_000, reference: str | None = None) -> JournalRead:
    async with system(db, slug) as ctx:
        return await wallet.fund_brand(ctx, amount, reference or f"BANK-{next(_seq)}")


async def funded_budget(
    db: Database, slug: str, amount: int, *, cash: int | None = None, name: str = "扫码红包预算", slices: int = 1
) -> AccountRead:
    """A campaign budget holding ``amount`` fen (the brand is funded with ``cash``, default the
    same), split in ``slices``."""
    n = next(_seq)
    await fund(db, slug, cash if cash is not None else amount)
    async with system(db, slug) as ctx:
        budget = await wallet.open_budget(ctx, "campaign", f"c{n}", name, slices=slices)
        if amount:
            await wallet.allocate_budget(ctx, budget.id, amount, f"alloc-{n}")
        return await wallet.get_account(ctx, budget.id)


async def award(
    db: Database, slug: str, budget_id: int, person_id: int, amount: int, key: str | None = None
) -> JournalRead:
    async with system(db, slug) as ctx:
        return await wallet.award(ctx, budget_id, person_id, amount, "扫码中奖", key or f"draw-{next(_seq)}")


async def withdraw(
    db: Database, slug: str, person_id: int, amount: int, key: str | None = None, openid: str | None = None
) -> PayoutRead:
    async with system(db, slug) as ctx:
        return await wallet.request_withdrawal(ctx, person_id, amount, key or f"w-{next(_seq)}", openid=openid)


async def settings(db: Database, slug: str, **values: object) -> None:
    async with system(db, slug) as ctx:
        await wallet.update_settings(ctx, SettingsUpdate(**values))  # type: ignore[arg-type]


async def balance_of(db: Database, slug: str, account_id: int) -> int:
    async with system(db, slug) as ctx:
        return (await wallet.get_account(ctx, account_id)).balance


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    budget = await funded_budget(db, slug, 50_000, cash=100_000, name=f"{marker} 预算")
    person = 900_000 + next(_seq)
    async with system(db, slug) as ctx:
        won = await wallet.award(ctx, budget.id, person, 1_000, f"{marker} 中奖", f"{slug}-draw")
        payout = await wallet.request_withdrawal(ctx, person, 500, f"{slug}-withdrawal")
        report = await wallet.start_reconciliation(ctx, ReconciliationCreate())
    ids = {
        "account_id": budget.id,
        "budget_id": budget.id,
        "journal_id": won.id,
        "payout_id": payout.id,
        "reconciliation_id": report.id,
    }
    return ids, [f"{slug}-draw", f"{slug}-withdrawal"]
