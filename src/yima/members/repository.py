"""Every SQL statement of the members context."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

from yima.members.models import Identity, Person, PersonTag, PhoneCode, SmsMessage
from yima.members.rules import PHONE
from yima.platform.db import direct
from yima.platform.db.base import newest_first
from yima.platform.db.tenancy import TENANT_PARAM, check_tenants, prebuilt, tenant_param, tenant_params
from yima.platform.db.upsert import table_of


def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)


# Persons and identities -------------------------------------------------------------------------


async def get_person(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def persons_by_ids(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, Person]:
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    return {p.id: p for p in await session.scalars(select(Person).where(Person.id.in_(ids)))}


async def find_identity(session: AsyncSession, kind: str, value: str) -> Identity | None:
    return await session.scalar(select(Identity).where(Identity.kind == kind, Identity.value == value))


_OWNER_OF_IDENTITY = prebuilt(
    select(Identity.person_id, Person.merged_into_id)
    .join(Person, (Person.id == Identity.person_id) & (Person.tenant_id == Identity.tenant_id))
    .where(Identity.tenant_id == tenant_param())
    .where(Identity.kind == bindparam("kind"), Identity.value == bindparam("value"))
)


def owner_of_identity_later(session: AsyncSession, kind: str, value: str) -> tuple[Executable, dict[str, Any]]:
    """The read of the person holding an identity and the person they were merged into (None:
    not merged), one indexed read on the scan's hot path, not run (``direct.Deferred``); its row
    through ``owner_in``."""
    return _OWNER_OF_IDENTITY, tenant_params(session, kind=kind, value=value)


def owner_in(rows: direct.Rows) -> tuple[int, int | None] | None:
    found = rows.first()
    return (found[0], found[1]) if found else None


async def insert_identity(session: AsyncSession, identity: Identity, person: Person | None = None) -> bool:
    """Insert ``identity`` (and first ``person``, its new owner) in a savepoint. False, with
    nothing written, when the (kind, value) is taken — by a concurrent request too: the unique
    key decides races, on SQLite and PostgreSQL alike, not a read before the write."""
    try:
        async with session.begin_nested():
            if person is not None:
                session.add(person)
                await session.flush()
                identity.person_id = person.id
            session.add(identity)
            await session.flush()
    except IntegrityError:
        return False
    return True


_PERSONS, _IDENTITIES = table_of(Person), table_of(Identity)
_INSERT_PERSON = prebuilt(insert(_PERSONS).returning(_PERSONS.c.id))
_INSERT_IDENTITY = prebuilt(insert(_IDENTITIES))


def _person_with_identity() -> Select[Any]:
    """PostgreSQL's two INSERTs as one statement: the identity's reads the person's RETURNING."""
    tenant, at = tenant_param(), bindparam("at", type_=_PERSONS.c.created_at.type)
    person = (
        postgresql.insert(_PERSONS)
        .values(tenant_id=tenant, level=0, first_seen_at=at, created_at=at, updated_at=at)
        .returning(_PERSONS.c.id)
        .cte("person")
    )
    held = select(
        tenant, person.c.id, bindparam("kind", type_=_IDENTITIES.c.kind.type),
        bindparam("value", type_=_IDENTITIES.c.value.type), at,
    )  # fmt: skip
    identity = (
        insert(_IDENTITIES)
        .from_select(["tenant_id", "person_id", "kind", "value", "created_at"], held)
        .returning(_IDENTITIES.c.person_id)
        .cte("identity")
    )
    return prebuilt(select(identity.c.person_id))


_PERSON_WITH_IDENTITY = _person_with_identity()


async def insert_new_owner(session: AsyncSession, tenant_id: int, kind: str, value: str, at: dt.datetime) -> int:
    """Insert a person and the identity they hold, with no savepoint: for an identity nobody else
    can be inserting (a visitor id just drawn at random). One statement on PostgreSQL, two
    elsewhere. The new person's id."""
    if direct.on_postgres(session):
        params = tenant_params(session, kind=kind, value=value, at=at)
        check_tenants(params[TENANT_PARAM], [{"tenant_id": tenant_id}])
        return int((await direct.execute(session, _PERSON_WITH_IDENTITY, params)).scalar_one())
    person = {"tenant_id": tenant_id, "level": 0, "first_seen_at": at, "created_at": at, "updated_at": at}
    person_id = int((await direct.execute(session, _INSERT_PERSON, person)).scalar_one())
    identity = {"tenant_id": tenant_id, "person_id": person_id, "kind": kind, "value": value, "created_at": at}
    await direct.execute(session, _INSERT_IDENTITY, identity)
    return person_id


async def identities_of(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, list[Identity]]:
    ids = sorted(set(person_ids))
    found: dict[int, list[Identity]] = defaultdict(list)
    if ids:
        query = select(Identity).where(Identity.person_id.in_(ids)).order_by(Identity.id)
        for identity in await session.scalars(query):
            found[identity.person_id].append(identity)
    return found


