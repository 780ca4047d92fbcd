"""渠道助手: a channel account's own pages on its phone, signed in by the channel session (the
``yima_channel`` cookie of /m/partner/login) — 我的奖励 / 我的返利 (credits with held, released
and forfeited totals, and open-case prizes), 我的扫码 (goods its store registered), 我的卡券
(coupons won) and 我的门店 (its dealer's stores and what they registered). Every figure shows
the reason it was given. Signed out, a page sends the person to the login and back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yima.identity.permissions import public
from yima.partners import service as partners
from yima.partners.permissions import BRAND_COOKIE, CHANNEL_COOKIE
from yima.platform import crypto
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, Forbidden
from yima.platform.web import h5
from yima.platform.web.params import Id
from yima.rebates import rules, service

router = APIRouter(prefix="/m/rebates", include_in_schema=False)
LOGIN = "/m/partner/login"
HOME = "/m/partner"


async def _page(
    request: Request,
    ctx: Ctx,
    template: str,
    title: str | Callable[[Ctx], str],
    read: Callable[[Ctx], Awaitable[Any]],
    **more: Any,
) -> Response:
    csrf = await partners.channel_session(ctx, request.cookies.get(CHANNEL_COOKIE))
    if csrf is None:
        return _to_login(request)
    assert ctx.tenant is not None
    values = {"title": title if isinstance(title, str) else title(ctx), "brand_name": ctx.tenant.name,
              "home": HOME, "found": await read(ctx), "ctx": ctx, "csrf_token": csrf, **more}  # fmt: skip
    return h5.render(request, f"rebates/{template}", values)


def _to_login(request: Request) -> Response:
    brand = request.cookies.get(BRAND_COOKIE, "")
    query = {"brand": brand, "next": request.url.path} if brand else {"next": request.url.path}
    return RedirectResponse(f"{LOGIN}?{urlencode(query)}", status_code=303)


@router.get("/mine", response_class=HTMLResponse, response_model=None)
async def mine(request: Request, ctx: Ctx = public()) -> Response:
    """我的奖励 (a store's or a guide's) / 我的返利 (a dealer's): the same credits, by state."""
    return await _page(request, ctx, "mine.html", _mine_title, service.my_rebates)


def _mine_title(ctx: Ctx) -> str:
    return "我的返利" if any(kind == "dealer" for kind, _ in ctx.actor.parties or ()) else "我的奖励"


@router.get("/scans", response_class=HTMLResponse, response_model=None)
async def scans(request: Request, ctx: Ctx = public()) -> Response:
    return await _page(request, ctx, "scans.html", "我的扫码", service.my_registrations)


@router.get("/coupons", response_class=HTMLResponse, response_model=None)
async def coupons(request: Request, ctx: Ctx = public()) -> Response:
    return await _page(request, ctx, "coupons.html", "我的卡券", service.my_coupon_book)


@router.post("/coupons/{coupon_id}/redeem", response_class=HTMLResponse, response_model=None)
async def redeem(request: Request, coupon_id: Id, csrf_token: Annotated[str, Form(max_length=100)],
                 ctx: Ctx = public()) -> Response:  # fmt: skip
    """核销: the dealer honours a store's coupon (货补券) and is paid its value."""
    csrf = await partners.channel_session(ctx, request.cookies.get(CHANNEL_COOKIE))
    if csrf is None:
        return _to_login(request)
    if not crypto.same(csrf_token, csrf):
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
    try:
        done = await service.redeem_coupon(ctx, coupon_id)
    except AppError as exc:
        return await _page(request, ctx, "coupons.html", "我的卡券", service.my_coupon_book, error=exc.message)
    notice = f"已核销：{done.product_name} × {done.quantity}，¥{rules.yuan(done.value_fen)} 已入账"
    return await _page(request, ctx, "coupons.html", "我的卡券", service.my_coupon_book, notice=notice)


@router.get("/stores", response_class=HTMLResponse, response_model=None)
async def stores(request: Request, ctx: Ctx = public()) -> Response:
    return await _page(request, ctx, "stores.html", "我的门店", service.my_stores)
