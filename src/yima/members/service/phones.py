"""Verifying a phone (手机号验证) and One ID merges: a person who proves a number another person
holds is merged into that person, and the other contexts are told (``PersonsMerged``)."""

from __future__ import annotations

from yima.members import repository as repo
from yima.members import rules
from yima.members.events import PersonsMerged
from yima.members.models import Identity, Person
from yima.members.schemas import MemberProfile, PersonRead
from yima.members.service.codes import Outcome, check_code
from yima.members.service.persons import (
    MAX_MERGE_HOPS,
    member_profile,
    normalised_phone,
    read_persons,
    resolved_person,
    visitor_person,
)
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError
from yima.platform.outbox import service as outbox


async def verify_phone(
    ctx: Ctx, person_id: int, phone: str, code: str, purpose: str = rules.VERIFY_PURPOSE
) -> Outcome[PersonRead]:
    """``person_id`` (a visitor's person, say) proves ``phone`` with the code sent to it. The
    phone is attached to them, or, when another person holds it, they are merged into that
    person (their identities move; they stay, marked merged) and PersonsMerged is published.
    The answer is the person the caller now is. Verifying again changes nothing and publishes
    nothing. A wrong code comes back as ``error``, counted (the edge commits it)."""
    caller = await resolved_person(ctx, person_id)
    error = await check_code(ctx, phone, code, purpose)
    if error is not None:
        return Outcome(error=error)
    person = await attach_phone(ctx, caller, normalised_phone(phone))
    return Outcome((await read_persons(ctx, [person]))[0])


async def verify_visitor_phone(ctx: Ctx, visitor_id: str, phone: str, code: str) -> Outcome[MemberProfile]:
    """``verify_phone`` for the person of a visitor (the public verify route), answering with
    the profile of the person the visitor now is."""
    outcome = await verify_phone(ctx, (await visitor_person(ctx, visitor_id)).id, phone, code)
    if outcome.value is None:
        return Outcome(error=outcome.error)
    return Outcome(await member_profile(ctx, outcome.value.id))


async def attach_phone(ctx: Ctx, person: Person, phone: str) -> Person:
    """Give ``person`` the (proven) ``phone``, merging as One ID requires; the person it ends with."""
    now = ctx.now()
    held = await repo.find_identity(ctx.session, rules.PHONE, phone)
    if held is None:
        new = Identity(tenant_id=ctx.tenant_id, person_id=person.id, kind=rules.PHONE, value=phone,
                       verified_at=now, created_at=now)  # fmt: skip
        if await repo.insert_identity(ctx.session, new):
            return person
        held = await repo.find_identity(ctx.session, rules.PHONE, phone)  # attached meanwhile
        assert held is not None
    for _ in range(MAX_MERGE_HOPS):
        owner = await resolved_person(ctx, held.person_id)
        # Compared after resolving: an identity still held by a person merged into the caller is
        # the caller's already; merging the caller into itself would make a loop no id resolves.
        if owner.id == person.id:
            held.verified_at = now
            await ctx.session.flush()
            return person
        # Both rows locked and read again before merging: two persons proving each other's
        # phones at one moment would otherwise each be merged into the other (a loop).
        held = await repo.lock_for_merge(ctx.session, [person.id, owner.id], rules.PHONE, phone)
        if person.merged_into_id is None and owner.merged_into_id is None:
            held.verified_at = now
            await repo.merge_person(ctx.session, person, owner, now)
            event = PersonsMerged(tenant_id=ctx.tenant_id, from_person_id=person.id, into_person_id=owner.id)
            outbox.publish(ctx, event)
            return owner
        person = await resolved_person(ctx, person.id)  # merged meanwhile: as they are now
    raise Conflict("the phone's owner kept changing; try again", [FieldError("phone", "try again", "retry")])
