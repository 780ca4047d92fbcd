"""Partners' reactions: One ID — a person merged into another (members' PersonsMerged) hands the
survivor their channel roles and sessions."""

from __future__ import annotations

from yima.members.events import PersonsMerged
from yima.partners import repository as repo
from yima.platform.ctx import Ctx
from yima.platform.outbox import registry


@registry.handles(PersonsMerged)
async def follow_the_person(ctx: Ctx, event: PersonsMerged) -> None:
    """Idempotent: a redelivered message finds nothing left to move."""
    await repo.move_roles(ctx.session, event.from_person_id, event.into_person_id)
