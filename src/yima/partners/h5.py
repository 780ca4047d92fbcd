"""The channel accounts' phone pages (/m/partner): sign in with a phone number and an SMS code,
see the roles the account acts in, go to the work those roles do (the logistics pages), sign out.

The brand gives its dealers and stores the login link with its slug (``/m/partner/login?brand=…``);
without it the page asks for the brand's code. The session is the ``yima_channel`` cookie
(HttpOnly, SameSite=Lax); the sign-out form carries the session's CSRF token. Signing in also
remembers the brand (``yima_brand``) for a year, so that when the session runs out the logistics
pages can send the person back to the right login; ``next`` (a phone page) is where signing in
leads.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from yima.identity.permissions import public
from yima.members.errors import SMS_ERROR_TEXTS
from yima.partners import rules, service
from yima.partners.api import throttle
from yima.partners.permissions import BRAND_COOKIE, CHANNEL_COOKIE
from yima.partners.schemas import ChannelLogin, ChannelLoginCode
from yima.platform import crypto
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, Forbidden
from yima.platform.web import h5

router = APIRouter(prefix="/m/partner", include_in_schema=False)
HOME = "/m/partner"
LOGIN = "/m/partner/login"
Field = Annotated[str, Form(max_length=100)]
NextField = Annotated[str, Form(alias="next", max_length=2000)]
BRAND_COOKIE_DAYS = 365
# What the phone says for the errors met here (others fall back to the message).
SAY = {
    **SMS_ERROR_TEXTS,
    "not_found": "品牌不存在，请使用品牌提供的登录链接",
    "not_a_channel_account": "此手机号尚未开通经销商或门店账号，请联系品牌业务员",
}


def _say(error: AppError) -> str:
    codes = [*(d.code for d in error.details), error.code]
    return next((SAY[c] for c in codes if c in SAY), error.message)


def _login_page(request: Request, status: int = 200, **values: Any) -> HTMLResponse:
    return h5.render(request, "partners/login.html", {"title": "经销商 / 门店登录", **values}, status_code=status)


@router.get("/login", response_class=HTMLResponse)
async def login_page(
    request: Request,
    brand: Annotated[str, Query(max_length=40)] = "",
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "",
) -> HTMLResponse:
    return _login_page(request, brand=brand, next=_next(next_path), ask_brand=not brand)


def _next(target: str) -> str:
    return h5.local_path(target, ("/m/",), HOME)


@router.post("/login/send", response_class=HTMLResponse)
async def send_code(
    request: Request, brand: Field, phone: Field, next_path: NextField = HOME, ctx: Ctx = public()
) -> HTMLResponse:
    """Step 1: the SMS code (only to a phone holding an active role)."""
    throttle(request, ctx)
    form: dict[str, Any] = {"brand": brand, "phone": phone, "next": _next(next_path)}
    try:
        outcome = await service.send_login_code(ctx, ChannelLoginCode(brand=brand, phone=phone))
    except ValidationError:
        return _login_page(request, 422, **form, ask_brand=True, error=SAY["invalid_phone"])
    except AppError as exc:
        return _login_page(request, exc.status, **form, ask_brand=True, error=_say(exc))
    if outcome.error:
        return _login_page(request, outcome.error.status, **form, error=_say(outcome.error))
    return _login_page(request, **form, sent=outcome.value)


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login(
    request: Request, brand: Field, phone: Field, code: Field, next_path: NextField = HOME, ctx: Ctx = public()
) -> Response:
    """Step 2: the code proves the phone; the session cookie, then ``next`` or the account's home."""
    throttle(request, ctx)
    target = _next(next_path)
    again: dict[str, Any] = {"brand": brand, "phone": phone, "sent": True, "next": target}
    try:
        data = ChannelLogin(brand=brand, phone=phone, code=code)
        outcome = await service.login(ctx, data, request.headers.get("user-agent"))
    except ValidationError:
        return _login_page(request, 422, **again, error=SAY["wrong_code"])
    except AppError as exc:
        return _login_page(request, exc.status, **again, error=_say(exc))
    if outcome.value is None:
        assert outcome.error is not None
        return _login_page(request, outcome.error.status, **again, error=_say(outcome.error))
    response = RedirectResponse(target, status_code=303)
    secure = request.app.state.settings.cookie_secure
    response.set_cookie(CHANNEL_COOKIE, outcome.value.token, max_age=rules.CHANNEL_SESSION_DAYS * 86400, path="/",
                        httponly=True, secure=secure, samesite="lax")  # fmt: skip
    response.set_cookie(BRAND_COOKIE, brand, max_age=BRAND_COOKIE_DAYS * 86400, path="/m/",
                        httponly=True, secure=secure, samesite="lax")  # fmt: skip
    return response


async def _signed_in(request: Request, ctx: Ctx) -> str | None:
    token = request.cookies.get(CHANNEL_COOKIE)
    return await service.sign_in_channel(ctx, token) if token else None


@router.get("", response_class=HTMLResponse, response_model=None)
async def home(request: Request, ctx: Ctx = public()) -> Response:
    """我的账号: the roles, and the work they open."""
    csrf = await _signed_in(request, ctx)
    if csrf is None:
        return RedirectResponse(LOGIN, status_code=303)
    assert ctx.tenant is not None
    me = await service.channel_me(ctx)
    values = {"title": "我的账号", "brand_name": ctx.tenant.name, "me": me, "csrf_token": csrf,
              "status_names": rules.ROLE_STATUS_NAMES}  # fmt: skip
    return h5.render(request, "partners/home.html", values)


@router.post("/logout", response_model=None)
async def logout(request: Request, csrf_token: Field, ctx: Ctx = public()) -> Response:
    csrf = await _signed_in(request, ctx)
    if csrf is not None:
        if not crypto.same(csrf_token, csrf):
            raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
        await service.logout(ctx, request.cookies.get(CHANNEL_COOKIE, ""))
    assert ctx.tenant is not None or csrf is None
    brand = f"?brand={ctx.tenant.slug}" if ctx.tenant else ""
    response = RedirectResponse(LOGIN + brand, status_code=303)
    response.delete_cookie(CHANNEL_COOKIE, path="/")
    return response


routers = [router]
