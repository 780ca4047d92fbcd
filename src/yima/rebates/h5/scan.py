"""门店扫码 on the phone (/m/store-scan?code=…): a store's person opens a case (its inner code) or
registers a bottle (its outer code) and sees what it earned.

The code page of those faces leads here. Signed in with an active store role (the channel
session cookie), the page confirms (choosing the store when the account has several) and posts
with the session's CSRF token; the answer says registered now or already, for which store, and
each reward with its reason. Anyone else — not signed in, another brand's session, a role still
waiting for review — is sent to the first-scan registration (门店首次扫码注册) with ``next`` set
back here, so the scan goes on once the brand has approved them.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yima.codes import service as codes
from yima.identity import service as identity
from yima.identity.permissions import public
from yima.partners import service as partners
from yima.partners.permissions import CHANNEL_COOKIE
from yima.platform import crypto
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, Forbidden
from yima.platform.web import h5
from yima.rebates import service
from yima.rebates.schemas import StoreScan

router = APIRouter(include_in_schema=False)
PAGE = "/m/store-scan"
REGISTER = "/m/partner/register"
Code = Annotated[str, Form(max_length=500)]
# What the phone says for the errors a store can meet here (others fall back to the message).
SAY = {
    "registered_elsewhere": "该商品已被其他门店登记",
    "wrong_face": "请扫描箱内码（开箱）或瓶盖外码（登记）",
    "not_active": "此码尚未激活，暂不能登记",
    "not_your_partner": "只能为您自己的门店登记",
    "unknown_code": "不是本品牌的商品码",
    "missing": "请选择门店",
}


def _say(error: AppError) -> str:
    codes_ = [*(d.code for d in error.details), error.code]
    return next((SAY[c] for c in codes_ if c in SAY), error.message)


async def _account(request: Request, ctx: Ctx, code: str) -> tuple[str | None, Response | None]:
    """The session's CSRF token when it may scan for a store of the code's brand; otherwise
    where the phone goes instead (the registration, or a page for a code no brand issued)."""
    request.app.state.limiters["scan"].hit(ctx.ip or "?")
    tenant_id = await codes.owner_of_printed(ctx.session, code)
    if tenant_id is None:
        return None, h5.render(request, "rebates/store_scan.html", {"title": "门店扫码", "error": SAY["unknown_code"]},
                               status_code=404)  # fmt: skip
    cookie = request.cookies.get(CHANNEL_COOKIE)
    csrf = await partners.sign_in_channel(ctx, cookie) if cookie else None
    stores = [i for kind, i in ctx.actor.parties or () if kind == "store"]
    if csrf is None or ctx.tenant_id != tenant_id or not stores:
        brand = await identity.tenant_info(ctx.session, tenant_id)
        query = urlencode({"brand": brand.slug, "next": f"{PAGE}?{urlencode({'code': code})}"})
        return None, RedirectResponse(f"{REGISTER}?{query}", status_code=303)
    return csrf, None


async def _page(request: Request, ctx: Ctx, code: str, csrf: str, status: int = 200, **values: Any) -> HTMLResponse:
    ids = sorted(i for kind, i in ctx.actor.parties or () if kind == "store")
    stores = sorted((await partners.lookup_stores(ctx, ids)).values(), key=lambda s: s.code)
    assert ctx.tenant is not None
    context = {"title": "门店扫码", "brand_name": ctx.tenant.name, "code": code, "stores": stores, "csrf_token": csrf}
    return h5.render(request, "rebates/store_scan.html", context | values, status_code=status)


@router.get(PAGE, response_class=HTMLResponse, response_model=None)
async def store_scan_page(
    request: Request, code: Annotated[str, Query(min_length=1, max_length=500)], ctx: Ctx = public()
) -> Response:
    """The confirmation: which code, for which store."""
    csrf, elsewhere = await _account(request, ctx, code)
    if csrf is None:
        assert elsewhere is not None
        return elsewhere
    return await _page(request, ctx, code, csrf)


@router.post(PAGE, response_class=HTMLResponse, response_model=None)
async def store_scan(
    request: Request, code: Code, csrf_token: Annotated[str, Form(max_length=100)],
    store_id: Annotated[int | None, Form(ge=1, le=2**62)] = None, ctx: Ctx = public(),
) -> Response:  # fmt: skip
    """开箱 / 登记: the store scan, and what it earned."""
    csrf, elsewhere = await _account(request, ctx, code)
    if csrf is None:
        assert elsewhere is not None
        return elsewhere
    if not crypto.same(csrf_token, csrf):
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
    try:
        async with ctx.session.begin_nested():  # a refused scan leaves nothing behind
            result = await service.store_scan(ctx, StoreScan(code=code, store_id=store_id))
    except AppError as exc:
        return await _page(request, ctx, code, csrf, exc.status, error=_say(exc))
    return await _page(request, ctx, code, csrf, result=result)