async def tags_of(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = sorted(set(person_ids))
    found: dict[int, list[str]] = defaultdict(list)
    if ids:
        query = select(PersonTag.person_id, PersonTag.tag).where(PersonTag.person_id.in_(ids)).order_by(PersonTag.tag)
        for person_id, tag in (await session.execute(query)).all():
            found[person_id].append(tag)
    return found


async def set_tags(session: AsyncSession, person_id: int, tags: Sequence[str]) -> None:
    """The person's tags become exactly ``tags``."""
    current = set((await tags_of(session, [person_id])).get(person_id, []))
    wanted = set(tags)
    if current - wanted:
        await session.execute(
            delete(PersonTag).where(PersonTag.person_id == person_id, PersonTag.tag.in_(sorted(current - wanted)))
        )
    session.add_all(PersonTag(person_id=person_id, tag=tag) for tag in sorted(wanted - current))
    await session.flush()


async def list_persons(
    session: AsyncSession,
    *,
    phone: str | None,
    tag: str | None,
    level: int | None,
    merged: bool,
    limit: int,
    before_id: int | None,
) -> list[Person]:
    query = select(Person).where(Person.merged_into_id.is_not(None) if merged else Person.merged_into_id.is_(None))
    if phone is not None:
        query = query.where(
            Person.id.in_(select(Identity.person_id).where(Identity.kind == PHONE, Identity.value == phone))
        )
    if tag is not None:
        query = query.where(Person.id.in_(select(PersonTag.person_id).where(PersonTag.tag == tag)))
    if level is not None:
        query = query.where(Person.level == level)
    return list((await session.scalars(newest_first(query, Person, limit, before_id))).all())


async def lock_for_merge(session: AsyncSession, person_ids: Iterable[int], kind: str, value: str) -> Identity:
    """The persons' rows locked in id order (PostgreSQL; SQLite runs one writer at a time) and
    read again with the identity being proven: a merge that crossed this one has committed, or
    waits for this one, and what it changed is seen."""
    query = select(Person).where(Person.id.in_(sorted(set(person_ids)))).order_by(Person.id)
    if direct.on_postgres(session):
        query = query.with_for_update()
    await session.scalars(query.execution_options(populate_existing=True))
    fresh = select(Identity).where(Identity.kind == kind, Identity.value == value)
    held = await session.scalar(fresh.execution_options(populate_existing=True))
    assert held is not None, "an identity is never deleted"
    return held


async def merge_person(session: AsyncSession, source: Person, target: Person, now: dt.datetime) -> None:
    """Fold ``source`` into ``target``: its identities and tags move, persons merged into it
    before now point at ``target`` (so a merged id resolves in one step), and it is kept,
    marked merged."""
    await session.execute(update(Identity).where(Identity.person_id == source.id).values(person_id=target.id))
    moved = set((await tags_of(session, [source.id])).get(source.id, []))
    kept = set((await tags_of(session, [target.id])).get(target.id, []))
    await session.execute(delete(PersonTag).where(PersonTag.person_id == source.id))
    session.add_all(PersonTag(person_id=target.id, tag=tag) for tag in sorted(moved - kept))
    await session.execute(
        update(Person).where(Person.merged_into_id == source.id).values(merged_into_id=target.id, updated_at=now)
    )
    target.level = max(target.level, source.level)
    target.first_seen_at = min(target.first_seen_at, source.first_seen_at)
    source.merged_into_id, source.merged_at = target.id, now
    await session.flush()


# One-time codes and the SMS log ------------------------------------------------------------------


async def lock_code(session: AsyncSession, phone: str, purpose: str) -> PhoneCode | None:
    """The (phone, purpose)'s code row, locked until the transaction ends (PostgreSQL; SQLite
    runs one writer at a time anyway), so sends and checks of one phone take turns."""
    query = select(PhoneCode).where(PhoneCode.phone == phone, PhoneCode.purpose == purpose)
    if direct.on_postgres(session):
        query = query.with_for_update()
    return await session.scalar(query)


async def create_code_row(session: AsyncSession, row: PhoneCode) -> bool:
    """Insert the first code row of a (phone, purpose); False when a concurrent request just did."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def count_sent(session: AsyncSession, since: dt.datetime, *, phone: str | None = None,
                     source_hash: str | None = None) -> int:  # fmt: skip
    """Codes sent (or being sent) since ``since``, to one phone or at one source's request."""
    query = (
        select(func.count())
        .select_from(SmsMessage)
        .where(SmsMessage.created_at >= since, SmsMessage.status != "failed")
    )
    if phone is not None:
        query = query.where(SmsMessage.phone == phone)
    if source_hash is not None:
        query = query.where(SmsMessage.source_hash == source_hash)
    return int(await session.scalar(query) or 0)


async def list_sms(
    session: AsyncSession, phone: str | None, status: str | None, limit: int, before_id: int | None
) -> list[SmsMessage]:
    query = select(SmsMessage)
    if phone is not None:
        query = query.where(SmsMessage.phone == phone)
    if status is not None:
        query = query.where(SmsMessage.status == status)
    return list((await session.scalars(newest_first(query, SmsMessage, limit, before_id))).all())
