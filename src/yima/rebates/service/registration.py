"""A store's people scan goods (门店扫码): a case's inner code opens the case (开箱) and registers
it to the store (货权登记); a bottle's outer code registers the bottle. The first store keeps
the goods. Opening a case settles its held Bb rebate (released to the store's own dealer,
forfeited for any other). Only channel accounts of a store do this: every non-consumer scan
needs a registered account (非C类扫码必须前注册)."""

from __future__ import annotations

from yima.codes import service as codes
from yima.codes.errors import BadCode, UnknownCode
from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Forbidden, Invalid
from yima.rebates import repository as repo
from yima.rebates.permissions import STORE_SCAN
from yima.rebates.schemas import StoreReward, StoreScan, StoreScanResult
from yima.rebates.service.coupons import issue_purchase_coupons
from yima.rebates.service.open_case import draw_open_case
from yima.rebates.service.triggers import settle_for_store, unit_label

# What a store registers: a case by the code inside it, a bottle by the code outside it.
REGISTERING_FACES = {("case", "inner"), ("bottle", "outer")}


def _store_of(ctx: Ctx, store_id: int | None) -> int:
    stores = sorted(i for kind, i in ctx.actor.parties or () if kind == "store")
    if store_id is None and len(stores) == 1:
        return stores[0]
    if store_id is None:
        raise Invalid("say which store you scan for", [FieldError("store_id", "required", "missing")])
    if store_id not in stores:
        detail = [FieldError("store_id", f"store {store_id} is not yours", "not_your_partner")]
        raise Forbidden(f"you scan only for your own store, not store {store_id}", detail, code="not_your_partner")
    return store_id


def _scanner(ctx: Ctx) -> int:
    if ctx.actor.kind != "person" or ctx.actor.id is None:
        raise Forbidden("a store's goods are scanned by its people, signed in on their phones", code="not_a_person")
    return ctx.actor.id


async def store_scan(ctx: Ctx, data: StoreScan) -> StoreScanResult:
    """Register the goods to the store (the first store keeps them); opening a case also settles
    its held Bb rebate and draws its open-case reward."""
    ctx.require(STORE_SCAN.name)
    person_id = _scanner(ctx)
    store = await partners.lookup_store(ctx, _store_of(ctx, data.store_id))
    try:
        unit = await codes.describe(ctx, data.code)
    except (UnknownCode, BadCode) as exc:
        raise Invalid("not a code of this brand", [FieldError("code", "unknown", "unknown_code")]) from exc
    if (unit.level, unit.face) not in REGISTERING_FACES:
        raise Invalid(
            "a store scans a case's inner code or a bottle's outer code",
            [FieldError("code", f"the {unit.face or 'only'} code of a {unit.level}", "wrong_face")],
        )
    if unit.state != "active":
        raise Invalid(f"the code is {unit.state}", [FieldError("code", unit.state, "not_active")])
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
    return StoreScanResult(
        serial=unit.serial, level=unit.level, store_id=store.id, store_name=store.name,
        registered_now=registered_now, registered_at=registration.registered_at, rewards=rewards,
    )  # fmt: skip
