"""The brand's running rebate policies, kept in process for a few seconds: every consumer scan
asks which bC / BbC policies run, and should cost no query for it. A change made in this process
drops the brand's entry at once; other worker processes see it within the TTL (a paused policy
may pay for up to that long there, from a budget that still refuses what it cannot pay)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from yima.platform.caches import TtlCache
from yima.platform.ctx import Ctx
from yima.rebates import repository as repo
from yima.rebates import rules
from yima.rebates.models import RebatePolicy

LIVE_TTL = 5.0


@dataclass(frozen=True)
class LivePolicy:
    """What paying under a policy needs to know of it."""

    id: int
    name: str
    kind: str
    product_ids: tuple[int, ...]
    store_fen: int
    dealer_fen: int
    salesman_fen: int
    guide_fen: int
    budget_account_id: int | None
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None

    def covers(self, product_id: int | None) -> bool:
        return rules.covers(self.product_ids, product_id)

    def amounts(self) -> dict[rules.Receiver, int]:
        return rules.amounts(self.kind, self.store_fen, self.dealer_fen, self.salesman_fen, self.guide_fen)


def live_policy(policy: RebatePolicy) -> LivePolicy:
    return LivePolicy(
        id=policy.id, name=policy.name, kind=policy.kind, product_ids=tuple(policy.product_ids),
        store_fen=policy.store_fen, dealer_fen=policy.dealer_fen, salesman_fen=policy.salesman_fen,
        guide_fen=policy.guide_fen, budget_account_id=policy.budget_account_id,
        starts_at=policy.starts_at, ends_at=policy.ends_at,
    )  # fmt: skip


_live: TtlCache[int, tuple[LivePolicy, ...]] = TtlCache(LIVE_TTL)


async def running_policies(ctx: Ctx, kinds: Collection[str]) -> list[LivePolicy]:
    """The brand's policies of ``kinds`` running now (active and inside their period)."""
    active = _live.get(ctx.tenant_id)
    if active is None:
        active = tuple(live_policy(p) for p in await repo.active_policies(ctx.session, rules.KINDS))
        _live.put(ctx.tenant_id, active)
    now = ctx.now()
    return [p for p in active if p.kind in kinds and rules.running("active", p.starts_at, p.ends_at, now)]


def forget_live(ctx: Ctx) -> None:
    """A policy of the brand changed state: read them again."""
    _live.drop(ctx.tenant_id)
