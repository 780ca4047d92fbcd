"""Reading rebate credits: the brand's list (every receiver), and a channel account's own
(我的返利: the credits of the dealers and stores it acts for, each with its reason)."""

from __future__ import annotations

from collections.abc import Sequence

from yima.partners import service as partners
from yima.partners.permissions import CHANNEL_SELF
from yima.platform.ctx import Ctx
from yima.rebates import repository as repo
from yima.rebates import rules
from yima.rebates.models import RebateCredit
from yima.rebates.permissions import REBATES_READ
from yima.rebates.schemas import CreditFilter, CreditRead


async def read_credits(ctx: Ctx, credits: Sequence[RebateCredit]) -> list[CreditRead]:
    policies = await repo.policies_by_ids(ctx.session, {c.policy_id for c in credits})
    stores = await partners.lookup_stores(ctx, {c.receiver_id for c in credits if c.receiver_kind == "store"})
    dealers = await partners.lookup_dealers(ctx, {c.receiver_id for c in credits if c.receiver_kind == "dealer"})
    names = {("store", i): s.name for i, s in stores.items()} | {("dealer", i): d.name for i, d in dealers.items()}
    fields = [f for f in CreditRead.model_fields if f not in ("kind", "policy_name", "receiver_name", "state_name")]
    return [
        CreditRead.model_validate(
            {f: getattr(c, f) for f in fields}
            | {
                "kind": policies[c.policy_id].kind,
                "policy_name": policies[c.policy_id].name,
                "receiver_name": names.get((c.receiver_kind, c.receiver_id), ""),
                "state_name": rules.CREDIT_STATE_NAMES[c.state],
            }
        )
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
