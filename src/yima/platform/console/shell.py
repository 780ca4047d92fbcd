"""Mount the console (NiceGUI) into the application at /console.

NiceGUI is a process-wide singleton, so ``mount`` runs once per process (``yima serve``). Pages are
collected by ``@console_page`` at import and turned into NiceGUI routes here.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from nicegui import app as nicegui_app
from nicegui import ui
from nicegui.storage import Storage
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yima.platform import crypto
from yima.platform.console.auth import ConsoleAuth, SessionExpired
from yima.platform.console.frame import no_permission, render_frame
from yima.platform.console.i18n import QUASAR_LANGUAGES, Locale
from yima.platform.console.nav import MOUNT_PATH
from yima.platform.console.page import ConsolePage, PageSpec, menu_entries, registered_pages
from yima.platform.errors import AppError

TITLE = "yima 一码"
# A QR-code-like mark: three finder squares on the brand red.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" '
    'fill="#c8102e"/><g fill="none" stroke="#fff" stroke-width="2.5"><rect x="5" y="5" width="9" height="9"/>'
    '<rect x="18" y="5" width="9" height="9"/><rect x="5" y="18" width="9" height="9"/></g>'
    '<rect x="19.5" y="19.5" width="6" height="6" fill="#fff"/></svg>'
)
_mounted = False


class ConsoleSettings(Protocol):
    @property
    def cookie_secure(self) -> bool: ...

    @property
    def data_dir(self) -> Path: ...

    def resolved_secret_key(self) -> str: ...


def mount(app: FastAPI, settings: ConsoleSettings, auth: ConsoleAuth) -> None:
    global _mounted
    if _mounted:
        raise RuntimeError("the console (NiceGUI) is process-wide: mount it into one app per process")
    _mounted = True
    # Plain HTTP routes (login) go on the app itself, ahead of the mount that would shadow them.
    app.include_router(auth.router, prefix=MOUNT_PATH, include_in_schema=False)
    for spec in registered_pages():
        ui.page(spec.nav.path, response_timeout=15)(_view(spec, auth, app))
    ui.button.default_props("no-caps")  # Chinese has no case; English reads better without shouting
    nicegui_app.add_middleware(SecurityHeaders)
    # NiceGUI keeps per-user storage files; keep them in the data directory, not the cwd.
    Storage.path = (settings.data_dir / "console-storage").resolve()
    ui.run_with(
        app,
        mount_path=MOUNT_PATH,
        # Its own key, derived from the master secret (one secret, one purpose).
        storage_secret=crypto.derive(settings.resolved_secret_key().encode(), b"yima/console-storage").hex(),
        session_middleware_kwargs={
            "session_cookie": "yima_console_ui",
            "same_site": "lax",
            "https_only": settings.cookie_secure,
            "path": MOUNT_PATH,
        },
        title=TITLE,
        language="zh-CN",
        favicon=FAVICON,
        show_welcome_message=False,
    )


def _view(spec: PageSpec, auth: ConsoleAuth, app: FastAPI) -> Callable[[Request], Awaitable[Response | None]]:
    async def view(request: Request) -> Response | None:
        base = request.scope.get("root_path") or MOUNT_PATH
        user = await auth.current_user(app, request)
        if user is None:
            return _to_login(request, base, auth.login_path)
        _use_language(user.locale)
        page = ConsolePage(user, spec, base=base, login_path=auth.login_path, query=dict(request.query_params))
        ui.page_title(f"{page.text(spec.nav.label)} · {TITLE}")
        with render_frame(page, menu_entries()):
            if not spec.nav.visible_to(user.actor):
                ui.status_code(403)
                no_permission(page)
                return None
            try:
                await spec.body(page)
            except SessionExpired:
                return _to_login(request, base, auth.login_path)
            except (AppError, ValidationError) as exc:
                page.show_error(exc)
        return None

    return view


def _to_login(request: Request, base: str, login_path: str) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{base}{login_path}?{urlencode({'next': target})}", status_code=303)


def _use_language(locale: Locale) -> None:
    # NiceGUI fixes Quasar's language per route; give this client its own copy of the page
    # object with the session's language (html lang, Quasar's built-in labels).
    client = ui.context.client
    localized = copy.copy(client.page)
    localized.language = QUASAR_LANGUAGES[locale]
    client.page = localized


class SecurityHeaders:
    """Console pages are never framed (clickjacking) nor sniffed; pure ASGI, so it adds no task."""

    HEADERS = (
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)
