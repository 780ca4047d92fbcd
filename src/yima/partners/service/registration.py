"""Registration by the people themselves (门店首次扫码注册) and the brand's review of it (注册审核).

A store's person who scans a case without an account registers in four steps, each its own
request and transaction, carried from one to the next by a sealed ticket (``rules.seal`` under
the brand's own key, good for an hour): privacy consent (隐私协议) → location (the phone's
position, or an address typed instead; its district from geo) → the phone proven by an SMS code
(members' codes, the login's purpose), which signs the phone in at once → a new store (made
inactive, this person its owner, its dealer chosen among those whose territory holds the place or
left open) or a store that exists, joined as clerk (or guide). What they ask for is a **pending**
role: it acts for nothing until the brand approves it (dealer staff: their dealer's owner too, see
invites.py). Approving opens the store the request made; rejecting keeps the reason. Staff limited
to some regions review only the requests at a store or dealer of theirs, or of an area guide group
inside them; any other is not found to them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from yima.geo import service as geo
from yima.identity import service as identity
from yima.members import service as members
from yima.members.schemas import CodeSent
from yima.members.service import Outcome
from yima.partners import repository as repo
from yima.partners import rules
from yima.partners.models import ChannelRole, Store
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import ChannelRoleFilter, ChannelRoleRead, RegistrationRead, StoreFilter
from yima.partners.service import places
from yima.partners.service.accounts import LOGIN_PURPOSE, enter_brand, open_session, read_roles
from yima.platform import crypto
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Forbidden, Invalid, NotFound

TICKET_PURPOSE = b"partners-register"
NEARBY_STORES = 20


@dataclass(frozen=True)
class Ticket:
    """How far a phone's registration has come (what it carries between the steps)."""

    token: str
    csrf: str  # the phone pages' forms carry it back (no session exists before the phone step)
    issued: int
    consented_at: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    region_code: str | None = None  # the district of the place: known once located

    def claims(self) -> dict[str, object]:
        consented = int(self.consented_at.timestamp()) if self.consented_at else None
        return {"c": self.csrf, "t": self.issued, "ok": consented, "lat": self.lat, "lon": self.lon,
                "r": self.region_code}  # fmt: skip


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


async def _seal(ctx: Ctx, claims: dict[str, object]) -> Ticket:
    key = await identity.tenant_subkey(ctx.session, ctx.tenant_id, TICKET_PURPOSE)
    consented, region = _number(claims.get("ok")), claims.get("r")
    return Ticket(
        token=rules.seal(key, ctx.tenant_id, claims), csrf=str(claims.get("c", "")),
        issued=int(_number(claims.get("t")) or 0),
        consented_at=dt.datetime.fromtimestamp(consented, dt.UTC) if consented is not None else None,
        lat=_number(claims.get("lat")), lon=_number(claims.get("lon")),
        region_code=region if isinstance(region, str) else None,
    )  # fmt: skip


async def start_registration(ctx: Ctx, brand: str) -> Ticket:
    """A new registration with the brand of slug ``brand`` (``ctx`` bound to it)."""
    await enter_brand(ctx, brand)
    return await _seal(ctx, {"c": crypto.new_secret(16), "t": int(ctx.now().timestamp())})


async def read_registration(ctx: Ctx, token: str | None) -> Ticket | None:
    """The registration a phone carries, ``ctx`` bound to its brand when it was bound to none;
    None when there is none, or it is forged, over an hour old or another brand's."""
    tenant_id = rules.sealed_brand(token) if token else None
    if token is None or tenant_id is None or (ctx.tenant is not None and ctx.tenant.id != tenant_id):
        return None
    try:
        claims = rules.unseal(await identity.tenant_subkey(ctx.session, tenant_id, TICKET_PURPOSE), token)
    except NotFound:
        return None
    issued = _number(claims.get("t")) if claims else None
    if claims is None or issued is None or ctx.now().timestamp() - issued > rules.REGISTRATION_SECONDS:
        return None
    if ctx.tenant is None:
        await identity.enter_tenant(ctx, tenant_id)
    return await _seal(ctx, claims)


