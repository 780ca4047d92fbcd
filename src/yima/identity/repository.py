"""Every SQL statement of the identity context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache

from sqlalchemy import Select, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yima.identity.models import (
    ApiClient,
    AuditEntry,
    ConsoleSession,
    Notification,
    Role,
    StaffMember,
    StaffRole,
    Tenant,
    User,
)
from yima.identity.schemas import AuditFilter, StaffFilter
from yima.platform.db.base import newest_first
from yima.platform.db.tenancy import ALL_TENANTS

ACROSS_TENANTS = {ALL_TENANTS: True}


# tenants ---------------------------------------------------------------------------------


async def get_tenant(session: AsyncSession, tenant_id: int) -> Tenant | None:
    return await session.get(Tenant, tenant_id)


async def get_tenant_by_slug(session: AsyncSession, slug: str) -> Tenant | None:
    return (await session.scalars(select(Tenant).where(Tenant.slug == slug))).first()


async def list_tenants(session: AsyncSession, ids: Sequence[int] | None = None) -> list[Tenant]:
    query = select(Tenant).order_by(Tenant.id)
    if ids is not None:
        query = query.where(Tenant.id.in_(ids))
    return list((await session.scalars(query)).all())


# users and staff ---------------------------------------------------------------------------


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_login(session: AsyncSession, login: str, *, lock: bool = False) -> User | None:
    """The user with that login; ``lock`` holds the row until the transaction ends (a login
    attempt counts its failures without losing a concurrent one's)."""
    query = select(User).where(User.login == login)
    return (await session.scalars(query.with_for_update() if lock else query)).first()


async def lock_user(session: AsyncSession, user_id: int) -> User | None:
    query = select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    return (await session.scalars(query)).first()


async def tenant_ids_of_user(session: AsyncSession, user_id: int) -> list[int]:
    query = (
        select(StaffMember.tenant_id)
        .where(StaffMember.user_id == user_id, StaffMember.is_active.is_(True))
        .order_by(StaffMember.tenant_id)
        .execution_options(**ACROSS_TENANTS)
    )
    return list((await session.scalars(query)).all())


async def get_staff(session: AsyncSession, staff_id: int) -> StaffMember | None:
    return await session.get(StaffMember, staff_id)


async def get_staff_of_user(session: AsyncSession, user_id: int) -> StaffMember | None:
    return (await session.scalars(select(StaffMember).where(StaffMember.user_id == user_id))).first()


async def list_staff(
    session: AsyncSession, filters: StaffFilter, limit: int, before_id: int | None
) -> list[tuple[StaffMember, User]]:
    query = (
        select(StaffMember, User)
        .join(User, User.id == StaffMember.user_id)
        .order_by(StaffMember.id.desc())
        .limit(limit)
    )
    if before_id:
        query = query.where(StaffMember.id < before_id)
    if filters.q:
        # The text as typed: % and _ match themselves, not any text or any character.
        query = query.where(
            or_(
                User.login.icontains(filters.q, autoescape=True),
                User.display_name.icontains(filters.q, autoescape=True),
            )
        )
    if filters.active is not None:
        query = query.where(StaffMember.is_active.is_(filters.active))
    if filters.role:
        query = query.where(
            StaffMember.id.in_(
                select(StaffRole.staff_id).join(Role, Role.id == StaffRole.role_id).where(Role.code == filters.role)
            )
        )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def role_codes_by_staff(session: AsyncSession, staff_ids: Sequence[int]) -> dict[int, list[str]]:
    if not staff_ids:
        return {}
    query = (
        select(StaffRole.staff_id, Role.code)
        .join(Role, Role.id == StaffRole.role_id)
        .where(StaffRole.staff_id.in_(staff_ids))
        .order_by(Role.code)
    )
    result: dict[int, list[str]] = {sid: [] for sid in staff_ids}
    for staff_id, code in (await session.execute(query)).all():
        result[staff_id].append(code)
    return result


async def roles_of_staff(session: AsyncSession, staff_id: int) -> list[Role]:
    query = select(Role).join(StaffRole, StaffRole.role_id == Role.id).where(StaffRole.staff_id == staff_id)
    return list((await session.scalars(query)).all())


async def replace_staff_roles(session: AsyncSession, staff: StaffMember, roles: Sequence[Role]) -> None:
    await session.execute(delete(StaffRole).where(StaffRole.staff_id == staff.id))
    session.add_all(StaffRole(tenant_id=staff.tenant_id, staff_id=staff.id, role_id=r.id) for r in roles)
    await session.flush()


async def count_active_owners(session: AsyncSession) -> int:
    query = (
        select(func.count(func.distinct(StaffMember.id)))
        .join(StaffRole, StaffRole.staff_id == StaffMember.id)
        .join(Role, Role.id == StaffRole.role_id)
        .where(Role.code == "owner", StaffMember.is_active.is_(True))
    )
    return int((await session.scalar(query)) or 0)


# roles -------------------------------------------------------------------------------------


async def list_roles(session: AsyncSession) -> list[Role]:
    return list((await session.scalars(select(Role).order_by(Role.builtin.desc(), Role.code))).all())


async def get_role(session: AsyncSession, role_id: int) -> Role | None:
    return await session.get(Role, role_id)


async def roles_by_code(session: AsyncSession, codes: Sequence[str]) -> list[Role]:
    return list((await session.scalars(select(Role).where(Role.code.in_(codes)))).all())


async def role_in_use(session: AsyncSession, role_id: int) -> bool:
    return (await session.scalar(select(StaffRole.id).where(StaffRole.role_id == role_id).limit(1))) is not None


# console sessions --------------------------------------------------------------------------


async def get_console_session(session: AsyncSession, token_hash: str) -> ConsoleSession | None:
    query = select(ConsoleSession).where(ConsoleSession.token_hash == token_hash)
    return (await session.scalars(query)).first()


async def revoke_sessions_of_user(
    session: AsyncSession, user_id: int, now: dt.datetime, *, keep: int | None = None, tenant_id: int | None = None
) -> None:
    """End every live console session of the user, except ``keep`` (the caller's own); with
    ``tenant_id``, only those working in that brand now."""
    query = select(ConsoleSession).where(ConsoleSession.user_id == user_id, ConsoleSession.revoked_at.is_(None))
    if keep is not None:
        query = query.where(ConsoleSession.id != keep)
    if tenant_id is not None:
        query = query.where(ConsoleSession.tenant_id == tenant_id)
    for row in await session.scalars(query):
        row.revoked_at = now


# API clients -------------------------------------------------------------------------------


@cache
def _client_query() -> Select[ApiClient]:
    """Built once (every API call authenticates with it); ``client_id`` bound per call."""
    return select(ApiClient).where(ApiClient.client_id == bindparam("client_id")).execution_options(**ACROSS_TENANTS)


async def get_client_by_client_id(session: AsyncSession, client_id: str) -> ApiClient | None:
    return (await session.scalars(_client_query(), {"client_id": client_id})).first()


async def get_client(session: AsyncSession, client_pk: int) -> ApiClient | None:
    return await session.get(ApiClient, client_pk)


async def list_clients(session: AsyncSession, limit: int, before_id: int | None) -> list[ApiClient]:
    query = newest_first(select(ApiClient), ApiClient, limit, before_id)
    return list((await session.scalars(query)).all())


# audit -------------------------------------------------------------------------------------


def add_audit(session: AsyncSession, entry: AuditEntry) -> None:
    session.add(entry)


async def list_audit(
    session: AsyncSession, filters: AuditFilter, limit: int, before_id: int | None
) -> list[AuditEntry]:
    query = newest_first(select(AuditEntry), AuditEntry, limit, before_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.actor:
        query = query.where(AuditEntry.actor_name.icontains(filters.actor, autoescape=True))
    if filters.since:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until:
        query = query.where(AuditEntry.at < filters.until)
    return list((await session.scalars(query)).all())


def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)


async def active_staff_with_roles(session: AsyncSession) -> list[tuple[StaffMember, list[Role]]]:
    """Every active staff member of the brand (whose user is active too), with their roles."""
    query = (
        select(StaffMember, Role)
        .join(User, User.id == StaffMember.user_id)
        .join(StaffRole, StaffRole.staff_id == StaffMember.id)
        .join(Role, Role.id == StaffRole.role_id)
        .where(StaffMember.is_active.is_(True), User.is_active.is_(True))
        .order_by(StaffMember.id)
    )
    found: dict[int, tuple[StaffMember, list[Role]]] = {}
    for staff, role in (await session.execute(query)).all():
        found.setdefault(staff.id, (staff, []))[1].append(role)
    return list(found.values())


# notifications ----------------------------------------------------------------------------


async def notified_users(session: AsyncSession, kind: str, ref: str) -> set[int]:
    query = select(Notification.user_id).where(Notification.kind == kind, Notification.ref == ref)
    return set((await session.scalars(query)).all())


async def list_notifications(
    session: AsyncSession, user_id: int, unread_only: bool, limit: int, before_id: int | None
) -> list[Notification]:
    query = newest_first(select(Notification), Notification, limit, before_id).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list((await session.scalars(query)).all())


async def count_unread(session: AsyncSession, user_id: int) -> int:
    query = select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    return int((await session.scalar(query)) or 0)


async def mark_read(session: AsyncSession, user_id: int, ids: Sequence[int] | None, now: dt.datetime) -> int:
    """Mark the user's notifications read (``ids`` None: all of them); how many changed."""
    query = (
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    result = await session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)
