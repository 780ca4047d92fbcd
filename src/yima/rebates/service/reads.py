"""Reading rebate credits: the brand's list (every receiver), and a channel account's own
(我的返利: the credits of the dealers and stores it acts for, each with its reason)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from yima.partners import service as partners
from yima.partners.permissions import CHANNEL_SELF
from yima.platform.ctx import Ctx
from yima.rebates import repository as repo
from yima.rebates import rules
from yima.rebates.models import RebateCredit
from yima.rebates.permissions import REBATES_READ
from yima.rebates.repository import metrics as metrics_repo
from yima.rebates.schemas import CreditFilter, CreditRead, StateTotal


async def read_credits(ctx: Ctx, credits: Sequence[RebateCredit]) -> list[CreditRead]:
    policies = await repo.policies_by_ids(ctx.session, {c.policy_id for c in credits})
    stores = await partners.lookup_stores(ctx, {c.receiver_id for c in credits if c.receiver_kind == "store"})
    dealers = await partners.lookup_dealers(ctx, {c.receiver_id for c in credits if c.receiver_kind == "dealer"})
    people = await partners.lookup_roles(
        ctx, {c.receiver_id for c in credits if c.receiver_kind in ("salesman", "guide")}
    )
    names = {("store", i): s.name for i, s in stores.items()} | {("dealer", i): d.name for i, d in dealers.items()}
    names |= {(r.kind, i): r.name or f"{r.kind_name} {r.phone}" for i, r in people.items()}
    fields = [f for f in CreditRead.model_fields if f not in ("kind", "policy_name", "receiver_name", "state_name")]
    return [
        ctx.shown(CreditRead.model_validate(
            {f: getattr(c, f) for f in fields}
            | {
                "kind": policies[c.policy_id].kind,
                "policy_name": policies[c.policy_id].name,
                "receiver_name": names.get((c.receiver_kind, c.receiver_id), ""),
                "state_name": rules.CREDIT_STATE_NAMES[c.state],
            }
        ))
        for c in credits
    ]


async def list_credits(ctx: Ctx, filters: CreditFilter, limit: int, before_id: int | None) -> list[CreditRead]:
    """Up to ``limit + 1``, newest first."""
    ctx.require(REBATES_READ.name)
    return await read_credits(ctx, await repo.list_credits(ctx.session, filters, limit + 1, before_id))


async def my_credits(ctx: Ctx, filters: CreditFilter, limit: int, before_id: int | None) -> list[CreditRead]:
    """A channel account's own: its dealers' and stores' credits, up to ``limit + 1``."""
    ctx.require(CHANNEL_SELF.name)
    parties = ctx.actor.parties or frozenset()
    rows = await repo.list_credits(ctx.session, filters, limit + 1, before_id, receivers=parties)
    return await read_credits(ctx, rows)


# For analytics' channel metrics (渠道指标): no permission of their own; the caller checks rebates:read.


def state_totals(rows: Iterable[tuple[str, int, int]]) -> list[StateTotal]:
    """(state, credits, fen) rows in the states' order, each with its name."""
    ordered = sorted(rows, key=lambda row: rules.CREDIT_STATES.index(row[0]))
    return [StateTotal(state=s, state_name=rules.CREDIT_STATE_NAMES[s], count=c, amount_fen=a) for s, c, a in ordered]


async def credit_totals(
    ctx: Ctx,
    since: dt.datetime,
    until: dt.datetime,
    group: str,
    *,
    paid_only: bool = False,
    kinds: Collection[str] | None = None,
) -> list[tuple[Any, ...]]:
    """(*the group's keys, credits, fen) of the credits last changed in [since, until): ``group``
    is policy, region, receiver (kind, id) or state; ``paid_only``: money that moved (paid and
    released); ``kinds``: of those policy kinds only."""
    states = rules.MONEY_MOVED if paid_only else None
    return await metrics_repo.credit_totals(ctx.session, since, until, group, states, kinds)


async def registered_between(
    ctx: Ctx, since: dt.datetime, until: dt.datetime, ranges: Sequence[tuple[int, int]]
) -> int:
    """Goods with a serial in ``ranges`` registered to a store in [since, until)."""
    return await metrics_repo.registered(ctx.session, since, until, ranges)


async def policy_names(ctx: Ctx, policy_ids: Collection[int]) -> dict[int, str]:
    return {i: p.name for i, p in (await repo.policies_by_ids(ctx.session, policy_ids)).items()}
