"""Partners' reactions: One ID — a person merged into another (members' PersonsMerged) hands the
survivor their channel roles and sessions."""

from __future__ import annotations

from yima.members import service as members
from yima.members.events import PersonsMerged
from yima.partners import repository as repo
from yima.platform.ctx import Ctx
from yima.platform.outbox import registry


@registry.handles(PersonsMerged)
async def follow_the_person(ctx: Ctx, event: PersonsMerged) -> None:
    """To the survivor as it is now (a late message's may have been merged since); idempotent:
    a redelivered message finds nothing left to move."""
    into = await members.current_person_id(ctx, event.into_person_id)
    await repo.move_roles(ctx.session, event.from_person_id, into)
