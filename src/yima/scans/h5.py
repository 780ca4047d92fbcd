"""The consumer's phone pages: the public code page at every printed URL (/c/{token}, /C/{token},
GS1 Digital Link /01/{gtin}/21/{serial}) with its draw button, the draw's result, and 我的奖励 —
claiming with a phone number and SMS code, the wallet, the withdrawal, the address a physical
gift is sent to. Forms post back to the same origin; the visitor is the ``yima_visitor`` cookie
(HttpOnly, SameSite=Lax)."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from yima.campaigns.service.gifts import GiftAddress
from yima.codes import service as codes
from yima.identity import service as identity
from yima.identity.permissions import public
from yima.members import service as members
from yima.members.errors import SMS_ERROR_TEXTS, InvalidVisitor, VisitorRequired
from yima.members.permissions import VISITOR_COOKIE, throttle_codes
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, NotFound, RateLimited
from yima.platform.web import h5
from yima.platform.web.params import Id
from yima.scans import service
from yima.scans.api.consumer import set_visitor_cookie
from yima.scans.schemas import WithdrawalCreate

router = APIRouter(include_in_schema=False)
STORE_FACES = {("case", "INNER"), ("bottle", "OUTER")}
WALLET = "/m/me"
VERIFY = "/m/verify"  # + a brand's slug: its query page for typed codes
Field = Annotated[str, Form(max_length=500)]


def _throttle(request: Request, ctx: Ctx) -> None:
    request.app.state.limiters["scan"].hit(ctx.ip or "?")


async def _page(request: Request, ctx: Ctx, text: str) -> Response:
    _throttle(request, ctx)
    try:
        page = await service.open_code(ctx, text, request.headers.get("user-agent"))
    except service.NotOurCode:
        return h5.render(request, "scans/unknown.html", {"title": "查询结果"}, status_code=404)
    # A store's goods lead to the store scan (门店扫码): a case's inner code at once, a bottle's outer by a link.
    face = (await codes.locate(ctx, text)).face
    store = face is not None and (page.level, face.name) in STORE_FACES
    store_scan = f"/m/store-scan?{urlencode({'code': text})}" if store else None
    if store_scan and page.level == "case":
        return RedirectResponse(store_scan, status_code=303)
    return h5.render(
        request, "scans/code.html",
        {"page": page, "brand_name": page.brand_name, "title": page.brand_name, "store_scan": store_scan},
    )  # fmt: skip


@router.get("/c/{token}", response_class=HTMLResponse, response_model=None)
@router.get("/C/{token}", response_class=HTMLResponse, response_model=None)
async def code_page(token: str, request: Request, ctx: Ctx = public()) -> Response:
    return await _page(request, ctx, token)


@router.get("/01/{rest:path}", response_class=HTMLResponse, response_model=None)
async def digital_link_page(rest: str, request: Request, ctx: Ctx = public()) -> Response:
    # The whole URL: a Digital Link is parsed (and checked) as the URI it is.
    return await _page(request, ctx, str(request.url.replace(query="", fragment="")))


def _verify_form(request: Request, slug: str, brand: str, code: str = "", status_code: int = 200) -> Response:
    return h5.render(
        request, "scans/verify.html",
        {"title": f"{brand} 防伪查询", "brand_name": brand, "slug": slug, "code": code,
         "not_found": status_code == 404},
        status_code=status_code,
    )  # fmt: skip


@router.get(f"{VERIFY}/{{slug}}", response_class=HTMLResponse, response_model=None)
async def verify_form(slug: str, request: Request, ctx: Ctx = public()) -> Response:
    """The brand's query page (防伪查询): a consumer types the 防伪码 printed beside the QR code."""
    try:
        brand = await identity.get_tenant_by_slug(ctx.session, slug)
    except NotFound:
        return h5.render(request, "scans/unknown.html", {"title": "防伪查询"}, status_code=404)
    return _verify_form(request, slug, brand.name)


@router.post(f"{VERIFY}/{{slug}}", response_class=HTMLResponse, response_model=None)
async def verify_typed(slug: str, request: Request, code: Field = "", ctx: Ctx = public()) -> Response:
    _throttle(request, ctx)
    try:
        brand = await identity.get_tenant_by_slug(ctx.session, slug)
    except NotFound:
        return h5.render(request, "scans/unknown.html", {"title": "防伪查询"}, status_code=404)
    if not code.strip():
        return _verify_form(request, slug, brand.name, status_code=422)
    try:
        page = await service.verify_typed(ctx, slug, code, request.headers.get("user-agent"))
    except service.NotOurCode:
        return _verify_form(request, slug, brand.name, code, status_code=404)
    shown = {"page": page, "brand_name": page.brand_name, "title": page.brand_name}
    return h5.render(request, "scans/code.html", shown)