def _step_error(field: str, message: str, code: str) -> Invalid:
    return Invalid(message, [FieldError(field, message, code)])


async def consent_to_terms(ctx: Ctx, ticket: Ticket, accepted: bool) -> Ticket:
    """Step 1: the privacy terms (隐私协议) accepted; when is recorded with the role asked for."""
    if not accepted:
        raise _step_error("consent", "accept the privacy terms to register", "consent_required")
    return await _seal(ctx, ticket.claims() | {"ok": int(ctx.now().timestamp())})


async def locate_registration(
    ctx: Ctx, ticket: Ticket, lat: float | None, lon: float | None, address: str = ""
) -> Ticket:
    """Step 2: where the phone is — its position, or an address typed when it gives none — as a
    district (an address that names one confidently wins, as for every place)."""
    _needs(ticket, consented=True)
    if (lat is None) != (lon is None) or (lat is None and not address.strip()):
        raise _step_error("lat", "give the phone's position or the store's address", "place_required")
    region = await places.derive_region(ctx, address, lat, lon)
    if region is None:
        raise _step_error("address" if lat is None else "lat", "no district found for this place", "unknown_place")
    return await _seal(ctx, ticket.claims() | {"lat": lat, "lon": lon, "r": region})


def _needs(ticket: Ticket, *, consented: bool = False, located: bool = False) -> None:
    if consented and ticket.consented_at is None:
        raise _step_error("consent", "accept the privacy terms first", "consent_required")
    if located and ticket.region_code is None:
        raise _step_error("lat", "say where you are first", "place_required")


async def send_registration_code(ctx: Ctx, ticket: Ticket, phone: str) -> Outcome[CodeSent]:
    """Step 3a: an SMS code to the phone (members' limits apply)."""
    _needs(ticket, consented=True, located=True)
    return await members.send_code(ctx, phone, LOGIN_PURPOSE)


async def verify_registration_phone(
    ctx: Ctx, ticket: Ticket, phone: str, code: str, user_agent: str | None
) -> Outcome[str]:
    """Step 3b: the code proves the phone; its person (made when new) is signed in: the session
    token. A wrong code comes back as ``error``, counted."""
    _needs(ticket, consented=True, located=True)
    error = await members.check_code(ctx, phone, code, LOGIN_PURPOSE)
    if error is not None:
        return Outcome(error=error)
    person = await members.phone_person(ctx, phone)
    token, _ = await open_session(ctx, person.id, user_agent)
    return Outcome(token)


def _person(ctx: Ctx) -> int:
    if ctx.actor.id is None or ctx.actor.parties is None:
        raise Forbidden("sign in with your phone first", code="permission_denied")
    return ctx.actor.id


async def my_roles(ctx: Ctx) -> list[ChannelRoleRead]:
    """Every role of the signed-in phone's person, pending and rejected ones too (phones masked)."""
    return await read_roles(ctx, await repo.roles_of(ctx.session, _person(ctx)), full_phone=False)


@dataclass(frozen=True)
class Choice:
    id: int
    code: str
    name: str
    address: str = ""


@dataclass(frozen=True)
class Choices:
    region_name: str
    dealers: list[Choice]  # active dealers whose territory holds the place
    stores: list[Choice]  # active stores of the district, nearest first when both have points


async def registration_choices(ctx: Ctx, ticket: Ticket) -> Choices:
    """Step 4's options for the place the ticket holds."""
    _needs(ticket, consented=True, located=True)
    assert ticket.region_code is not None
    dealers = await repo.dealers_by_ids(ctx.session, await repo.dealers_covering(ctx.session, ticket.region_code))
    rows = await repo.list_stores(ctx.session, StoreFilter(active=True, region=ticket.region_code), None,
                                  NEARBY_STORES, None)  # fmt: skip
    if ticket.lat is not None and ticket.lon is not None:
        lat, lon = ticket.lat, ticket.lon
        rows.sort(key=lambda s: geo.distance_km(lat, lon, s.lat, s.lon) if s.lat and s.lon else float("inf"))
    names = await places.region_names(ctx, [ticket.region_code])
    return Choices(
        region_name=names.get(ticket.region_code, ticket.region_code),
        dealers=[Choice(d.id, d.code, d.name) for d in sorted(dealers.values(), key=lambda d: d.code) if d.active],
        stores=[Choice(s.id, s.code, s.name, s.address) for s in rows],
    )


