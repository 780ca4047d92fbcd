"""Visitor tokens (访客令牌): how an anonymous phone proves, request after request, that it is the
same visitor — without an account, and without the server storing anything until it matters.

The server issues ``v1.<brand>.<visitor id>.<issued>.<mac>`` (rules.visitor_token), signed with
the brand's own subkey; the scan page sets it as an HttpOnly cookie, a mini-program keeps it and
sends it as ``X-Yima-Visitor``. The visitor's person is made on first use (``visitor_person``).
"""

from __future__ import annotations

import secrets

from yima.identity import service as identity
from yima.members import rules
from yima.members.config import members_settings
from yima.members.errors import InvalidVisitor, VisitorRequired
from yima.members.schemas import VisitorToken
from yima.platform.ctx import Actor, Ctx
from yima.platform.errors import AppError

VISITOR_PURPOSE = b"members-visitor"


def _max_age() -> int:
    return members_settings().visitor_token_days * 86400


async def issue_visitor(ctx: Ctx) -> VisitorToken:
    """A new visitor of the brand ``ctx`` is bound to (the scan page calls this on a first scan)."""
    visitor_id = secrets.token_urlsafe(16)
    key = await identity.tenant_subkey(ctx.session, ctx.tenant_id, VISITOR_PURPOSE)
    token = rules.visitor_token(key, ctx.tenant_id, visitor_id, int(ctx.now().timestamp()))
    return VisitorToken(visitor_id=visitor_id, visitor_token=token, expires_in=_max_age())


async def start_visit(ctx: Ctx, brand: str) -> VisitorToken:
    """A new visitor of the brand with slug ``brand`` (a mini-program or a member page opened
    without a scan). Nothing is stored until the visitor does something."""
    tenant = await identity.get_tenant_by_slug(ctx.session, brand)
    await identity.enter_tenant(ctx, tenant.id)
    return await issue_visitor(ctx)


async def _checked(ctx: Ctx, token: str) -> rules.VisitorClaim | None:
    claim = rules.parse_visitor_token(token)
    if claim is None:
        return None
    try:
        key = await identity.tenant_subkey(ctx.session, claim.tenant_id, VISITOR_PURPOSE)
    except AppError:  # no such brand
        return None
    return claim if rules.visitor_claim_holds(key, claim, int(ctx.now().timestamp()), _max_age()) else None


async def read_visitor(ctx: Ctx, token: str | None) -> str | None:
    """The visitor id a token proves for the brand ``ctx`` is bound to; None when there is no
    token, or it is forged, too old or another brand's (the caller then issues a new one)."""
    claim = await _checked(ctx, token) if token else None
    return claim.visitor_id if claim is not None and claim.tenant_id == ctx.tenant_id else None


async def enter_as_visitor(ctx: Ctx, token: str | None) -> str:
    """Check a public caller's token and bind ``ctx`` to its brand, acting as that visitor.
    Raises VisitorRequired (no token) or InvalidVisitor (any other failure: one answer)."""
    if not token:
        raise VisitorRequired("this needs a visitor token: open the brand's page first")
    claim = await _checked(ctx, token)
    if claim is None:
        raise InvalidVisitor("the visitor token is not valid; get a new one")
    await identity.enter_tenant(ctx, claim.tenant_id)
    ctx.actor = Actor(kind="person", name=f"visitor:{claim.visitor_id[:8]}")
    return claim.visitor_id