@router.post("/m/draw", response_class=HTMLResponse)
async def draw(
    request: Request, code: Field, scan: Annotated[int, Form(ge=1, le=2**62)], proof: Field, ctx: Ctx = public()
) -> HTMLResponse:
    """立即抽奖: the draw of the scan the code page recorded (a second press shows the result); a
    refusal is a page that says it (a stale or altered form, too many presses)."""
    try:
        _throttle(request, ctx)
        result, visit = await service.draw_scan(ctx, code, scan, proof, request.cookies.get(VISITOR_COOKIE))
    except AppError as exc:
        context = {"heading": "暂时无法抽奖", "message": _say(exc), "title": "抽奖结果"}
        return h5.render(request, "scans/notice.html", context, status_code=exc.status)
    profile = await members.member_profile(ctx, visit.person_id)
    assert ctx.tenant is not None
    response = h5.render(
        request,
        "scans/draw.html",
        {"result": result, "verified": profile.verified, "brand_name": ctx.tenant.name, "title": "抽奖结果"},
    )
    set_visitor_cookie(request, response, visit.issued_token)
    return response


async def _visitor(request: Request, ctx: Ctx) -> str | None:
    """The visitor of the cookie, ``ctx`` bound to its brand; None without a valid one."""
    _throttle(request, ctx)
    try:
        return await members.enter_as_visitor(ctx, request.cookies.get(VISITOR_COOKIE))
    except (VisitorRequired, InvalidVisitor):
        return None


