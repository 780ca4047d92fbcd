"""Channel accounts (渠道账号): the people who work for dealers and stores, signed in by phone.

A channel account is a person of members (the same One ID a consumer has) holding roles, each
tied to one dealer or store (``ChannelRole``). Brand staff grant and disable roles; the person
signs in with their phone and an SMS code and then acts only for the partners of their active
roles (``Actor.parties``). A role disabled takes effect on the next request: every request
reads the roles again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from yima.identity import service as identity
from yima.members import service as members
from yima.members.schemas import CodeSent
from yima.members.service import Outcome
from yima.partners import repository as repo
from yima.partners import rules
from yima.partners.models import ChannelRole, ChannelSession
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import (
    ChannelLogin,
    ChannelLoginCode,
    ChannelMe,
    ChannelRoleCreate,
    ChannelRoleFilter,
    ChannelRoleRead,
    ChannelSignedIn,
)
from yima.partners.service import places
from yima.platform import crypto
from yima.platform.ctx import Actor, Ctx
from yima.platform.db.tenancy import bind_tenant
from yima.platform.errors import AppError, Conflict, FieldError, Forbidden, Invalid, NotFound, Unauthorized

LOGIN_PURPOSE = "channel_login"  # members' SMS code purpose: a login code proves nothing else


class NotChannelAccount(AppError):
    code = "not_a_channel_account"
    status = 403


async def read_roles(ctx: Ctx, roles: Sequence[ChannelRole], full_phone: bool) -> list[ChannelRoleRead]:
    """The roles as the edges show them, in the order given: their dealer's, store's or area's
    name, the person's phone (in full for the brand's staff, masked otherwise). For the partners'
    own use cases (registration, invites, people, the accounts sheet); checks nothing."""
    dealers = await repo.dealers_by_ids(ctx.session, [r.dealer_id for r in roles if r.dealer_id])
    stores = await repo.stores_by_ids(ctx.session, [r.store_id for r in roles if r.store_id])
    areas = await places.region_names(ctx, [r.region_code for r in roles])
    phones: dict[int, str | None] = {}
    for person_id in {r.person_id for r in roles}:
        phones[person_id] = await members.verified_phone(ctx, person_id)
    reads = []
    for r in roles:
        partner = dealers.get(r.dealer_id) if r.dealer_id else stores.get(r.store_id or 0)
        phone = phones[r.person_id] if full_phone else members.mask_phone(phones[r.person_id])
        partner_name = partner.name if partner else areas.get(r.region_code or "", "")
        reads.append(
            ChannelRoleRead(
                id=r.id, person_id=r.person_id, phone=phone, name=r.name,
                kind=r.kind, kind_name=rules.ROLE_NAMES[r.kind], dealer_id=r.dealer_id, store_id=r.store_id,
                region_code=r.region_code, partner_name=partner_name, status=r.status, created_at=r.created_at,
                updated_at=r.updated_at,
            )
        )  # fmt: skip
    return reads


# The brand's staff -------------------------------------------------------------------------------


async def _check_partner(ctx: Ctx, data: ChannelRoleCreate) -> None:
    regions = ctx.actor.region_codes
    if data.dealer_id is not None and await repo.get_dealer(ctx.session, data.dealer_id, regions) is None:
        raise Invalid("no such dealer", [FieldError("dealer_id", f"dealer {data.dealer_id} not found", "not_found")])
    if data.store_id is not None and await repo.get_store(ctx.session, data.store_id, regions) is None:
        raise Invalid("no such store", [FieldError("store_id", f"store {data.store_id} not found", "not_found")])
    if data.region_code is not None:
        await places.check_district(ctx, data.region_code, "region_code")
        if not places.in_scope(ctx, data.region_code):
            detail = FieldError("region_code", f"{data.region_code} is outside your regions", "outside_your_regions")
            raise Invalid("an area outside your regions", [detail])


async def grant_role(ctx: Ctx, data: ChannelRoleCreate) -> ChannelRoleRead:
    """Give the person of ``data.phone`` (made when the brand has none) a role at a dealer or
    store, active at once: staff vouch for the number. A disabled or rejected role is enabled
    again; an active one is a conflict."""
    ctx.require(PARTNERS_WRITE.name)
    await _check_partner(ctx, data)
    person = await members.phone_person(ctx, data.phone)
    role = await repo.find_role(ctx.session, person.id, data.kind, data.dealer_id, data.store_id, data.region_code)
    if role is not None and role.status == "active":
        raise Conflict("this phone already holds this role", [FieldError("phone", "already active", "role_exists")])
    if role is None:
        role = ChannelRole(tenant_id=ctx.tenant_id, person_id=person.id, kind=data.kind, dealer_id=data.dealer_id,
                           store_id=data.store_id, region_code=data.region_code)  # fmt: skip
        repo.add(ctx.session, role)
    role.name, role.status = data.name, "active"
    await ctx.session.flush()
    changes = data.model_dump(include={"kind", "dealer_id", "store_id", "region_code"}) | {"person_id": person.id}
    identity.record_audit(ctx, "channel_role.grant", "channel_role", role.id, changes)
    return (await read_roles(ctx, [role], full_phone=True))[0]


async def set_role_status(ctx: Ctx, role_id: int, status: rules.RoleStatus) -> ChannelRoleRead:
    """Enable, disable (停用), approve or reject a role; the account feels it on its next request."""
    ctx.require(PARTNERS_WRITE.name)
    role = await repo.get_role(ctx.session, role_id, places.scope(ctx))
    if role is None:
        raise NotFound(f"no channel role {role_id}")
    if role.status != status:
        identity.record_audit(ctx, "channel_role.status", "channel_role", role.id, {"status": [role.status, status]})
        role.status = status
        await ctx.session.flush()
    return (await read_roles(ctx, [role], full_phone=True))[0]


async def list_roles(ctx: Ctx, filters: ChannelRoleFilter, limit: int, before_id: int | None) -> list[ChannelRoleRead]:
    ctx.require(PARTNERS_READ.name)
    person_ids = None
    if filters.phone:
        person = await members.person_by_phone(ctx, filters.phone)
        person_ids = [person.id] if person else []
    rows = await repo.list_roles(ctx.session, filters, person_ids, limit, before_id, places.scope(ctx))
    return await read_roles(ctx, rows, full_phone=True)


# The account itself --------------------------------------------------------------------------------


async def enter_brand(ctx: Ctx, slug: str) -> None:
    """Bind ``ctx`` to the brand of ``slug`` (a phone names its brand on the login and the
    registration pages); Invalid on ``brand`` when there is none."""
    try:
        tenant = await identity.get_tenant_by_slug(ctx.session, slug)
    except NotFound as exc:
        raise Invalid("no such brand", [FieldError("brand", f"no brand {slug!r}", "not_found")]) from exc
    await identity.enter_tenant(ctx, tenant.id)


async def _account(ctx: Ctx, phone: str) -> int | None:
    """The person of ``phone`` when they hold an active role in the brand."""
    person = await members.person_by_phone(ctx, phone)
    if person is None or not await repo.roles_of(ctx.session, person.id, "active"):
        return None
    return person.id


def _not_account() -> NotChannelAccount:
    detail = [FieldError("phone", "no active dealer or store role", "not_a_channel_account")]
    return NotChannelAccount("this phone has no channel account with the brand; ask the brand to add it", detail)


async def send_login_code(ctx: Ctx, data: ChannelLoginCode) -> Outcome[CodeSent]:
    """登录 step 1: an SMS code to a phone that holds an active role (no SMS is spent on others)."""
    await enter_brand(ctx, data.brand)
    if await _account(ctx, data.phone) is None:
        return Outcome(error=_not_account())
    return await members.send_code(ctx, data.phone, LOGIN_PURPOSE)


async def login(ctx: Ctx, data: ChannelLogin, user_agent: str | None) -> Outcome[ChannelSignedIn]:
    """登录 step 2: the code proves the phone; a new session for the person of the phone."""
    await enter_brand(ctx, data.brand)
    person_id = await _account(ctx, data.phone)
    if person_id is None:
        return Outcome(error=_not_account())
    verified = await members.verify_phone(ctx, person_id, data.phone, data.code, LOGIN_PURPOSE)
    if verified.value is None:
        return Outcome(error=verified.error)
    token, session = await open_session(ctx, verified.value.id, user_agent)
    me = await channel_me(ctx)
    return Outcome(ChannelSignedIn(token=token, csrf_token=session.csrf_token, expires_at=session.expires_at, me=me))


async def open_session(ctx: Ctx, person_id: int, user_agent: str | None) -> tuple[str, ChannelSession]:
    """A new session for the person (signing in, or registering by phone), ``ctx`` acting as
    them: its token (shown once, stored as a hash) and the row."""
    token, now = rules.CHANNEL_TOKEN_PREFIX + crypto.new_secret(32), ctx.now()
    session = ChannelSession(
        tenant_id=ctx.tenant_id, token_hash=crypto.fingerprint(token), person_id=person_id,
        csrf_token=crypto.new_secret(24), ip=ctx.ip, user_agent=(user_agent or "")[:300], created_at=now,
        expires_at=now + dt.timedelta(days=rules.CHANNEL_SESSION_DAYS),
    )  # fmt: skip
    repo.add(ctx.session, session)
    await ctx.session.flush()
    await _act_as(ctx, session)
    return token, session


async def _act_as(ctx: Ctx, session: ChannelSession) -> bool:
    roles = await repo.roles_of(ctx.session, session.person_id, "active")
    if not roles:
        return False
    parties = {rules.role_party(r.kind, r.id, r.dealer_id, r.store_id) for r in roles}
    ctx.actor = Actor(
        kind="person",
        id=session.person_id,
        name=next((r.name for r in roles if r.name), f"person:{session.person_id}"),
        permissions=frozenset().union(*(rules.ROLE_PERMISSIONS[r.kind] for r in roles)),
        roles=frozenset(r.kind for r in roles),
        parties=frozenset(p for p in parties if p is not None),
    )
    return True


async def sign_in_channel(ctx: Ctx, token: str) -> str | None:
    """Act as the channel account of a session token (cookie or Bearer): ``ctx`` bound to its
    brand and person; the session's CSRF token, or None when the token is no live session or
    the person holds no active role any more."""
    session = await _live_session(ctx, token)
    return session.csrf_token if session is not None and await _act_as(ctx, session) else None


async def enter_channel_session(ctx: Ctx, token: str) -> str | None:
    """``sign_in_channel`` for the phone pages of registration (注册): a live session counts
    even while its person's roles all wait for review; then ``ctx`` acts as the person with no
    permission and no partner (``Actor.parties`` empty)."""
    session = await _live_session(ctx, token)
    if session is None:
        return None
    if not await _act_as(ctx, session):
        ctx.actor = Actor(kind="person", id=session.person_id, name=f"person:{session.person_id}", parties=frozenset())
    return session.csrf_token


async def channel_session(ctx: Ctx, token: str | None, *, pending: bool = False) -> str | None:
    """What a phone page of any context asks first: the channel session of ``token`` (the
    ``yima_channel`` cookie's value, None when the phone sent none), ``ctx`` acting as its account
    (``sign_in_channel``); the session's CSRF token, which the page's forms carry back, or None
    when there is no live session or its person holds no active role. ``pending``: the person
    may also hold only roles waiting for review (``enter_channel_session``)."""
    if not token:
        return None
    return await (enter_channel_session if pending else sign_in_channel)(ctx, token)


async def _live_session(ctx: Ctx, token: str) -> ChannelSession | None:
    """The unexpired, unrevoked session of ``token``, ``ctx`` bound to its brand; None otherwise."""
    if not token.startswith(rules.CHANNEL_TOKEN_PREFIX):
        return None
    session = await repo.session_by_hash(ctx.session, crypto.fingerprint(token))
    if session is None or session.revoked_at is not None or session.expires_at <= ctx.now():
        return None
    bind_tenant(ctx.session.sync_session, session.tenant_id)
    ctx.tenant = await identity.tenant_info(ctx.session, session.tenant_id)
    return session


def _channel_person(ctx: Ctx) -> int:
    ctx.require(rules.CHANNEL_SELF)
    if ctx.actor.id is None or ctx.actor.parties is None:
        raise Forbidden("only a channel account has roles of its own", code="permission_denied")
    return ctx.actor.id


async def logout(ctx: Ctx, token: str, csrf: str | None = None) -> None:
    """End the session of ``token``, asked by the token's own holder: any live session, its
    person's roles active or all still waiting for review (or refused, or disabled), ``ctx``
    bound to its brand. ``csrf`` is for a token a cookie carried (the browser sends that by
    itself): it must be the session's CSRF token. Unauthorized when the token is no live
    session (ended, expired, or none at all)."""
    session = await _live_session(ctx, token)
    if session is None:
        raise Unauthorized("the session has ended; sign in again")
    if csrf is not None and not crypto.same(csrf, session.csrf_token):
        raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
    session.revoked_at = ctx.now()
    await ctx.session.flush()


async def channel_me(ctx: Ctx) -> ChannelMe:
    """The signed-in account and its active roles (phones masked)."""
    person_id = _channel_person(ctx)
    roles = await read_roles(ctx, await repo.roles_of(ctx.session, person_id, "active"), full_phone=False)
    phone = members.mask_phone(await members.verified_phone(ctx, person_id))
    return ChannelMe(person_id=person_id, phone=phone, roles=roles)


# Who a channel account deals with (the logistics pages offer these) -------------------------------


@dataclass(frozen=True)
class PartnerChoice:
    kind: str  # warehouse, dealer, store
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Counterparts:
    own: list[PartnerChoice]  # the dealers and stores the account acts for
    ship_to: list[PartnerChoice]  # the stores of its dealers, and their sub-distributors
    return_to: list[PartnerChoice]  # the dealer of its stores, the parent of its dealers, the warehouses


async def counterparts(ctx: Ctx, limit: int) -> Counterparts:
    """For a channel account only (``Actor.parties``): its partners and those it deals with."""
    parties = ctx.actor.parties or frozenset()
    dealer_ids = sorted(i for k, i in parties if k == "dealer")
    store_ids = sorted(i for k, i in parties if k == "store")
    dealers = list((await repo.dealers_by_ids(ctx.session, dealer_ids)).values())
    stores = list((await repo.stores_by_ids(ctx.session, store_ids)).values())
    supplied = await repo.stores_of_dealers(ctx.session, dealer_ids, limit)
    subs = await repo.dealers_under(ctx.session, dealer_ids, limit)
    upstream_ids = {s.dealer_id for s in stores if s.dealer_id} | {d.parent_id for d in dealers if d.parent_id}
    upstream = list((await repo.dealers_by_ids(ctx.session, upstream_ids)).values())
    warehouses = await repo.active_warehouses(ctx.session, limit) if dealers else []

    def choices(kind: str, rows: Sequence[repo.Named]) -> list[PartnerChoice]:
        return [PartnerChoice(kind, r.id, r.code, r.name) for r in sorted(rows, key=lambda r: r.code) if r.active]

    return Counterparts(
        own=choices("dealer", dealers) + choices("store", stores),
        ship_to=choices("store", supplied) + choices("dealer", subs),
        return_to=choices("dealer", upstream) + choices("warehouse", warehouses),
    )
