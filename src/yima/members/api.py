"""The members' HTTP edges: /api/v1/members/…

Staff routes (members:read / members:write) list, show and tag persons. The visitor routes are
called by a person's own phone page or mini-program: public, but holding a visitor token (the
``yima_visitor`` cookie or the ``X-Yima-Visitor`` header), and rate limited per IP.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from yima.identity.permissions import public, requires
from yima.members import service
from yima.members.permissions import MEMBERS_READ, MEMBERS_WRITE, VISITOR_COOKIE, Visitor, throttle_codes
from yima.members.schemas import (
    CodeCheck,
    CodeRequest,
    CodeSent,
    MemberProfile,
    PersonFilter,
    PersonRead,
    PersonSummary,
    PersonUpdate,
    SmsFilter,
    SmsRead,
    VisitorStart,
    VisitorToken,
)
from yima.platform.ctx import Ctx
from yima.platform.web.errors import app_error_response
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id
from yima.settings import Settings

router = APIRouter(prefix="/api/v1/members", tags=["members"])
Paging = Annotated[PageParams, Depends(page_params)]


# staff ------------------------------------------------------------------------------------------


@router.get("/persons", response_model=Page[PersonSummary])
async def list_persons(
    paging: Paging, filters: Annotated[PersonFilter, Depends()], ctx: Ctx = requires(MEMBERS_READ)
) -> Page[PersonSummary]:
    """Persons (会员), newest first, phones masked; ``phone`` finds the holder of a number."""
    rows = await service.list_persons(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.get("/persons/{person_id}", response_model=PersonRead)
async def get_person(person_id: Id, ctx: Ctx = requires(MEMBERS_READ)) -> PersonRead:
    """A person with every identity. A merged person shows ``merged_into_id``."""
    return await service.get_person(ctx, person_id)


@router.patch("/persons/{person_id}", response_model=PersonRead)
async def update_person(person_id: Id, data: PersonUpdate, ctx: Ctx = requires(MEMBERS_WRITE)) -> PersonRead:
    """Set the member level and tags (``tags`` replaces them all)."""
    return await service.update_person(ctx, person_id, data)


@router.get("/sms", response_model=Page[SmsRead])
async def list_sms(
    paging: Paging, filters: Annotated[SmsFilter, Depends()], ctx: Ctx = requires(MEMBERS_READ)
) -> Page[SmsRead]:
    """The SMS log (短信发送记录): every code handed to the provider and how it went (never the code)."""
    rows = await service.list_sms(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


# a visitor's own phone --------------------------------------------------------------------------


@router.post("/visitors", response_model=VisitorToken, status_code=status.HTTP_201_CREATED)
async def start_visit(data: VisitorStart, request: Request, response: Response, ctx: Ctx = public()) -> VisitorToken:
    """A visitor token for a brand's page opened without a scan (the scan page issues its own).
    Also set as the ``yima_visitor`` cookie (HttpOnly, SameSite=Lax)."""
    throttle_codes(request, ctx.ip)
    issued = await service.start_visit(ctx, data.brand)
    settings: Settings = request.app.state.settings
    response.set_cookie(VISITOR_COOKIE, issued.visitor_token, max_age=issued.expires_in, path="/", httponly=True,
                        secure=settings.cookie_secure, samesite="lax")  # fmt: skip
    return issued


@router.get("/me", response_model=MemberProfile)
async def me(call: Visitor) -> MemberProfile:
    """The visitor's own member profile (its person is made on first use)."""
    return await service.visitor_profile(call.ctx, call.visitor_id)


@router.post("/otp", response_model=CodeSent)
async def send_code(data: CodeRequest, request: Request, call: Visitor) -> CodeSent | Response:
    """Send a 6-digit code to the phone by SMS (valid 5 minutes; a new one after 60 s; daily
    limits per phone and per network). 429 ``resend_too_soon`` / ``sms_daily_limit`` /
    ``sms_provider_limit`` carry Retry-After; 502 ``sms_failed`` when the provider refused."""
    throttle_codes(request, call.ctx.ip)
    outcome = await service.send_code(call.ctx, data.phone)
    return app_error_response(request, outcome.error) if outcome.error else outcome.unwrap()


@router.post("/otp/verify", response_model=MemberProfile)
async def verify_code(data: CodeCheck, request: Request, call: Visitor) -> MemberProfile | Response:
    """Prove the phone with its code: the phone becomes the visitor's, or, when someone already
    holds it, the visitor becomes that person (One ID). 422 ``wrong_code`` (tries left in
    ``details``), ``too_many_attempts`` or ``code_expired``."""
    throttle_codes(request, call.ctx.ip)
    outcome = await service.verify_visitor_phone(call.ctx, call.visitor_id, data.phone, data.code)
    return app_error_response(request, outcome.error) if outcome.error else outcome.unwrap()


routers = [router]