async def _wallet_page(request: Request, ctx: Ctx, visitor_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    mine = await service.my_wallet(ctx, visitor_id)
    assert ctx.tenant is not None
    values = {"mine": mine, "brand_name": ctx.tenant.name, "title": "我的奖励", "key": secrets.token_urlsafe(12)}
    return h5.render(request, "scans/wallet.html", values | extra, status_code=status)


def _no_visitor(request: Request) -> HTMLResponse:
    return h5.render(request, "scans/no_visitor.html", {"title": "我的奖励"})


@router.get(WALLET, response_class=HTMLResponse)
async def wallet_page(request: Request, ctx: Ctx = public()) -> HTMLResponse:
    """我的奖励: balance, awards, withdrawals; the claim form until a phone is verified."""
    visitor_id = await _visitor(request, ctx)
    return await _wallet_page(request, ctx, visitor_id) if visitor_id else _no_visitor(request)


@router.post(f"{WALLET}/claim/send", response_class=HTMLResponse)
async def claim_send(request: Request, phone: Field = "", ctx: Ctx = public()) -> HTMLResponse:
    """领取 step 1: send a one-time code to the phone (left empty: the page says what is missing)."""
    visitor_id = await _visitor(request, ctx)
    if visitor_id is None:
        return _no_visitor(request)
    try:
        throttle_codes(request, ctx.ip)
    except RateLimited as exc:
        return await _wallet_page(request, ctx, visitor_id, exc.status, phone=phone, error=_say(exc))
    outcome = await members.send_code(ctx, phone)
    if outcome.error:
        return await _wallet_page(
            request, ctx, visitor_id, outcome.error.status, phone=phone, error=_say(outcome.error)
        )
    return await _wallet_page(request, ctx, visitor_id, phone=phone, sent=outcome.value)


@router.post(f"{WALLET}/claim/verify", response_class=HTMLResponse, response_model=None)
async def claim_verify(request: Request, phone: Field = "", code: Field = "", ctx: Ctx = public()) -> Response:
    """领取 step 2: the code proves the phone; the winnings are the phone's person's from now on."""
    visitor_id = await _visitor(request, ctx)
    if visitor_id is None:
        return _no_visitor(request)
    try:
        throttle_codes(request, ctx.ip)
    except RateLimited as exc:
        return await _wallet_page(request, ctx, visitor_id, exc.status, phone=phone, sent=True, error=_say(exc))
    outcome = await members.verify_visitor_phone(ctx, visitor_id, phone, code)
    if outcome.error:
        return await _wallet_page(
            request, ctx, visitor_id, outcome.error.status, phone=phone, sent=True, error=_say(outcome.error)
        )
    return RedirectResponse(f"{WALLET}?claimed=1", status_code=303)


@router.post(f"{WALLET}/withdraw", response_class=HTMLResponse, response_model=None)
async def withdraw(request: Request, amount: Field, key: Field, ctx: Ctx = public()) -> Response:
    """提现: the amount in yuan, to WeChat balance."""
    visitor_id = await _visitor(request, ctx)
    if visitor_id is None:
        return _no_visitor(request)
    fen = _fen(amount)
    if fen is None:
        return await _wallet_page(request, ctx, visitor_id, 422, amount=amount, error="请输入正确的金额，例如 1.50")
    try:
        await service.withdraw(ctx, visitor_id, WithdrawalCreate(amount_fen=fen, key=key))
    except AppError as exc:
        return await _wallet_page(request, ctx, visitor_id, exc.status, amount=amount, error=_say(exc))
    return RedirectResponse(f"{WALLET}?withdrawn=1", status_code=303)


def _gift_url(award_id: int) -> str:
    return f"{WALLET}/awards/{award_id}/address"


async def _gift_page(
    request: Request, ctx: Ctx, visitor_id: str, award_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    try:
        gift = await service.gift_of(ctx, visitor_id, award_id)
    except NotFound:
        return await _wallet_page(request, ctx, visitor_id, 404, error="未找到该奖品")
    assert ctx.tenant is not None
    values = {"gift": gift, "action": _gift_url(award_id), "brand_name": ctx.tenant.name, "title": "收货地址"}
    return h5.render(request, "scans/gift_address.html", values | extra, status_code=status)


@router.get(f"{WALLET}/awards/{{award_id}}/address", response_class=HTMLResponse)
async def gift_address_page(award_id: Id, request: Request, ctx: Ctx = public()) -> HTMLResponse:
    """收货地址: the form for a physical gift won (prefilled to correct it until it ships)."""
    visitor_id = await _visitor(request, ctx)
    if visitor_id is None:
        return _no_visitor(request)
    return await _gift_page(request, ctx, visitor_id, award_id)


@router.post(f"{WALLET}/awards/{{award_id}}/address", response_class=HTMLResponse, response_model=None)
async def give_gift_address(
    award_id: Id, request: Request, recipient_name: Field, phone: Field, address: Field, ctx: Ctx = public()
) -> Response:
    """收货地址 sent: once the winnings are claimed with a verified phone, as a withdrawal requires."""
    visitor_id = await _visitor(request, ctx)
    if visitor_id is None:
        return _no_visitor(request)
    typed = {"recipient_name": recipient_name, "phone": phone, "address": address}
    try:
        await service.give_gift_address(ctx, visitor_id, award_id, GiftAddress.model_validate(typed))
    except ValidationError as exc:
        wrong = {str(e["loc"][0]): ADDRESS_ERRORS.get(str(e["loc"][0]), "请检查填写") for e in exc.errors()}
        return await _gift_page(request, ctx, visitor_id, award_id, 422, typed=typed, wrong=wrong)
    except AppError as exc:
        return await _gift_page(request, ctx, visitor_id, award_id, exc.status, typed=typed, error=_say(exc))
    return RedirectResponse(f"{WALLET}?address=1", status_code=303)


ADDRESS_ERRORS = {
    "recipient_name": "请填写收货人姓名",
    "phone": "请填写 11 位手机号",
    "address": "请填写详细地址（省市区、街道、门牌号）",
}


def _fen(text: str) -> int | None:
    """Yuan as typed ("1", "1.5", "1.50") in fen; None when it is not an amount."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    fen = value * 100
    return int(fen) if fen == fen.to_integral_value() and 0 < fen <= 10**9 else None


# What the phone says for the errors a consumer can meet here (others fall back to the message).
SAY = {
    **SMS_ERROR_TEXTS,
    "phone_required": "请先验证手机号领取奖励",
    "below_minimum": "提现金额低于最低限额",
    "above_maximum": "提现金额超过单笔上限",
    "daily_cap_exceeded": "超过今日提现上限",
    "insufficient_funds": "余额不足",
    "brand_funds_low": "活动方资金结算中，请稍后再试",
    "openid_required": "请在微信中打开本页面提现",
    "gift_shipped": "奖品已发货，地址不能再修改",
    "bad_proof": "请重新扫描瓶盖内的二维码参与抽奖",
    "rate_limited": "操作太频繁，请稍后再试",
}


def _say(error: AppError) -> str:
    codes = [error.code, *(d.code for d in error.details)]
    return next((SAY[c] for c in codes if c in SAY), error.message)


routers = [router]
