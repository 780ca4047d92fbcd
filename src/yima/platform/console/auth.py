"""What the console shell needs from whoever signs people in (identity provides it).

The shell knows nothing of users, roles or brands as business objects: it asks a ``ConsoleAuth``
for the person behind a request and talks to the ``ConsoleUser`` it gets back.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from fastapi import APIRouter, FastAPI, Request

from yima.platform.console.i18n import Locale
from yima.platform.ctx import Actor, Ctx, TenantInfo
from yima.platform.errors import Unauthorized


class SessionExpired(Unauthorized):
    """The console session behind a page ended (logout, expiry, revocation) after the page was
    built; the shell sends the person back to the login page."""

    code = "session_expired"


class ConsoleUser(Protocol):
    """A signed-in person as one page load sees them. Built when the page is built; every action
    re-checks the session (it may have been revoked meanwhile) in ``transaction``."""

    @property
    def display_name(self) -> str: ...

    @property
    def locale(self) -> Locale: ...

    @property
    def tenant(self) -> TenantInfo: ...

    @property
    def tenants(self) -> Sequence[TenantInfo]:
        """The brands this person may switch to (the current one included)."""
        ...

    @property
    def actor(self) -> Actor: ...

    @property
    def unread_notifications(self) -> int:
        """Unread messages in the person's inbox when the page was built (the header's bell)."""
        ...

    def transaction(self, request_id: str) -> AbstractAsyncContextManager[Ctx]:
        """A Ctx in its own database transaction, for the page's tenant: committed when the block
        ends, rolled back when it raises. Raises ``SessionExpired`` if the session is gone."""
        ...

    async def switch_tenant(self, tenant_id: int) -> None: ...

    async def set_locale(self, locale: Locale) -> None: ...

    async def logout(self) -> None: ...


class ConsoleAuth(Protocol):
    @property
    def login_path(self) -> str:
        """The login page, relative to the console (``/login``)."""
        ...

    @property
    def router(self) -> APIRouter:
        """Plain HTTP routes (login, logout) served under the console's path."""
        ...

    async def current_user(self, app: FastAPI, request: Request) -> ConsoleUser | None:
        """The person behind ``request`` (a page request of the console), or None. ``app`` is the
        application the console is mounted in (its ``state`` holds the database)."""
        ...
