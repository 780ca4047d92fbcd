"""Dealer staff invited by QR code (经销商员工扫码邀请).

A dealer's owner shows a QR code of a sealed invitation (``rules.seal`` under the brand's own
key: the dealer, who invited, until when; no table). Whoever scans it accepts the privacy terms
and proves their phone with an SMS code: they are signed in and hold a **pending** dealer_staff
role of that dealer, which the owner approves or rejects on his phone (the brand's staff may
too, in the review queue: registration.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yima.identity import service as identity
from yima.members import service as members
from yima.members.schemas import CodeSent
from yima.members.service import Outcome
from yima.partners import repository as repo
from yima.partners import rules
from yima.partners.models import ChannelRole
from yima.partners.schemas import ChannelRoleFilter, ChannelRoleRead
from yima.partners.service.accounts import LOGIN_PURPOSE, open_session, read_roles
from yima.partners.service.registration import decide
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Forbidden, Invalid, NotFound

INVITE_PURPOSE = b"partners-invite"
MAX_PENDING = 200  # staff waiting at one dealer's owner, at most, shown at once


class BadInvite(Invalid):
    """The invitation is forged, expired, or its dealer no longer works with the brand."""

    code = "bad_invite"


@dataclass(frozen=True)
class Invite:
    dealer_id: int
    dealer_name: str
    token: str
    expires_at: dt.datetime


async def _owned_dealers(ctx: Ctx) -> list[int]:
    """The dealers the signed-in person is the active owner (经销商负责人) of."""
    if ctx.actor.id is None or ctx.actor.parties is None:
        raise Forbidden("sign in with your phone first", code="permission_denied")
    roles = await repo.roles_of(ctx.session, ctx.actor.id, "active")
    return sorted({r.dealer_id for r in roles if r.kind == "dealer_owner" and r.dealer_id})


async def invite_staff(ctx: Ctx) -> list[Invite]:
    """An invitation for each active dealer the signed-in person owns, good for INVITE_HOURS."""
    dealers = await repo.dealers_by_ids(ctx.session, await _owned_dealers(ctx))
    key = await identity.tenant_subkey(ctx.session, ctx.tenant_id, INVITE_PURPOSE)
    expires = ctx.now().replace(microsecond=0) + dt.timedelta(hours=rules.INVITE_HOURS)
    claims = {"by": ctx.actor.id, "x": int(expires.timestamp())}
    active = sorted((d for d in dealers.values() if d.active), key=lambda d: d.code)
    return [Invite(d.id, d.name, rules.seal(key, ctx.tenant_id, claims | {"d": d.id}), expires) for d in active]


async def open_invite(ctx: Ctx, token: str) -> Invite:
    """The invitation of ``token``, ``ctx`` bound to its brand; BadInvite when it is forged,
    expired, or its dealer stopped (终止合作)."""
    tenant_id = rules.sealed_brand(token)
    try:
        key = await identity.tenant_subkey(ctx.session, tenant_id, INVITE_PURPOSE) if tenant_id else None
    except NotFound:
        key = None
    claims = rules.unseal(key, token) if key else None
    dealer_id, expires = (claims or {}).get("d"), (claims or {}).get("x")
    if tenant_id is None or not isinstance(dealer_id, int) or not isinstance(expires, int):
        raise BadInvite("this invitation is not valid", [FieldError("invite", "not valid", "bad_invite")])
    if expires <= ctx.now().timestamp():
        raise BadInvite("this invitation has expired", [FieldError("invite", "expired", "invite_expired")])
    await identity.enter_tenant(ctx, tenant_id)
    dealer = (await repo.dealers_by_ids(ctx.session, [dealer_id])).get(dealer_id)
    if dealer is None or not dealer.active:
        raise BadInvite("the dealer no longer works with the brand", [FieldError("invite", "dealer", "bad_invite")])
    return Invite(dealer.id, dealer.name, token, dt.datetime.fromtimestamp(expires, dt.UTC))


async def send_invite_code(ctx: Ctx, token: str, phone: str) -> Outcome[CodeSent]:
    """An SMS code to the invited person's phone (members' limits apply)."""
    await open_invite(ctx, token)
    return await members.send_code(ctx, phone, LOGIN_PURPOSE)


async def accept_invite(ctx: Ctx, token: str, phone: str, code: str, name: str, user_agent: str | None) -> Outcome[str]:
    """The code proves the phone: its person holds a pending dealer_staff role of the dealer and
    is signed in (the session token). The privacy terms were accepted on the page (now)."""
    invite = await open_invite(ctx, token)
    name = " ".join(name.split())
    if len(name) > 60:
        raise Invalid("name too long", [FieldError("name", "at most 60 characters", "too_long")])
    error = await members.check_code(ctx, phone, code, LOGIN_PURPOSE)
    if error is not None:
        return Outcome(error=error)
    person = await members.phone_person(ctx, phone)
    role = await repo.find_role(ctx.session, person.id, "dealer_staff", invite.dealer_id, None)
    if role is not None and role.status == "active":
        return Outcome(error=Conflict("you are on this dealer's staff already", code="role_exists"))
    if role is None:
        role = ChannelRole(tenant_id=ctx.tenant_id, person_id=person.id, kind="dealer_staff",
                           dealer_id=invite.dealer_id)  # fmt: skip
        repo.add(ctx.session, role)
    role.name, role.status, role.consented_at, role.review_note = name, "pending", ctx.now(), ""
    await ctx.session.flush()
    session_token, _ = await open_session(ctx, person.id, user_agent)
    identity.record_audit(ctx, "channel_role.requested", "channel_role", role.id,
                          {"kind": "dealer_staff", "dealer_id": invite.dealer_id, "person_id": person.id})  # fmt: skip
    return Outcome(session_token)


async def pending_staff(ctx: Ctx) -> list[ChannelRoleRead]:
    """The staff waiting for the signed-in owner's approval, at all the dealers he owns."""
    roles: list[ChannelRole] = []
    for dealer_id in await _owned_dealers(ctx):
        wanted = ChannelRoleFilter(kind="dealer_staff", status="pending", dealer_id=dealer_id)
        roles += await repo.list_roles(ctx.session, wanted, None, MAX_PENDING, None)
    return await read_roles(ctx, roles, full_phone=True)


async def decide_staff(ctx: Ctx, role_id: int, approve: bool, reason: str = "") -> ChannelRoleRead:
    """The owner approves or rejects a person who asked to join his dealer's staff."""
    role = await repo.get_role(ctx.session, role_id)
    if role is None or role.kind != "dealer_staff" or role.dealer_id not in await _owned_dealers(ctx):
        detail = [FieldError("role_id", "not a request to join your dealer", "not_your_partner")]
        raise Forbidden("only the dealer's owner decides on its staff", detail, code="not_your_partner")
    await decide(ctx, role, approve, reason or ("" if approve else "经销商负责人未通过"))
    return (await read_roles(ctx, [role], full_phone=True))[0]
