"""Persons (One ID): found or made from an identity without a race, resolved through merges,
profiled for campaigns, listed and tagged by staff."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from yima.identity import service as identity
from yima.members import repository as repo
from yima.members import rules
from yima.members.errors import invalid_phone
from yima.members.models import Identity, Person
from yima.members.permissions import MEMBERS_READ, MEMBERS_WRITE
from yima.members.schemas import IdentityRead, MemberProfile, PersonFilter, PersonRead, PersonSummary, PersonUpdate
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.platform.errors import Conflict, FieldError, Invalid, NotFound

DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")
MAX_MERGE_HOPS = 8  # merges re-point earlier ones, so one hop is the rule; more means a bug


def normalised_phone(phone: str, field: str = "phone") -> str:
    number = rules.normalise_phone(phone)
    if number is None:
        raise invalid_phone(field)
    return number


def _current_phone(identities: Sequence[Identity]) -> str | None:
    phones = [i for i in identities if i.kind == rules.PHONE]
    return max(phones, key=lambda i: (i.verified_at or i.created_at, i.id)).value if phones else None


def _identity_read(ctx: Ctx, identity: Identity) -> IdentityRead:
    value = identity.value if identity.kind != rules.VISITOR else identity.value[:8] + "…"
    return ctx.shown(
        IdentityRead(kind=identity.kind, value=value, verified_at=identity.verified_at, created_at=identity.created_at)
    )


async def _facts(ctx: Ctx, persons: Sequence[Person]) -> tuple[dict[int, list[Identity]], dict[int, list[str]]]:
    ids = [p.id for p in persons]
    return await repo.identities_of(ctx.session, ids), await repo.tags_of(ctx.session, ids)


def _summary(ctx: Ctx, person: Person, identities: list[Identity], tags: list[str]) -> PersonSummary:
    # Times leave this context in the brand's time zone (stored UTC), as every answer shows them.
    return ctx.shown(PersonSummary(
        id=person.id,
        level=person.level,
        tags=tags,
        phone=rules.mask_phone(_current_phone(identities)),
        identity_kinds=sorted({i.kind for i in identities}),
        first_seen_at=person.first_seen_at,
        merged_into_id=person.merged_into_id,
    ))


async def read_persons(ctx: Ctx, persons: Sequence[Person]) -> list[PersonRead]:
    identities, tags = await _facts(ctx, persons)
    zone = ctx.tenant.zone if ctx.tenant else DEFAULT_ZONE
    reads = []
    for p in persons:
        summary = _summary(ctx, p, identities.get(p.id, []), tags.get(p.id, []))
        read = PersonRead(
            **summary.model_dump(),
            identities=[_identity_read(ctx, i) for i in identities.get(p.id, [])],
            merged_at=p.merged_at,
            is_new=rules.is_new(p.first_seen_at, ctx.now(), zone),
            created_at=p.created_at,
            updated_at=p.updated_at,
        )
        reads.append(ctx.shown(read))
    return reads


async def load_person(ctx: Ctx, person_id: int) -> Person:
    person = await repo.get_person(ctx.session, person_id)
    if person is None:
        raise NotFound(f"person {person_id} not found")
    return person


async def resolved_person(ctx: Ctx, person_id: int) -> Person:
    """The person ``person_id`` is now: itself, or the one it was merged into."""
    person = await load_person(ctx, person_id)
    for _ in range(MAX_MERGE_HOPS):
        if person.merged_into_id is None:
            return person
        person = await load_person(ctx, person.merged_into_id)
    raise RuntimeError(f"person {person_id}: merge chain longer than {MAX_MERGE_HOPS}")


async def person_for_identity(ctx: Ctx, kind: rules.IdentityKind, value: str) -> Person:
    """The person holding an identity, made (with the identity) on first sight. Two first requests
    at once make one person: the loser's insert hits the unique key and it reads the winner's."""
    found = await repo.find_identity(ctx.session, kind, value)
    if found is None:
        now = ctx.now()
        person = Person(tenant_id=ctx.tenant_id, level=0, first_seen_at=now, created_at=now, updated_at=now)
        verified = now if kind == rules.PHONE else None
        held = Identity(tenant_id=ctx.tenant_id, kind=kind, value=value, verified_at=verified, created_at=now)
        if await repo.insert_identity(ctx.session, held, person):
            return person
        found = await repo.find_identity(ctx.session, kind, value)
        if found is None:
            raise Conflict(f"could not record the {kind} identity", [FieldError(kind, "try again", "retry")])
    return await resolved_person(ctx, found.person_id)


# For other contexts' use cases (scans, wallet, rebates): no permission of their own ---------------


async def resolve_person(ctx: Ctx, person_id: int) -> PersonRead:
    """The person behind ``person_id``, following a merge (ids kept elsewhere stay good)."""
    return (await read_persons(ctx, [await resolved_person(ctx, person_id)]))[0]


async def current_person_id(ctx: Ctx, person_id: int) -> int:
    """The id of the person ``person_id`` is now (itself, or the end of its merge chain): where a
    late or redelivered PersonsMerged must move things, not to a person merged since."""
    return (await resolved_person(ctx, person_id)).id


async def visitor_person(ctx: Ctx, visitor_id: str) -> PersonRead:
    """The person of a visitor id (from a checked visitor token), made on the first visit."""
    if not rules.VISITOR_ID.match(visitor_id):
        raise Invalid("not a visitor id", [FieldError("visitor_id", "22 base64url characters", "invalid_visitor")])
    return (await read_persons(ctx, [await person_for_identity(ctx, rules.VISITOR, visitor_id)]))[0]


async def visitor_person_id(ctx: Ctx, visitor_id: str) -> int:
    """``visitor_person``'s id alone, for the scan's hot path: one indexed read for a known
    visitor who was not merged."""
    person_id: int = (await direct.run_together(ctx.session, [visitor_person_id_later(ctx, visitor_id)]))[0]
    return person_id


def visitor_person_id_later(ctx: Ctx, visitor_id: str) -> direct.Deferred[int]:
    """``visitor_person_id`` with its read not yet sent: the scan sends it together with other
    contexts' (``direct.run_together``)."""
    if not rules.VISITOR_ID.match(visitor_id):
        raise Invalid("not a visitor id", [FieldError("visitor_id", "22 base64url characters", "invalid_visitor")])

    async def then(rows: direct.Rows) -> int:
        found = repo.owner_in(rows)
        if found is not None and found[1] is None:
            return found[0]
        return (await person_for_identity(ctx, rules.VISITOR, visitor_id)).id

    return direct.Deferred(*repo.owner_of_identity_later(ctx.session, rules.VISITOR, visitor_id), then)


