"""What the channel accounts' phone pages share: the session cookies, CSRF, where signing in
leads, and what the phone says for the errors met there (in Chinese)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from yima.members.errors import SMS_ERROR_TEXTS
from yima.partners import rules, service
from yima.partners.permissions import BRAND_COOKIE, CHANNEL_COOKIE
from yima.platform import crypto
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, Forbidden
from yima.platform.web import h5

HOME = "/m/partner"
LOGIN = "/m/partner/login"
REGISTER = "/m/partner/register"
Field = Annotated[str, Form(max_length=100)]
NextField = Annotated[str, Form(alias="next", max_length=2000)]
CsrfField = Annotated[str, Form(max_length=100)]
BRAND_COOKIE_DAYS = 365
# What the phone says for the errors met here (others fall back to the message).
SAY = {
    **SMS_ERROR_TEXTS,
    "not_found": "品牌不存在，请使用品牌提供的登录链接",
    "not_a_channel_account": "此手机号尚未开通经销商或门店账号，请联系品牌业务员",
    "consent_required": "请先阅读并同意隐私协议",
    "place_required": "请允许获取位置，或填写门店地址",
    "unknown_place": "未能识别您所在的区县，请填写更详细的地址",
    "unknown_dealer": "请选择服务本地区的经销商",
    "unknown_store": "未找到此门店（或门店未营业），请核对门店编码",
    "role_exists": "您已是该门店成员，或申请正在审核中",
    "missing": "请填写门店名称",
    "too_long": "填写的内容过长",
    "wrong_kind": "请选择加入身份",
    "bad_invite": "邀请码无效，请让经销商负责人重新出示",
    "invite_expired": "邀请码已过期，请让经销商负责人重新出示",
    "not_pending": "该申请已处理",
    "not_your_partner": "只能审核本经销商的员工",
}


def say(error: AppError) -> str:
    codes = [*(d.code for d in error.details), error.code]
    return next((SAY[c] for c in codes if c in SAY), error.message)


def next_page(target: str) -> str:
    """Where a flow leads afterwards: a phone page of this site, else the account's home."""
    return h5.local_path(target, ("/m/",), HOME)


def check_csrf(given: str, expected: str | None) -> None:
    if expected is None or not crypto.same(given, expected):
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")


def set_session(request: Request, response: Response, token: str, brand: str) -> None:
    """The channel session cookie (a month), and the brand this phone signs in to (a year)."""
    secure = request.app.state.settings.cookie_secure
    response.set_cookie(CHANNEL_COOKIE, token, max_age=rules.CHANNEL_SESSION_DAYS * 86400, path="/",
                        httponly=True, secure=secure, samesite="lax")  # fmt: skip
    response.set_cookie(BRAND_COOKIE, brand, max_age=BRAND_COOKIE_DAYS * 86400, path="/m/",
                        httponly=True, secure=secure, samesite="lax")  # fmt: skip


async def signed_in(request: Request, ctx: Ctx) -> str | None:
    """The CSRF token of the cookie's session when its person holds an active role."""
    return await service.channel_session(ctx, request.cookies.get(CHANNEL_COOKIE))


async def entered(request: Request, ctx: Ctx) -> str | None:
    """``signed_in``, also for a person whose roles all wait for review (or were refused)."""
    return await service.channel_session(ctx, request.cookies.get(CHANNEL_COOKIE), pending=True)
