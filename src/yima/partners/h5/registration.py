"""门店首次扫码注册: the phone pages of a store's person registering (/m/partner/register).

One page shows the step the phone has reached (the ticket in the ``yima_register`` cookie, and
the channel session once the phone is proven): privacy consent → location (mobile.js posts the
phone's position; an address can be typed instead) → phone and SMS code (which signs the phone
in) → register a new store or join one → 等待品牌审核. Each form posts to its step, which answers
by sending the phone back to the page (``next`` is kept throughout: the store-scan page a case's
code led to). Every form carries the ticket's CSRF token; every step is rate limited per IP.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yima.identity.permissions import public
from yima.partners import rules, service
from yima.partners.api import throttle
from yima.partners.h5.common import (
    HOME,
    LOGIN,
    REGISTER,
    CsrfField,
    Field,
    NextField,
    check_csrf,
    entered,
    next_page,
    say,
    set_session,
)
from yima.platform.ctx import ANONYMOUS, Ctx
from yima.platform.errors import AppError
from yima.platform.web import h5

router = APIRouter(prefix=REGISTER, include_in_schema=False)
TICKET_COOKIE = "yima_register"
LongField = Annotated[str, Form(max_length=300)]
Point = Annotated[float | None, Form(ge=-180, le=180)]
DealerField = Annotated[int | None, Form(ge=1, le=2**62)]
StoreField = Annotated[int | None, Form(ge=1, le=2**62)]


def _back(target: str, ticket: service.Ticket | None = None) -> RedirectResponse:
    response = RedirectResponse(f"{REGISTER}?{urlencode({'next': target})}", status_code=303)
    if ticket is not None:
        _keep(response, ticket)
    return response


def _keep(response: Response, ticket: service.Ticket) -> None:
    response.set_cookie(TICKET_COOKIE, ticket.token, max_age=rules.REGISTRATION_SECONDS, path=REGISTER,
                        httponly=True, samesite="lax")  # fmt: skip


async def _step(ctx: Ctx, ticket: service.Ticket, signed_in: bool) -> tuple[str, dict[str, Any]]:
    """The step the phone has reached, and what its page shows."""
    roles = await service.my_roles(ctx) if signed_in else []
    if any(r.status == "active" and rules.STORE_SCAN in rules.ROLE_PERMISSIONS[r.kind] for r in roles):
        return "done", {"roles": roles}
    if any(r.status == "pending" for r in roles):
        return "waiting", {"roles": roles}
    if ticket.consented_at is None:
        return "consent", {}
    if ticket.region_code is None:
        return "locate", {}
    if not signed_in:
        return "phone", {}
    joining = {k: rules.ROLE_NAMES[k] for k in rules.REGISTER_KINDS if k != "store_owner"}
    refused = [r for r in roles if r.status == "rejected"]
    options = await service.registration_choices(ctx, ticket)
    return "choose", {"choices": options, "refused": refused, "joining": joining}


async def _page(
    request: Request, ctx: Ctx, ticket: service.Ticket, target: str, signed_in: bool, status: int = 200,
    error: str | None = None, **form: Any,
) -> HTMLResponse:  # fmt: skip
    step, values = await _step(ctx, ticket, signed_in)
    assert ctx.tenant is not None
    values |= {"title": "门店注册", "brand_name": ctx.tenant.name, "step": step, "next": target,
               "csrf_token": ticket.csrf, "form": form, "error": error}  # fmt: skip
    response = h5.render(request, "partners/register.html", values, status_code=status)
    _keep(response, ticket)
    return response


async def _state(request: Request, ctx: Ctx, brand: str = "") -> tuple[service.Ticket | None, bool]:
    """The phone's ticket (a new one for ``brand``, or the session's brand, when it has none
    good) and whether it is signed in (to the same brand)."""
    signed_in = await entered(request, ctx) is not None
    if brand and ctx.tenant is not None and ctx.tenant.slug != brand:  # a session of another brand
        signed_in, ctx.actor, ctx.tenant = False, ANONYMOUS, None
    ticket = await service.read_registration(ctx, request.cookies.get(TICKET_COOKIE))
    if ticket is not None and brand and ctx.tenant is not None and ctx.tenant.slug != brand:
        ticket = None  # a registration with another brand: this one starts afresh
    if ticket is None and (brand or ctx.tenant is not None):
        ticket = await service.start_registration(ctx, brand or (ctx.tenant.slug if ctx.tenant else ""))
    return ticket, signed_in


@router.get("", response_class=HTMLResponse, response_model=None)
async def register_page(
    request: Request,
    brand: Annotated[str, Query(max_length=40)] = "",
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "",
    ctx: Ctx = public(),
) -> Response:
    target = next_page(next_path)
    try:
        ticket, signed_in = await _state(request, ctx, brand)
    except AppError:  # no such brand
        ticket = None
    if ticket is None:  # no brand known: the scanned code or the brand's link gives it
        return RedirectResponse(f"{LOGIN}?{urlencode({'next': target})}", status_code=303)
    return await _page(request, ctx, ticket, target, signed_in)


async def _posted(request: Request, ctx: Ctx, csrf: str) -> tuple[service.Ticket, bool]:
    throttle(request, ctx)
    ticket, signed_in = await _state(request, ctx)
    check_csrf(csrf, ticket.csrf if ticket else None)
    assert ticket is not None
    return ticket, signed_in


@router.post("/consent", response_class=HTMLResponse, response_model=None)
async def consent(
    request: Request, csrf_token: CsrfField, next_path: NextField = HOME, agree: Field = "", ctx: Ctx = public()
) -> Response:
    """隐私协议: the terms accepted (the box ticked)."""
    ticket, signed_in = await _posted(request, ctx, csrf_token)
    target = next_page(next_path)
    try:
        return _back(target, await service.consent_to_terms(ctx, ticket, agree == "yes"))
    except AppError as exc:
        return await _page(request, ctx, ticket, target, signed_in, exc.status, error=say(exc))


@router.post("/location", response_class=HTMLResponse, response_model=None)
async def location(
    request: Request, csrf_token: CsrfField, next_path: NextField = HOME, address: LongField = "",
    lat: Point = None, lon: Point = None, ctx: Ctx = public(),
) -> Response:  # fmt: skip
    """The store's address typed (when the phone gives no position), or a position posted."""
    ticket, signed_in = await _posted(request, ctx, csrf_token)
    target = next_page(next_path)
    try:
        return _back(target, await service.locate_registration(ctx, ticket, lat, lon, address))
    except AppError as exc:
        return await _page(request, ctx, ticket, target, signed_in, exc.status, error=say(exc), address=address)