async def new_visitor_person_id(ctx: Ctx, visitor_id: str) -> int:
    """The person of a visitor id ``issue_visitor`` just drew (nobody can hold it yet), made with
    its identity: the scan's hot path, a first scan in five."""
    if not rules.VISITOR_ID.match(visitor_id):
        raise Invalid("not a visitor id", [FieldError("visitor_id", "22 base64url characters", "invalid_visitor")])
    return await repo.insert_new_owner(ctx.session, ctx.tenant_id, rules.VISITOR, visitor_id, ctx.now())


async def verified_phone(ctx: Ctx, person_id: int) -> str | None:
    """The person's verified phone, unmasked (risk control checks it against blacklists)."""
    return _current_phone((await repo.identities_of(ctx.session, [person_id]))[person_id])


async def person_by_phone(ctx: Ctx, phone: str) -> PersonRead | None:
    """The person holding a verified phone, or None."""
    found = await repo.find_identity(ctx.session, rules.PHONE, normalised_phone(phone))
    return (await read_persons(ctx, [await resolved_person(ctx, found.person_id)]))[0] if found else None


async def phone_person(ctx: Ctx, phone: str) -> PersonRead:
    """The person of a phone the caller vouches for (staff registering a store owner, an
    import), made when there is none. A phone proven by a code goes through ``verify_phone``."""
    return (await read_persons(ctx, [await person_for_identity(ctx, rules.PHONE, normalised_phone(phone))]))[0]


async def member_profile(ctx: Ctx, person_id: int) -> MemberProfile:
    """What campaign targeting reads (member level, tags, new or returning, verified)."""
    person = await resolve_person(ctx, person_id)
    return MemberProfile(
        person_id=person.id,
        level=person.level,
        tags=person.tags,
        first_seen_at=person.first_seen_at,
        is_new=person.is_new,
        verified=person.phone is not None,
        phone=person.phone,
    )


async def visitor_profile(ctx: Ctx, visitor_id: str) -> MemberProfile:
    """A visitor's own profile (their person is made on first use)."""
    return await member_profile(ctx, (await visitor_person(ctx, visitor_id)).id)


# Staff --------------------------------------------------------------------------------------------


async def list_persons(ctx: Ctx, filters: PersonFilter, limit: int, before_id: int | None) -> list[PersonSummary]:
    """Up to ``limit + 1`` persons, newest first, phones masked."""
    ctx.require(MEMBERS_READ.name)
    phone = normalised_phone(filters.phone) if filters.phone else None
    rows = await repo.list_persons(
        ctx.session,
        phone=phone,
        tag=filters.tag,
        level=filters.level,
        merged=filters.merged,
        limit=limit + 1,
        before_id=before_id,
    )
    identities, tags = await _facts(ctx, rows)
    return [_summary(ctx, p, identities.get(p.id, []), tags.get(p.id, [])) for p in rows]


async def get_person(ctx: Ctx, person_id: int) -> PersonRead:
    """One person as stored (a merged one too, showing where it went), identities in full."""
    ctx.require(MEMBERS_READ.name)
    return (await read_persons(ctx, [await load_person(ctx, person_id)]))[0]


async def update_person(ctx: Ctx, person_id: int, data: PersonUpdate) -> PersonRead:
    """Set a person's level and tags (by hand, until points and behaviour set them)."""
    ctx.require(MEMBERS_WRITE.name)
    person = await load_person(ctx, person_id)
    if person.merged_into_id is not None:
        raise Conflict(
            f"person {person_id} was merged into {person.merged_into_id}; change that one",
            [FieldError("person_id", f"merged into {person.merged_into_id}", "person_merged")],
        )
    before = (await read_persons(ctx, [person]))[0]
    changes: dict[str, object] = {}
    if data.level is not None and data.level != person.level:
        changes["level"] = [person.level, data.level]
        person.level = data.level
    if data.tags is not None and sorted(set(data.tags)) != before.tags:
        changes["tags"] = [before.tags, sorted(set(data.tags))]
        await repo.set_tags(ctx.session, person.id, sorted(set(data.tags)))
    if changes:
        person.updated_at = ctx.now()
        await ctx.session.flush()
        identity.record_audit(ctx, "person.updated", "person", person.id, changes)
    return (await read_persons(ctx, [person]))[0]
