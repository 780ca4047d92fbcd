"""门店扫码 / 导购扫码 on the phone (/m/store-scan?code=…): a store's person opens a case (its
inner code) or registers a bottle (its outer code) and sees what it earned; a guide (导购)
registers a bottle they sell by its cap's outer code, so consumers' scans of it pay them.

The code page of those faces leads here. Signed in with an active store or guide role (the
channel session cookie), the page confirms (choosing the store, or the guide role, when the
account has several; an account that is both a store's person and a guide chooses which it acts
as, one form each) and posts with the session's CSRF token; the answer says registered now or
already, for which store or guide, and a store's rewards with their reasons. A guide-only
account is told at once when the code is none a guide registers (a case's inner code: guides
register bottles by their caps' outer codes). Anyone else — not signed in, another brand's
session, a role still waiting for review — is sent to the first-scan registration (门店首次扫码注册)
with ``next`` set back here, so the scan goes on once the brand has approved them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from yima.codes import service as codes
from yima.identity import service as identity
from yima.identity.permissions import public
from yima.partners import service as partners
from yima.partners.permissions import CHANNEL_COOKIE
from yima.partners.schemas import ChannelRoleRead
from yima.platform import crypto
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, Forbidden
from yima.platform.web import h5
from yima.rebates import service
from yima.rebates.schemas import GuideScan, StoreScan

router = APIRouter(include_in_schema=False)
PAGE = "/m/store-scan"
REGISTER = "/m/partner/register"
Code = Annotated[str, Form(max_length=500)]
FormId = Annotated[int | None, Form(ge=1, le=2**62)]
Acting = Literal["store", "guide"]
# What the phone says for the errors a store can meet here (others fall back to the message).
SAY = {
    "registered_elsewhere": "该商品已被其他门店登记",
    "wrong_face": "请扫描箱内码（开箱）或瓶盖外码（登记）",
    "not_active": "此码尚未激活，暂不能登记",
    "not_your_partner": "只能为您自己的门店登记",
    "unknown_code": "不是本品牌的商品码",
    "missing": "请选择门店",
    "permission_denied": "您的账号不能以此身份登记",
}
NOT_SCANNING = "开箱和登记由门店或导购扫码；您的账号（经销商、业务员）无需在此扫码"
# The same refusals met by a guide registering a bottle.
GUIDE_SAY = SAY | {
    "registered_elsewhere": "该瓶已被其他导购登记",
    "wrong_face": "导购按瓶登记：请扫描瓶盖上的外码",
    "not_your_partner": "只能以您自己的导购身份登记",
    "missing": "请选择导购身份",
}


def _say(error: AppError, acting: Acting = "store") -> str:
    said = GUIDE_SAY if acting == "guide" else SAY
    codes_ = [*(d.code for d in error.details), error.code]
    return next((said[c] for c in codes_ if c in said), error.message)


def _mine(ctx: Ctx, kind: str) -> list[int]:
    """The ids of the account's own parties of ``kind`` (stores, or guide roles)."""
    return sorted(i for k, i in ctx.actor.parties or () if k == kind)


async def _account(request: Request, ctx: Ctx, code: str) -> tuple[str | None, Response | None]:
    """The session's CSRF token when it may scan for a store, or as a guide, of the code's brand; otherwise
    where the phone goes instead (the registration, or a page for a code no brand issued)."""
    request.app.state.limiters["scan"].hit(ctx.ip or "?")
    tenant_id = await codes.owner_of_printed(ctx.session, code)
    if tenant_id is None:
        return None, h5.render(request, "rebates/store_scan.html", {"title": "门店扫码", "error": SAY["unknown_code"]},
                               status_code=404)  # fmt: skip
    csrf = await partners.channel_session(ctx, request.cookies.get(CHANNEL_COOKIE))
    if csrf is not None and ctx.tenant_id == tenant_id and not (_mine(ctx, "store") or _mine(ctx, "guide")):
        # a dealer's person or a salesman: nothing of theirs registers goods by scanning here
        return None, h5.render(request, "rebates/store_scan.html", {"title": "门店扫码", "error": NOT_SCANNING},
                               status_code=403)  # fmt: skip
    if csrf is None or ctx.tenant_id != tenant_id:
        brand = await identity.tenant_info(ctx.session, tenant_id)
        query = urlencode({"brand": brand.slug, "next": f"{PAGE}?{urlencode({'code': code})}"})
        return None, RedirectResponse(f"{REGISTER}?{query}", status_code=303)
    return csrf, None


