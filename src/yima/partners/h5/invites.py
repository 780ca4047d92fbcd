"""经销商员工扫码邀请: the dealer owner's invitation page (/m/partner/invite: a QR code per dealer
he owns, the staff waiting for him to approve or reject them) and the page the QR code opens
(/m/partner/join?invite=…: the privacy terms, the phone and its SMS code, then 等待审核)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yima.identity.permissions import public
from yima.partners import service
from yima.partners.api import throttle
from yima.partners.h5.common import HOME, LOGIN, SAY, CsrfField, Field, check_csrf, say, set_session, signed_in
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError
from yima.platform.web import h5

router = APIRouter(prefix=HOME, include_in_schema=False)
INVITE = f"{HOME}/invite"
JOIN = f"{HOME}/join"
InviteField = Annotated[str, Form(max_length=500)]


def _qr(url: str) -> str:
    """The QR code of ``url`` as a PNG data: URL (the pages allow data: images only)."""
    return str(segno.make(url, error="m").png_data_uri(scale=6, border=2))


@router.get("/invite", response_class=HTMLResponse, response_model=None)
async def invite_page(request: Request, ctx: Ctx = public()) -> Response:
    """邀请员工: the QR codes, and the staff waiting for approval."""
    csrf = await signed_in(request, ctx)
    if csrf is None:
        return RedirectResponse(f"{LOGIN}?{urlencode({'next': INVITE})}", status_code=303)
    return await _invite_page(request, ctx, csrf)


async def _invite_page(request: Request, ctx: Ctx, csrf: str, status: int = 200, error: str | None = None) -> Response:
    base = str(request.base_url).rstrip("/")
    invites = [
        (i, _qr(f"{base}{JOIN}?{urlencode({'invite': i.token})}"), ctx.local(i.expires_at))
        for i in await service.invite_staff(ctx)
    ]
    assert ctx.tenant is not None
    values = {"title": "邀请员工", "brand_name": ctx.tenant.name, "invites": invites, "error": error,
              "pending": await service.pending_staff(ctx), "csrf_token": csrf}  # fmt: skip
    return h5.render(request, "partners/invite.html", values, status_code=status)


@router.post("/invite/decide", response_class=HTMLResponse, response_model=None)
async def decide(
    request: Request, csrf_token: CsrfField, role_id: Annotated[int, Form(ge=1, le=2**62)], approve: Field = "",
    ctx: Ctx = public(),
) -> Response:  # fmt: skip
    """通过 / 驳回 a person who asked to join the owner's dealer."""
    csrf = await signed_in(request, ctx)
    check_csrf(csrf_token, csrf)
    assert csrf is not None
    try:
        await service.decide_staff(ctx, role_id, approve == "yes")
    except AppError as exc:
        return await _invite_page(request, ctx, csrf, exc.status, say(exc))
    return RedirectResponse(INVITE, status_code=303)


def _join_page(request: Request, token: str, status: int = 200, **values: Any) -> HTMLResponse:
    return h5.render(request, "partners/join.html", {"title": "加入经销商", "invite_token": token, **values},
                     status_code=status)  # fmt: skip


@router.get("/join", response_class=HTMLResponse)
async def join_page(
    request: Request, invite: Annotated[str, Query(max_length=500)] = "", ctx: Ctx = public()
) -> HTMLResponse:
    """What an invitation's QR code opens."""
    try:
        found = await service.open_invite(ctx, invite)
    except AppError as exc:
        return _join_page(request, invite, exc.status, error=say(exc))
    return _join_page(request, invite, invite=found, brand_name=ctx.tenant.name if ctx.tenant else None)


@router.post("/join/send", response_class=HTMLResponse)
async def join_send(
    request: Request, invite: InviteField, phone: Field, agree: Field = "", name: Field = "", ctx: Ctx = public()
) -> HTMLResponse:
    """Step 1: the privacy terms accepted, and an SMS code to the phone."""
    throttle(request, ctx)
    form: dict[str, Any] = {"phone": phone, "name": name}
    try:
        found = await service.open_invite(ctx, invite)
    except AppError as exc:
        return _join_page(request, invite, exc.status, error=say(exc), **form)
    if agree != "yes":
        return _join_page(request, invite, 422, invite=found, error=SAY["consent_required"], **form)
    outcome = await service.send_invite_code(ctx, invite, phone)
    if outcome.error:
        return _join_page(request, invite, outcome.error.status, invite=found, error=say(outcome.error), **form)
    return _join_page(request, invite, invite=found, sent=outcome.value, **form)


@router.post("/join", response_class=HTMLResponse, response_model=None)
async def join(
    request: Request, invite: InviteField, phone: Field, code: Field, name: Field = "", ctx: Ctx = public()
) -> Response:
    """Step 2: the code proves the phone; a pending dealer_staff role, the phone signed in."""
    throttle(request, ctx)
    form: dict[str, Any] = {"phone": phone, "name": name, "sent": True}
    try:
        found = await service.open_invite(ctx, invite)
        outcome = await service.accept_invite(ctx, invite, phone, code, name, request.headers.get("user-agent"))
        error, token = outcome.error, outcome.value
    except AppError as exc:
        return _join_page(request, invite, exc.status, error=say(exc), **form)
    if token is None:
        assert error is not None
        return _join_page(request, invite, error.status, invite=found, error=say(error), **form)
    response = RedirectResponse(HOME, status_code=303)
    assert ctx.tenant is not None
    set_session(request, response, token, ctx.tenant.slug)
    return response