def _text(value: str, field: str, most: int, *, required: bool = False) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise _step_error(field, f"{field} is required", "missing")
    if len(text) > most:
        raise _step_error(field, f"at most {most} characters", "too_long")
    return text


async def _ask(
    ctx: Ctx, ticket: Ticket, kind: str, store: Store | None, name: str, *, new_store: bool
) -> ChannelRoleRead:
    """The pending role of the signed-in person at ``store`` (again, when refused before); with
    no store, a guide of the located district's guide group (区域导购群)."""
    person_id = _person(ctx)
    store_id = store.id if store else None
    role = await repo.find_role(ctx.session, person_id, kind, None, store_id)
    if role is not None and role.status in ("active", "pending"):
        why = "you hold this role already" if role.status == "active" else "your request waits for review"
        raise Conflict(why, [FieldError("store_id", why, "role_exists")])
    if role is None:
        role = ChannelRole(tenant_id=ctx.tenant_id, person_id=person_id, kind=kind, store_id=store_id)
        repo.add(ctx.session, role)
    role.name, role.status, role.new_store, role.review_note = name, "pending", new_store, ""
    role.consented_at, role.located_region = ticket.consented_at, ticket.region_code
    if store is None:
        role.region_code = ticket.region_code
    await ctx.session.flush()
    identity.record_audit(ctx, "channel_role.requested", "channel_role", role.id,
                          {"kind": kind, "store_id": store_id, "region_code": role.region_code,
                           "person_id": person_id})  # fmt: skip
    return (await read_roles(ctx, [role], full_phone=False))[0]


async def register_store(
    ctx: Ctx, ticket: Ticket, name: str, address: str, owner_name: str, dealer_id: int | None
) -> ChannelRoleRead:
    """Step 4: a new store, inactive until approved, at the ticket's place, this person its
    owner (店主, pending); its dealer one whose territory holds the place, or none yet."""
    _needs(ticket, consented=True, located=True)
    values = {"name": _text(name, "name", 120, required=True), "address": _text(address, "address", 200),
              "owner_name": _text(owner_name, "owner_name", 60)}  # fmt: skip
    if dealer_id is not None and dealer_id not in {c.id for c in (await registration_choices(ctx, ticket)).dealers}:
        raise _step_error("dealer_id", "choose a dealer that serves this place", "unknown_dealer")
    phone = await members.verified_phone(ctx, _person(ctx))
    store = Store(
        tenant_id=ctx.tenant_id, code=f"R{secrets.token_hex(5).upper()}", dealer_id=dealer_id,
        owner_phone=(phone or "").removeprefix("+86"), region_code=ticket.region_code, lat=ticket.lat,
        lon=ticket.lon, active=False, **values,
    )  # fmt: skip
    repo.add(ctx.session, store)
    await ctx.session.flush()
    identity.record_audit(ctx, "store.registered", "store", store.id, values | {"dealer_id": dealer_id})
    return await _ask(ctx, ticket, "store_owner", store, values["owner_name"], new_store=True)


async def join_store(
    ctx: Ctx, ticket: Ticket, kind: str, store_id: int | None, store_code: str, name: str
) -> ChannelRoleRead:
    """Step 4, the other way: a clerk (or guide) of an active store, picked among the district's
    or named by its code."""
    _needs(ticket, consented=True, located=True)
    if kind not in rules.REGISTER_KINDS or kind == "store_owner":
        raise _step_error("kind", "join a store as clerk or guide", "wrong_kind")
    nearby = {c.id for c in (await registration_choices(ctx, ticket)).stores}
    store = (await repo.stores_by_codes(ctx.session, [store_code.strip()])).get(store_code.strip())
    if store_id is not None:
        store = (await repo.stores_by_ids(ctx.session, [store_id])).get(store_id) if store_id in nearby else None
    if store is None or not store.active:
        field = "store_code" if store_id is None else "store_id"
        raise _step_error(field, "no such store open here", "unknown_store")
    return await _ask(ctx, ticket, kind, store, _text(name, "name", 60), new_store=False)


