"""Who is paid for a dealer or a store: rebates pay a person's wallet, the partner's owner."""

from __future__ import annotations

from collections.abc import Collection

from yima.partners import repository as repo
from yima.platform.ctx import Ctx


async def payees_of(ctx: Ctx, kind: str, partner_ids: Collection[int]) -> dict[int, int]:
    """partner id → the person paid for it (its earliest active owner account: store_owner of a
    store, dealer_owner of a dealer); partners without one are left out. No permission: for
    other contexts' use cases (rebates)."""
    if not partner_ids:
        return {}
    return await repo.payees(ctx.session, kind, partner_ids)