async def _guides(ctx: Ctx, code: str) -> tuple[list[ChannelRoleRead], AppError | None]:
    """The account's guide roles the page offers for ``code``; none, and why, when the code is
    one no guide registers."""
    ids = _mine(ctx, "guide")
    if not ids:
        return [], None
    try:
        await service.check_guide_code(ctx, code)
    except AppError as exc:
        return [], exc
    return sorted((await partners.lookup_roles(ctx, ids)).values(), key=lambda r: r.id), None


async def _page(request: Request, ctx: Ctx, code: str, csrf: str, status: int = 200, **values: Any) -> HTMLResponse:
    stores = sorted((await partners.lookup_stores(ctx, _mine(ctx, "store"))).values(), key=lambda s: s.code)
    guides, refusal = await _guides(ctx, code)
    if refusal is not None and not stores and "error" not in values:  # a guide only, and a code no guide registers
        status, values["error"] = refusal.status, _say(refusal, "guide")
    assert ctx.tenant is not None
    context = {"title": "门店扫码" if stores else "导购扫码", "brand_name": ctx.tenant.name, "code": code,
               "stores": stores, "guides": guides, "csrf_token": csrf}  # fmt: skip
    return h5.render(request, "rebates/store_scan.html", context | values, status_code=status)


@router.get(PAGE, response_class=HTMLResponse, response_model=None)
async def store_scan_page(
    request: Request, code: Annotated[str, Query(min_length=1, max_length=500)], ctx: Ctx = public()
) -> Response:
    """The confirmation: which code, for which store or as which guide."""
    csrf, elsewhere = await _account(request, ctx, code)
    if csrf is None:
        assert elsewhere is not None
        return elsewhere
    return await _page(request, ctx, code, csrf)


@router.post(PAGE, response_class=HTMLResponse, response_model=None)
async def store_scan(
    request: Request, code: Code, csrf_token: Annotated[str, Form(max_length=100)], store_id: FormId = None,
    role_id: FormId = None, acting: Annotated[Acting | None, Form()] = None, ctx: Ctx = public(),
) -> Response:  # fmt: skip
    """开箱 / 登记 as a store (what it earned), or 登记 as a guide; ``acting`` says which when
    the account is both (left out: the store, when it has one)."""
    csrf, elsewhere = await _account(request, ctx, code)
    if csrf is None:
        assert elsewhere is not None
        return elsewhere
    if not crypto.same(csrf_token, csrf):
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
    acting = acting or ("store" if _mine(ctx, "store") else "guide")
    try:
        async with ctx.session.begin_nested():  # a refused scan leaves nothing behind
            shown = await _register(ctx, acting, code, store_id, role_id)
    except AppError as exc:
        return await _page(request, ctx, code, csrf, exc.status, error=_say(exc, acting))
    except ValidationError:  # a form the scan's body refuses (a code past its length): no brand's code
        return await _page(request, ctx, code, csrf, 422, error=SAY["unknown_code"])
    return await _page(request, ctx, code, csrf, **shown)


async def _register(ctx: Ctx, acting: Acting, code: str, store_id: int | None, role_id: int | None) -> dict[str, Any]:
    """The scan as a store or as a guide, and what the page shows of it."""
    if acting == "store":
        return {"result": await service.store_scan(ctx, StoreScan(code=code, store_id=store_id))}
    done = await service.guide_scan(ctx, GuideScan(code=code, role_id=role_id))
    return {"guide_result": done, "guide_role": (await partners.lookup_roles(ctx, [done.role_id]))[done.role_id]}