async def join_guide_group(ctx: Ctx, ticket: Ticket, name: str) -> ChannelRoleRead:
    """Step 4, for a guide of no store: join the guide group of the district the phone is in
    (区域导购群 — guides join their area's group by location), pending review."""
    _needs(ticket, consented=True, located=True)
    if ticket.region_code is None:
        raise _step_error("location", "the place is in no district we know", "not_located")
    return await _ask(ctx, ticket, "guide", None, _text(name, "name", 60, required=True), new_store=False)


# The brand's review (注册审核) -----------------------------------------------------------------------


async def _registrations(ctx: Ctx, roles: Sequence[ChannelRole]) -> list[RegistrationRead]:
    reads = await read_roles(ctx, roles, full_phone=True)
    stores = await repo.stores_by_ids(ctx.session, [r.store_id for r in roles if r.store_id])
    codes = [s.region_code for s in stores.values()] + [r.located_region for r in roles]
    names = await places.region_names(ctx, codes + [r.region_code for r in roles])
    out = []
    for role, read in zip(roles, reads, strict=True):
        store = stores.get(role.store_id or 0)
        place = store.region_code if store else role.region_code  # an area guide's district
        out.append(RegistrationRead(
            **read.model_dump(), new_store=role.new_store, address=store.address if store else "",
            region_name=names.get(place or ""), located_region_name=names.get(role.located_region or ""),
            consented_at=role.consented_at, review_note=role.review_note,
        ))  # fmt: skip
    return out


async def list_registrations(
    ctx: Ctx, status: rules.RoleStatus, limit: int, before_id: int | None
) -> list[RegistrationRead]:
    """Up to ``limit + 1`` roles in ``status`` (the queue: pending), newest first; a regional
    manager's: those at a store or dealer of their regions, or of an area guide group inside them."""
    ctx.require(PARTNERS_READ.name)
    wanted = ChannelRoleFilter(status=status)
    rows = await repo.list_roles(ctx.session, wanted, None, limit + 1, before_id, places.scope(ctx))
    return await _registrations(ctx, rows)


async def decide(ctx: Ctx, role: ChannelRole, approve: bool, reason: str) -> None:
    """Approve (the role acts, a store its request made opens) or reject (with the reason) a
    pending role; audited. The caller checked who may decide."""
    if role.status != "pending":
        detail = [FieldError("status", role.status, "not_pending")]
        raise Conflict(f"this request is {role.status}, not pending", detail, code="not_pending")
    note = _text(reason, "reason", rules.REVIEW_NOTE_MAX, required=not approve)
    role.status, role.review_note = ("active", "") if approve else ("rejected", note)
    if approve and role.new_store and role.store_id is not None:
        store = (await repo.stores_by_ids(ctx.session, [role.store_id]))[role.store_id]
        store.active = True
        identity.record_audit(ctx, "store.approved", "store", store.id, {"active": [False, True]})
    await ctx.session.flush()
    action = "channel_role.approved" if approve else "channel_role.rejected"
    identity.record_audit(ctx, action, "channel_role", role.id, {"status": ["pending", role.status], "reason": note})


async def _decided(ctx: Ctx, role_id: int, approve: bool, reason: str) -> RegistrationRead:
    ctx.require(PARTNERS_WRITE.name)
    role = await repo.get_role(ctx.session, role_id, places.scope(ctx))
    if role is None:  # outside a regional manager's regions as if it did not exist
        raise NotFound(f"no registration {role_id}")
    await decide(ctx, role, approve, reason)
    return (await _registrations(ctx, [role]))[0]


async def approve_registration(ctx: Ctx, role_id: int) -> RegistrationRead:
    return await _decided(ctx, role_id, True, "")


async def reject_registration(ctx: Ctx, role_id: int, reason: str) -> RegistrationRead:
    return await _decided(ctx, role_id, False, reason)
