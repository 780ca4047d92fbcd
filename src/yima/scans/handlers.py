"""Scans' reactions: One ID — when a visitor turns out to be a person the brand knows (members'
PersonsMerged), what the visitor scanned and won follows them."""

from __future__ import annotations

from yima.campaigns import service as campaigns
from yima.members import service as members
from yima.members.events import PersonsMerged
from yima.platform.ctx import Ctx
from yima.platform.outbox import registry
from yima.scans import repository as repo
from yima.wallet import service as wallet


@registry.handles(PersonsMerged)
async def follow_the_person(ctx: Ctx, event: PersonsMerged) -> None:
    """Re-point the merged person's scans and awards, and move their wallet's balance to the
    survivor's — the survivor as it is now: a message delivered late, after the survivor was
    itself merged, must not leave them with a person nobody can see. Each step is idempotent:
    a redelivered message finds nothing left to move."""
    into = await members.current_person_id(ctx, event.into_person_id)
    await repo.repoint_person(ctx.session, event.from_person_id, into)
    await campaigns.repoint_awards(ctx, event.from_person_id, into)
    await wallet.merge_wallets(ctx, event.from_person_id, into)
