"""Console pages: the ``@console_page`` decorator and the ``ConsolePage`` a page body receives.

A context's ``console.py`` writes::

    @console_page("/identity/staff", label=Text("员工", "Staff"), area=nav.SETTINGS,
                  icon="badge", permission=STAFF_READ.name)
    async def staff(page: ConsolePage) -> None:
        ...
        if await page.run(lambda ctx: service.update_staff(ctx, staff_id, data), done=page.t("已保存", "Saved")):
            ...

The shell authenticates, checks the permission, draws the frame and calls the body; ``page.run``
opens a transaction, calls the service and turns its errors into a notification.
"""

from __future__ import annotations

import html
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Generic, TypeVar, cast
from urllib.parse import urlencode

from nicegui import ui
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from yima.platform.console.auth import ConsoleUser, SessionExpired
from yima.platform.console.i18n import Locale, Text, error_text
from yima.platform.console.nav import Area, NavEntry
from yima.platform.ctx import Actor, Ctx, TenantInfo
from yima.platform.errors import AppError, Conflict, FieldError
from yima.platform.logging import request_id_var

T = TypeVar("T")
_QUOTED = re.compile(r"'([^']{1,80})'")
log = logging.getLogger("yima.console")

Body = Callable[["ConsolePage"], Awaitable[None]]


@dataclass(frozen=True)
class PageSpec:
    nav: NavEntry
    body: Body
    in_nav: bool


_pages: dict[str, PageSpec] = {}


def console_page(
    path: str,
    *,
    label: Text,
    permission: str | None,
    area: Area | None = None,
    icon: str = "article",
    order: int = 100,
    in_nav: bool = True,
) -> Callable[[Body], Body]:
    """Register a page at ``/console{path}``, shown in ``area`` of the drawer to those holding
    ``permission`` (None: everyone signed in). Takes effect when the console is mounted."""
    if not path.startswith("/"):
        raise ValueError(f"console page path {path!r} must start with '/'")

    def register(body: Body) -> Body:
        existing = _pages.get(path)
        if existing is not None and existing.body is not body:
            raise ValueError(f"console page {path!r} registered twice")
        _pages[path] = PageSpec(NavEntry(path, label, icon, permission, area, order), body, in_nav)
        return body

    return register


def registered_pages() -> list[PageSpec]:
    return list(_pages.values())


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What ``page.run`` gives back: truthy when the action succeeded (a failure was already
    shown to the person)."""

    ok: bool
    _value: T | None = None

    @property
    def value(self) -> T:
        if not self.ok:
            raise RuntimeError("the action failed; it has no value")
        return cast(T, self._value)

    def __bool__(self) -> bool:
        return self.ok


class ConsolePage:
    """What a page body gets: who is looking, in which language, and transactions for actions."""

    def __init__(
        self, user: ConsoleUser, spec: PageSpec, *, base: str, login_path: str, query: Mapping[str, str]
    ) -> None:
        self.user = user
        self.spec = spec
        self.base = base  # where the console is mounted, e.g. "/console"
        self.login_path = login_path
        self.query = query
        self.content: ui.column | None = None  # the content area; dialogs are created in it

    @property
    def locale(self) -> Locale:
        return self.user.locale

    @property
    def actor(self) -> Actor:
        return self.user.actor

    @property
    def tenant(self) -> TenantInfo:
        return self.user.tenant

    def t(self, zh: str, en: str) -> str:
        return en if self.locale == "en" else zh

    def text(self, text: Text) -> str:
        return text.get(self.locale)

    def can(self, permission: str) -> bool:
        return self.actor.can(permission)

    def url(self, path: str) -> str:
        """The browser URL of a console path (``/identity/staff`` → ``/console/identity/staff``)."""
        return self.base + ("" if path == "/" else path)

    def ctx(self) -> AbstractAsyncContextManager[Ctx]:
        """A transaction of its own (committed at the end of the block, rolled back on error)."""
        return self.user.transaction(uuid.uuid4().hex)

    async def run(
        self,
        action: Callable[[Ctx], Awaitable[T]],
        *,
        done: str | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> Outcome[T]:
        """Call a service in its own transaction. Errors are shown (each detail, with the form's
        label for ``field`` from ``fields``), never raised; ``done`` is shown on success."""
        request_id = uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            async with self.user.transaction(request_id) as ctx:
                value = await action(ctx)
        except SessionExpired:
            self.session_expired()
            return Outcome(False)
        except (AppError, ValidationError) as exc:
            self.show_error(exc, fields)
            return Outcome(False)
        except IntegrityError as exc:
            log.info("integrity error in a console action: %s", exc)
            self.show_error(Conflict("the change conflicts with existing data"), fields)
            return Outcome(False)
        except Exception:
            log.exception("console action failed")
            ui.notify(
                self.t(
                    f"系统错误，请稍后重试（请求编号 {request_id}）",
                    f"Internal error; please try again (request id {request_id})",
                ),
                type="negative",
                multi_line=True,
            )
            return Outcome(False)
        finally:
            request_id_var.reset(token)
        if done:
            ui.notify(done, type="positive")
        return Outcome(True, value)

    def show_error(self, exc: AppError | ValidationError, fields: Mapping[str, str] | None = None) -> None:
        """A notification naming the problem and listing every detail."""
        title, details = self._describe(exc, fields or {})
        lines = "".join(f"<li>{html.escape(d)}</li>" for d in details)
        body = f"<b>{html.escape(title)}</b>" + (
            f"<ul style='margin:4px 0 0 1.2em;list-style:disc'>{lines}</ul>" if lines else ""
        )
        ui.notify(body, type="negative", html=True, multi_line=True, timeout=8000, close_button="OK")

    def session_expired(self) -> None:
        ui.notify(self.t("登录已失效，请重新登录", "Your session has ended; please sign in again"), type="warning")
        ui.navigate.to(f"{self.login_path}?{urlencode({'next': self.url(self.spec.nav.path)})}")

    def _describe(self, exc: AppError | ValidationError, fields: Mapping[str, str]) -> tuple[str, list[str]]:
        if isinstance(exc, ValidationError):
            problems = [FieldError(".".join(str(p) for p in e["loc"]), e["msg"], e["type"]) for e in exc.errors()]
            return error_text("validation_failed", "Some input is not valid", self.locale), [
                self._detail(p, fields, generic=True) for p in problems
            ]
        title = error_text(exc.code, exc.message, self.locale)
        if title != exc.message and self.locale == "zh" and not exc.details:
            title = f"{title}（{exc.message}）"
        return title, [self._detail(d, fields, generic=False) for d in exc.details]

    def _detail(self, problem: FieldError, fields: Mapping[str, str], *, generic: bool) -> str:
        head, _, rest = problem.field.partition(".")
        where = fields.get(head, problem.field)
        if head in fields and rest.isdigit():  # the n-th item of a list field
            where = f"{where} #{int(rest) + 1}"
        text = error_text(problem.code, problem.message, self.locale, generic=generic)
        # A translated detail keeps the specific value the service quoted ("no role 'xyz'").
        quoted = _QUOTED.search(problem.message)
        if text != problem.message and quoted and not generic:  # translated: Chinese
            text = f"{text}：{quoted.group(1)}"
        return f"{where}: {text}" if where else text


def menu_entries() -> Sequence[NavEntry]:
    return [spec.nav for spec in _pages.values() if spec.in_nav]
