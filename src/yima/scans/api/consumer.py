"""The consumer's JSON edges, for mini-programs and apps (the phone pages do the same through
h5.py): ``POST /api/v1/scans`` (verify, record and draw in one call), ``POST /verify`` (a
typed 防伪码), and the visitor's own
wallet, withdrawals and gifts' addresses. Public, rate limited per source address; the visitor is the
``X-Yima-Visitor`` header or the ``yima_visitor`` cookie (claiming with a phone number is
members' ``/api/v1/members/otp`` and ``/otp/verify``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from yima.campaigns.service.gifts import GiftAddress, GiftDeliveryRead
from yima.identity.permissions import public
from yima.members.permissions import VISITOR_COOKIE, Visitor
from yima.platform.ctx import Ctx
from yima.platform.web.params import Id
from yima.scans import service
from yima.scans.schemas import CodePage, ConsumerWallet, ScanCreate, ScanResult, TypedCode, WithdrawalCreate
from yima.settings import Settings
from yima.wallet.schemas import PayoutRead

router = APIRouter(prefix="/api/v1/scans", tags=["scans"])
IDEMPOTENCY_KEY = r"^[A-Za-z0-9_.:-]{8,64}$"


def set_visitor_cookie(request: Request, response: Response, token: str | None) -> None:
    """Keep a newly made visitor on this phone (HttpOnly, SameSite=Lax)."""
    if token:
        settings: Settings = request.app.state.settings
        response.set_cookie(VISITOR_COOKIE, token, max_age=365 * 86400, path="/", httponly=True,
                            secure=settings.cookie_secure, samesite="lax")  # fmt: skip


@router.post("", response_model=ScanResult)
async def scan(
    data: ScanCreate,
    request: Request,
    response: Response,
    x_yima_visitor: Annotated[str | None, Header(max_length=200, description="the visitor token")] = None,
    idempotency_key: Annotated[
        str | None, Header(pattern=IDEMPOTENCY_KEY, description="a retry with the same key gets the first answer")
    ] = None,
    ctx: Ctx = public(),
) -> ScanResult:
    """A consumer scanned a code: is it genuine, and what did they win? 404 ``not_found`` for a
    code no brand issued (谨防假冒). ``draw.outcome`` says what came of the draw; a new
    visitor's token is in ``visitor_token``."""
    request.app.state.limiters["scan"].hit(ctx.ip or "?")
    token = x_yima_visitor or request.cookies.get(VISITOR_COOKIE)
    result = await service.scan_code(ctx, data, token, idempotency_key, request.headers.get("user-agent"))
    set_visitor_cookie(request, response, result.visitor_token)
    return result


@router.post("/verify", response_model=CodePage)
async def verify_typed(data: TypedCode, request: Request, ctx: Ctx = public()) -> CodePage:
    """A consumer typed a brand's 防伪码 (防伪查询): the verdict, queries so far and the first, as
    the code page answers; no draw (prizes are the scanned code's). 404 ``not_found`` for a
    number the brand did not issue, or no such brand (谨防假冒)."""
    request.app.state.limiters["scan"].hit(ctx.ip or "?")
    return await service.verify_typed(ctx, data.brand, data.code, request.headers.get("user-agent"))


@router.get("/me/wallet", response_model=ConsumerWallet)
async def my_wallet(request: Request, call: Visitor) -> ConsumerWallet:
    """我的奖励: the visitor's wallet, profile, awards and withdrawals."""
    request.app.state.limiters["scan"].hit(call.ctx.ip or "?")
    return await service.my_wallet(call.ctx, call.visitor_id)


@router.post("/me/withdrawals", response_model=PayoutRead, status_code=201)
async def withdraw(data: WithdrawalCreate, request: Request, call: Visitor) -> PayoutRead:
    """提现 to WeChat balance (the sandbox provider unless the brand set up WeChat Pay). 403
    ``phone_required`` before the winnings are claimed with a verified phone; 422
    ``below_minimum``, ``above_daily_cap``, ``insufficient_funds`` … as the wallet says."""
    request.app.state.limiters["scan"].hit(call.ctx.ip or "?")
    return await service.withdraw(call.ctx, call.visitor_id, data)


@router.post("/me/awards/{award_id}/address", response_model=GiftDeliveryRead)
async def give_gift_address(award_id: Id, data: GiftAddress, request: Request, call: Visitor) -> GiftDeliveryRead:
    """收货地址 for a physical gift the visitor won (``draw.address_required``); again to correct
    it until it ships (409 ``gift_shipped`` after). 403 ``phone_required`` before the winnings are
    claimed with a verified phone; 404 for an award that is not the visitor's gift; 422 naming
    the field."""
    request.app.state.limiters["scan"].hit(call.ctx.ip or "?")
    return await service.give_gift_address(call.ctx, call.visitor_id, award_id, data)


routers = [router]
