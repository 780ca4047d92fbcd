"""The console's sign-in and sign-out: plain HTML forms (no JavaScript needed), served under
/console by the shell. The session cookie is HttpOnly; the login form carries a double-submit
CSRF token; ``next`` may only point inside the console (no open redirect)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from yima.identity import service
from yima.identity.errors import AccountLocked
from yima.identity.permissions import SESSION_COOKIE, public
from yima.platform import crypto
from yima.platform.console import MOUNT_PATH, Locale, Text
from yima.platform.console.i18n import LANGUAGE_NAMES, as_locale
from yima.platform.console.shell import FAVICON
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, RateLimited
from yima.platform.web import h5
from yima.platform.web.templates import templates
from yima.settings import Settings

router = APIRouter(include_in_schema=False)
HOME = f"{MOUNT_PATH}/"
LOGIN_PATH = f"{MOUNT_PATH}/login"
CSRF_COOKIE = "yima_login_csrf"
_CSRF_MAX_AGE = 3600

# The page has no script and its own inline style; it posts only to itself and is never framed.
LOGIN_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}

TEXTS = {
    "title": Text("登录", "Sign in"),
    "subtitle": Text("品牌总部管理后台", "Brand HQ console"),
    "login": Text("登录名", "Login"),
    "password": Text("密码", "Password"),
    "submit": Text("登录", "Sign in"),
    "footer": Text("一物一码 · 渠道数字化", "One code per item · channel digitalisation"),
}
ERRORS = {
    "invalid_credentials": Text("登录名或密码错误", "Wrong login or password"),
    "account_locked": Text(
        "登录失败次数过多，账户已临时锁定，请稍后再试",
        "Too many failed attempts; the account is locked for a while. Try again later.",
    ),
    "csrf_failed": Text("页面已过期，请重新输入后登录", "The page expired; please sign in again"),
    "rate_limited": Text("尝试次数太多，请一分钟后再试", "Too many attempts; wait a minute and try again"),
}


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path inside the console or the phone pages (/m/), else
    the console's home."""
    if target == MOUNT_PATH:
        return target
    path = h5.local_path(target, (MOUNT_PATH + "/", "/m/"), HOME)
    if urlsplit(path).path.startswith(LOGIN_PATH):
        return HOME
    return path


@router.get("/login")
async def login_page(
    request: Request,
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "",
    lang: Annotated[str, Query(max_length=10)] = "",
    ctx: Ctx = public(),
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token and await service.resolve_console_session(ctx.session, token) is not None:
        return RedirectResponse(safe_next(next_path), status_code=303)
    response = _form(request, as_locale(lang), next_path)
    if token:  # a stale or revoked session: forget it
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/login")
async def sign_in(
    request: Request,
    login: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "",
    lang: Annotated[str, Form(max_length=10)] = "",
    ctx: Ctx = public(),
) -> Response:
    locale = as_locale(lang)
    try:
        request.app.state.limiters["login"].hit(ctx.ip or "?")
    except RateLimited as exc:
        return _form(request, locale, next_path, login=login, error=exc, status=429)
    if not csrf_token or not crypto.same(request.cookies.get(CSRF_COOKIE, ""), csrf_token):
        csrf_failed = AppError("csrf", code="csrf_failed")
        return _form(request, locale, next_path, login=login, error=csrf_failed, status=403)
    # Failures are returned, not raised, so ``public()`` still commits the failure count.
    outcome = await service.attempt_login(ctx, login, password, request.headers.get("user-agent"))
    if outcome.error is not None or outcome.token is None or outcome.session is None:
        error = outcome.error or AppError("login failed", code="invalid_credentials")
        return _form(
            request,
            locale,
            next_path,
            login=login,
            error=error,
            status=423 if isinstance(error, AccountLocked) else 401,
        )
    await service.set_locale(ctx, outcome.session, locale)
    settings: Settings = request.app.state.settings
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        outcome.token,
        max_age=settings.session_hours * 3600,
        path="/",
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )
    response.delete_cookie(CSRF_COOKIE, path=LOGIN_PATH)
    return response


@router.post("/logout")
async def sign_out(
    request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "", ctx: Ctx = public()
) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    staff = await service.resolve_console_session(ctx.session, token) if token else None
    if staff is not None:
        if not crypto.same(csrf_token, staff.console_session.csrf_token):
            return PlainTextResponse("missing or wrong CSRF token", status_code=403)
        await service.logout(ctx.session, token or "")
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _form(
    request: Request,
    locale: Locale,
    next_path: str,
    *,
    login: str = "",
    error: AppError | None = None,
    status: int = 200,
) -> Response:
    settings: Settings = request.app.state.settings
    # Reuse the browser's token so two open login tabs both work.
    csrf = request.cookies.get(CSRF_COOKIE, "")
    if not 20 <= len(csrf) <= 64:
        csrf = crypto.new_secret(24)
    other: Locale = "en" if locale == "zh" else "zh"
    switch_query = urlencode({"lang": other, **({"next": next_path} if next_path else {})})
    message = None
    if error is not None:
        known = ERRORS.get(error.code)
        message = known.get(locale) if known else error.message
    response = templates.TemplateResponse(
        request,
        "identity/console_login.html",
        {
            "t": {key: text.get(locale) for key, text in TEXTS.items()},
            "html_lang": "en" if locale == "en" else "zh-CN",
            "action": LOGIN_PATH,
            "csrf_token": csrf,
            "next": next_path,
            "lang": locale,
            "login": login,
            "error": message,
            "switch_url": f"{LOGIN_PATH}?{switch_query}",
            "switch_label": LANGUAGE_NAMES[other],
            "favicon": "data:image/svg+xml," + quote(FAVICON),
        },
        status_code=status,
        headers=LOGIN_PAGE_HEADERS,
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=_CSRF_MAX_AGE,
        path=LOGIN_PATH,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
    )
    return response
