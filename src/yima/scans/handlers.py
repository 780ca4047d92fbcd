"""Scans' reactions: One ID — when a visitor turns out to be a person the brand knows (members'
PersonsMerged), what the visitor scanned and won follows them."""

from __future__ import annotations

from yima.campaigns import service as campaigns
from yima.members.events import PersonsMerged
from yima.platform.ctx import Ctx
from yima.platform.outbox import registry
from yima.scans import repository as repo
from yima.wallet import service as wallet


@registry.handles(PersonsMerged)
async def follow_the_person(ctx: Ctx, event: PersonsMerged) -> None:
    """Re-point the merged person's scans and awards, and move their wallet's balance to the
    survivor's. Each step is idempotent: a redelivered message finds nothing left to move."""
    await repo.repoint_person(ctx.session, event.from_person_id, event.into_person_id)
    await campaigns.repoint_awards(ctx, event.from_person_id, event.into_person_id)
    await wallet.merge_wallets(ctx, event.from_person_id, event.into_person_id)