@router.post("/located", status_code=204, response_model=None)
async def located(
    request: Request,
    lat: Annotated[float, Body(ge=-90, le=90)],
    lon: Annotated[float, Body(ge=-180, le=180)],
    csrf: Annotated[str, Body(max_length=100)],
    accuracy_m: Annotated[float | None, Body(ge=0)] = None,
    ctx: Ctx = public(),
) -> Response:
    """The phone's position, as mobile.js posts it ([data-locate]); the page then moves on."""
    ticket, _ = await _posted(request, ctx, csrf)
    response = Response(status_code=204)
    _keep(response, await service.locate_registration(ctx, ticket, lat, lon))
    return response


@router.post("/send", response_class=HTMLResponse, response_model=None)
async def send(
    request: Request, csrf_token: CsrfField, phone: Field, next_path: NextField = HOME, ctx: Ctx = public()
) -> Response:
    """手机验证 step 1: the SMS code."""
    ticket, signed_in = await _posted(request, ctx, csrf_token)
    target = next_page(next_path)
    try:
        outcome = await service.send_registration_code(ctx, ticket, phone)
    except AppError as exc:
        return await _page(request, ctx, ticket, target, signed_in, exc.status, error=say(exc), phone=phone)
    error = say(outcome.error) if outcome.error else None
    status = outcome.error.status if outcome.error else 200
    return await _page(request, ctx, ticket, target, signed_in, status, phone=phone, sent=outcome.value, error=error)


@router.post("/verify", response_class=HTMLResponse, response_model=None)
async def verify(
    request: Request, csrf_token: CsrfField, phone: Field, code: Field, next_path: NextField = HOME,
    ctx: Ctx = public(),
) -> Response:  # fmt: skip
    """手机验证 step 2: the code proves the phone, which is signed in at once."""
    ticket, signed_in = await _posted(request, ctx, csrf_token)
    target = next_page(next_path)
    try:
        outcome = await service.verify_registration_phone(ctx, ticket, phone, code, request.headers.get("user-agent"))
        error, token = outcome.error, outcome.value
    except AppError as exc:
        error, token = exc, None
    if token is None:
        assert error is not None
        return await _page(request, ctx, ticket, target, signed_in, error.status, error=say(error), phone=phone,
                           sent=True)  # fmt: skip
    response = _back(target, ticket)
    assert ctx.tenant is not None
    set_session(request, response, token, ctx.tenant.slug)
    return response


@router.post("/store", response_class=HTMLResponse, response_model=None)
async def register_store(
    request: Request, csrf_token: CsrfField, name: Field = "", address: LongField = "", owner_name: Field = "",
    dealer_id: DealerField = None, next_path: NextField = HOME, ctx: Ctx = public(),
) -> Response:  # fmt: skip
    """注册新门店: the store (inactive) and its owner's pending role."""
    ticket, signed_in = await _posted(request, ctx, csrf_token)
    target = next_page(next_path)
    try:
        await service.register_store(ctx, ticket, name, address, owner_name, dealer_id)
    except AppError as exc:
        form = {"name": name, "address": address, "owner_name": owner_name}
        return await _page(request, ctx, ticket, target, signed_in, exc.status, error=say(exc), **form)
    return _back(target)


@router.post("/guide-group", response_class=HTMLResponse, response_model=None)
async def join_guide_group(
    request: Request, csrf_token: CsrfField, name: Field = "", next_path: NextField = HOME, ctx: Ctx = public()
) -> Response:
    """加入区域导购群: a pending guide of the district the phone is in."""
    ticket, signed_in = await _posted(request, ctx, csrf_token)
    target = next_page(next_path)
    try:
        await service.join_guide_group(ctx, ticket, name)
    except AppError as exc:
        return await _page(request, ctx, ticket, target, signed_in, exc.status, error=say(exc))
    return _back(target)


@router.post("/join", response_class=HTMLResponse, response_model=None)
async def join_store(
    request: Request, csrf_token: CsrfField, kind: Field = "store_clerk", store_id: StoreField = None,
    store_code: Field = "", name: Field = "", next_path: NextField = HOME, ctx: Ctx = public(),
) -> Response:  # fmt: skip
    """加入门店: a pending clerk (or guide) role at a store of the district, or one named by code
    (a code typed wins over the store picked)."""
    ticket, signed_in = await _posted(request, ctx, csrf_token)
    target = next_page(next_path)
    try:
        picked = None if store_code.strip() else store_id
        await service.join_store(ctx, ticket, kind, picked, store_code, name)
    except AppError as exc:
        return await _page(request, ctx, ticket, target, signed_in, exc.status, error=say(exc), store_code=store_code)
    return _back(target)
