"""The channel accounts' phone pages (/m/partner): sign in with a phone number and an SMS code,
see the roles the account holds (those waiting for review too), go to the work they open (the
logistics pages, inviting staff), sign out.

The brand gives its dealers and stores the login link with its slug (``/m/partner/login?brand=…``);
without it the page asks for the brand's code. The session is the ``yima_channel`` cookie
(HttpOnly, SameSite=Lax); the sign-out form carries the session's CSRF token. Signing in also
remembers the brand (``yima_brand``) for a year, so that when the session runs out the logistics
pages can send the person back to the right login; ``next`` (a phone page) is where signing in
leads.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from yima.identity.permissions import public
from yima.partners import rules, service
from yima.partners.api import throttle
from yima.partners.h5.common import (
    HOME,
    LOGIN,
    SAY,
    Field,
    NextField,
    check_csrf,
    entered,
    next_page,
    say,
    set_session,
)
from yima.partners.permissions import CHANNEL_COOKIE
from yima.partners.schemas import ChannelLogin, ChannelLoginCode
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError
from yima.platform.web import h5

router = APIRouter(prefix=HOME, include_in_schema=False)


def _login_page(request: Request, status: int = 200, **values: Any) -> HTMLResponse:
    return h5.render(request, "partners/login.html", {"title": "经销商 / 门店登录", **values}, status_code=status)


@router.get("/login", response_class=HTMLResponse)
async def login_page(
    request: Request,
    brand: Annotated[str, Query(max_length=40)] = "",
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "",
) -> HTMLResponse:
    return _login_page(request, brand=brand, next=next_page(next_path), ask_brand=not brand)


@router.post("/login/send", response_class=HTMLResponse)
async def send_code(
    request: Request, brand: Field, phone: Field, next_path: NextField = HOME, ctx: Ctx = public()
) -> HTMLResponse:
    """Step 1: the SMS code (only to a phone holding an active role)."""
    throttle(request, ctx)
    form: dict[str, Any] = {"brand": brand, "phone": phone, "next": next_page(next_path)}
    try:
        outcome = await service.send_login_code(ctx, ChannelLoginCode(brand=brand, phone=phone))
    except ValidationError:
        return _login_page(request, 422, **form, ask_brand=True, error=SAY["invalid_phone"])
    except AppError as exc:
        return _login_page(request, exc.status, **form, ask_brand=True, error=say(exc))
    if outcome.error:
        return _login_page(request, outcome.error.status, **form, error=say(outcome.error))
    return _login_page(request, **form, sent=outcome.value)


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login(
    request: Request, brand: Field, phone: Field, code: Field, next_path: NextField = HOME, ctx: Ctx = public()
) -> Response:
    """Step 2: the code proves the phone; the session cookie, then ``next`` or the account's home."""
    throttle(request, ctx)
    target = next_page(next_path)
    again: dict[str, Any] = {"brand": brand, "phone": phone, "sent": True, "next": target}
    try:
        data = ChannelLogin(brand=brand, phone=phone, code=code)
        outcome = await service.login(ctx, data, request.headers.get("user-agent"))
    except ValidationError:
        return _login_page(request, 422, **again, error=SAY["wrong_code"])
    except AppError as exc:
        return _login_page(request, exc.status, **again, error=say(exc))
    if outcome.value is None:
        assert outcome.error is not None
        return _login_page(request, outcome.error.status, **again, error=say(outcome.error))
    response = RedirectResponse(target, status_code=303)
    set_session(request, response, outcome.value.token, brand)
    return response


@router.get("", response_class=HTMLResponse, response_model=None)
async def home(request: Request, ctx: Ctx = public()) -> Response:
    """我的账号: the roles (those waiting for review too), and the work the active ones open
    (logistics only for those whose roles move goods: a dealer's or a store's people)."""
    csrf = await entered(request, ctx)
    if csrf is None:
        return RedirectResponse(LOGIN, status_code=303)
    assert ctx.tenant is not None
    roles = await service.my_roles(ctx)
    values = {"title": "我的账号", "brand_name": ctx.tenant.name, "roles": roles, "csrf_token": csrf,
              "status_names": rules.ROLE_STATUS_NAMES, "logistics": ctx.actor.can(rules.LOGISTICS)}  # fmt: skip
    return h5.render(request, "partners/home.html", values)


@router.post("/logout", response_model=None)
async def logout(request: Request, csrf_token: Field, ctx: Ctx = public()) -> Response:
    csrf = await entered(request, ctx)
    if csrf is not None:  # a person whose roles all wait for review signs out too
        check_csrf(csrf_token, csrf)
        await service.logout(ctx, request.cookies.get(CHANNEL_COOKIE, ""))
    assert ctx.tenant is not None or csrf is None
    brand = f"?brand={ctx.tenant.slug}" if ctx.tenant else ""
    response = RedirectResponse(LOGIN + brand, status_code=303)
    response.delete_cookie(CHANNEL_COOKIE, path="/")
    return response
