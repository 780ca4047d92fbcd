"""A store's people scan goods (门店扫码): a case's inner code opens the case (开箱) and registers
it to the store (货权登记); a bottle's outer code registers the bottle. The first store keeps
the goods. Opening a case settles its held Bb rebate (released to the store's own dealer,
forfeited for any other). A guide (导购) registers the bottles they sell by their caps' outer
codes. Only channel accounts do this: every non-consumer scan needs a registered account
(非C类扫码必须前注册)."""

from __future__ import annotations

from yima.codes import service as codes
from yima.codes.errors import BadCode, UnknownCode
from yima.codes.schemas import ResolvedCode
from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Forbidden, Invalid
from yima.rebates import repository as repo
from yima.rebates.permissions import GUIDE_SCAN, STORE_SCAN
from yima.rebates.rules import Registration
from yima.rebates.schemas import GuideScan, GuideScanResult, StoreReward, StoreScan, StoreScanResult
from yima.rebates.service.coupons import issue_purchase_coupons
from yima.rebates.service.open_case import draw_open_case
from yima.rebates.service.triggers import settle_for_store, unit_label

# What a store registers: a case by the code inside it, a bottle by the code outside it.
REGISTERING_FACES = {("case", "inner"), ("bottle", "outer")}
GUIDE_FACES = {("bottle", "outer")}  # a guide scans the cap's outer code of the bottle they sell
GUIDE_RULE = "a guide scans a bottle's outer code (瓶盖外码)"


def _own(ctx: Ctx, kind: str, chosen: int | None, field: str) -> int:
    """The account's own ``kind`` party it scans for: ``chosen``, or its only one."""
    mine = sorted(i for k, i in ctx.actor.parties or () if k == kind)
    if chosen is None and len(mine) == 1:
        return mine[0]
    if chosen is None:
        raise Invalid(f"say which {kind} you scan for", [FieldError(field, "required", "missing")])
    if chosen not in mine:
        detail = [FieldError(field, f"{kind} {chosen} is not yours", "not_your_partner")]
        raise Forbidden(f"you scan only as yourself, not {kind} {chosen}", detail, code="not_your_partner")
    return chosen


async def _scanned(ctx: Ctx, code: str, faces: set[tuple[str, str]], rule: str) -> ResolvedCode:
    try:
        unit = await codes.describe(ctx, code)
    except (UnknownCode, BadCode) as exc:
        raise Invalid("not a code of this brand", [FieldError("code", "unknown", "unknown_code")]) from exc
    if (unit.level, unit.face) not in faces:
        raise Invalid(rule, [FieldError("code", f"the {unit.face or 'only'} code of a {unit.level}", "wrong_face")])
    if unit.state != "active":
        raise Invalid(f"the code is {unit.state}", [FieldError("code", unit.state, "not_active")])
    return unit


def _scanner(ctx: Ctx) -> int:
    if ctx.actor.kind != "person" or ctx.actor.id is None:
        raise Forbidden("a store's goods are scanned by its people, signed in on their phones", code="not_a_person")
    return ctx.actor.id


async def store_scan(ctx: Ctx, data: StoreScan) -> StoreScanResult:
    """Register the goods to the store (the first store keeps them); opening a case also settles
    its held Bb rebate and draws its open-case reward."""
    ctx.require(STORE_SCAN.name)
    person_id = _scanner(ctx)
    store = await partners.lookup_store(ctx, _own(ctx, "store", data.store_id, "store_id"))
    unit = await _scanned(
        ctx, data.code, REGISTERING_FACES, "a store scans a case's inner code or a bottle's outer code"
    )
    registration = await _registered_around(ctx, unit)
    registered_now = False
    if registration is None:
        row = {
            "tenant_id": ctx.tenant_id, "serial": unit.serial, "store_id": store.id,
            "dealer_id": store.dealer_id, "person_id": person_id, "registered_at": ctx.now(),
        }  # fmt: skip
        registered_now = await repo.register(ctx.session, row)
        registration = (await repo.registrations(ctx.session, [unit.serial]))[unit.serial]
    if registration.store_id != store.id:
        detail = [FieldError("code", "registered by another store", "registered_elsewhere")]
        raise Conflict("another store registered these goods first", detail, code="registered_elsewhere")
    rewards: list[StoreReward] = []
    if unit.level == "case":
        await settle_for_store(ctx, store, [unit.serial], f"store_scan:{store.id}")
        label = unit_label(unit.serial)
        rewards = await draw_open_case(ctx, store, unit, person_id, label)
        rewards += await issue_purchase_coupons(ctx, store, unit, person_id, label)
    return ctx.shown(StoreScanResult(
        serial=unit.serial, level=unit.level, store_id=store.id, store_name=store.name,
        registered_now=registered_now, registered_at=registration.registered_at, rewards=rewards,
    ))  # fmt: skip


async def _registered_around(ctx: Ctx, unit: ResolvedCode) -> Registration | None:
    """The registration of the case the bottle sits in, when a store opened it: the bottle is
    that store's already (a consumer's scan of it pays the case's store), so another store
    scanning its outer code must not take it, nor the same store register it twice."""
    parents = [a.serial for a in codes.ancestors_of(unit)]
    found = await repo.registrations(ctx.session, parents)
    return next((found[s] for s in parents if s in found), None)


async def guide_scan(ctx: Ctx, data: GuideScan) -> GuideScanResult:
    """A guide (导购) registers a bottle they sell by its cap's outer code: consumer scans of it
    then pay that guide under guide policies. The first guide keeps the bottle."""
    ctx.require(GUIDE_SCAN.name)
    person_id = _scanner(ctx)
    role_id = _own(ctx, "guide", data.role_id, "role_id")
    role = (await partners.lookup_roles(ctx, [role_id]))[role_id]  # a party of the account: it exists
    unit = await _scanned(ctx, data.code, GUIDE_FACES, GUIDE_RULE)
    row = {
        "tenant_id": ctx.tenant_id, "serial": unit.serial, "role_id": role.id, "person_id": person_id,
        "store_id": role.store_id, "registered_at": ctx.now(),
    }  # fmt: skip
    registered_now = await repo.register_for_guide(ctx.session, row)
    registration = (await repo.guide_registrations(ctx.session, [unit.serial]))[unit.serial]
    if registration.role_id != role.id:
        detail = [FieldError("code", "registered by another guide", "registered_elsewhere")]
        raise Conflict("another guide registered this bottle first", detail, code="registered_elsewhere")
    return ctx.shown(GuideScanResult(
        serial=unit.serial, role_id=role.id, registered_now=registered_now, registered_at=registration.registered_at
    ))


async def check_guide_code(ctx: Ctx, code: str) -> None:
    """Refuse, as ``guide_scan`` would, a code a guide cannot register whoever holds the bottle
    (not the brand's, not a bottle's outer code, not active): the phone page asks before the
    guide confirms, so a guide who scanned a case's inner code is told at once."""
    ctx.require(GUIDE_SCAN.name)
    await _scanned(ctx, code, GUIDE_FACES, GUIDE_RULE)
