"""Identity's side of the console shell: who is signed in (the ``yima_session`` cookie), and a
transaction per page action that re-checks the session (it may have been revoked meanwhile)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession

from yima.identity import service
from yima.identity.permissions import CONSOLE_SESSION_ID, SESSION_COOKIE
from yima.platform.console import Locale, SessionExpired
from yima.platform.console.i18n import as_locale
from yima.platform.ctx import Actor, Ctx, TenantInfo
from yima.platform.db.session import Database
from yima.platform.errors import Conflict


def _staff_ctx(session: AsyncSession, staff: service.StaffSession, ip: str | None) -> Ctx:
    return Ctx(session=session, tenant=staff.tenant, actor=staff.actor, request_id=uuid.uuid4().hex, ip=ip)


@dataclass(frozen=True)
class StaffUser:
    """A staff member as one console page load sees them (``platform.console.ConsoleUser``)."""

    db: Database
    token: str
    ip: str | None
    display_name: str
    locale: Locale
    tenant: TenantInfo
    tenants: Sequence[TenantInfo]
    actor: Actor
    unread_notifications: int

    @asynccontextmanager
    async def transaction(self, request_id: str) -> AsyncIterator[Ctx]:
        async with self._session() as (session, staff):
            if staff.tenant.id != self.tenant.id:
                # Switched in another tab: acting here would land in the other brand.
                raise Conflict("the brand was switched in another window; reload the page", code="brand_switched")
            ctx = Ctx(
                session=session,
                tenant=staff.tenant,
                actor=staff.actor,
                request_id=request_id,
                ip=self.ip,
                locale=staff.console_session.locale,
                extra={CONSOLE_SESSION_ID: staff.console_session.id},
            )
            yield ctx
            await session.commit()

    async def switch_tenant(self, tenant_id: int) -> None:
        async with self._session() as (session, staff):
            await service.switch_tenant(self._ctx(session, staff), staff.console_session, tenant_id)
            await session.commit()

    async def set_locale(self, locale: Locale) -> None:
        async with self._session() as (session, staff):
            await service.set_locale(self._ctx(session, staff), staff.console_session, locale)
            await session.commit()

    async def logout(self) -> None:
        async with self.db.session() as session:
            await service.logout(session, self.token)
            await session.commit()

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[tuple[AsyncSession, service.StaffSession]]:
        async with self.db.session() as session:
            staff = await service.resolve_console_session(session, self.token)
            if staff is None:
                raise SessionExpired("the console session has ended")
            yield session, staff

    def _ctx(self, session: AsyncSession, staff: service.StaffSession) -> Ctx:
        return _staff_ctx(session, staff, self.ip)


class StaffAuth:
    """``platform.console.ConsoleAuth`` on identity's console sessions."""

    login_path = "/login"

    def __init__(self, router: APIRouter) -> None:
        self.router = router

    async def current_user(self, app: FastAPI, request: Request) -> StaffUser | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        db: Database = app.state.db
        async with db.session() as session:
            staff = await service.resolve_console_session(session, token)
            if staff is None:
                return None
            tenants = await service.list_tenants_of_user(session, staff.user.id)
            unread = await service.unread_notifications(_staff_ctx(session, staff, None))
        return StaffUser(
            db=db,
            token=token,
            ip=request.client.host if request.client else None,
            display_name=staff.user.display_name or staff.user.login,
            locale=as_locale(staff.console_session.locale),
            tenant=staff.tenant,
            tenants=[TenantInfo(id=t.id, slug=t.slug, name=t.name, time_zone=t.time_zone) for t in tenants],
            actor=staff.actor,
            unread_notifications=unread,
        )
