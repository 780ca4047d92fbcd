"""进货返利 (purchase rebate): a store opening a case (the case's inner code) gets a product
coupon (货补券: so many units of a product) under each running purchase policy covering the
case's product, once per (policy, case). The store's dealer honours it (核销) when it next
delivers, and the policy's budget pays the dealer the coupon's value.

Issuing reserves: the value of a policy's issued, unexpired coupons never passes what its
budget holds (coupons are issued under a lock on the policy), so every coupon honoured can be
paid. An expired coupon reserves nothing and cannot be honoured."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from yima.catalog import service as catalog
from yima.codes.schemas import ResolvedCode
from yima.identity import service as identity
from yima.partners import service as partners
from yima.partners.permissions import CHANNEL_SELF
from yima.partners.schemas import StoreRead
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, Conflict, Forbidden, NotFound
from yima.rebates import repository as repo
from yima.rebates import rules
from yima.rebates.models import RebateCoupon
from yima.rebates.permissions import REBATES_READ, REBATES_WRITE
from yima.rebates.schemas import CouponFilter, CouponRead, StoreReward
from yima.rebates.service.credits import MEMO_LENGTH
from yima.rebates.service.live import running_policies
from yima.wallet import service as wallet
from yima.wallet.errors import BUDGET_CANNOT_PAY


def _reward(coupon: RebateCoupon, product: str) -> StoreReward:
    return StoreReward(kind="purchase_coupon", title=f"货补券 {product} × {coupon.quantity}", reason=coupon.reason)


async def issue_purchase_coupons(
    ctx: Ctx, store: StoreRead, unit: ResolvedCode, person_id: int, case_label: str
) -> list[StoreReward]:
    """The coupons the opened case earns the store (those issued for it before, on a repeat);
    a policy whose budget cannot cover one more coupon issues none."""
    product_id = unit.product.id if unit.product else None
    now = ctx.now()
    for live in await running_policies(ctx, rules.ON_CASE_OPENED):
        if not live.covers(product_id):
            continue
        policy = await repo.lock_policy(ctx.session, live.id)
        if policy is None or policy.coupon_product_id is None or policy.budget_account_id is None:
            continue
        budget = await wallet.budget_of(ctx, "rebate_policy", str(policy.id))
        reserved = await repo.reserved_coupon_fen(ctx.session, policy.id, now)
        if budget is None or reserved + policy.store_fen > budget.balance:
            continue
        product = await catalog.lookup_product(ctx, policy.coupon_product_id)
        reason = rules.purchase_coupon(policy.name, case_label, store.name, product.name, policy.coupon_quantity)
        row = {
            "tenant_id": ctx.tenant_id, "policy_id": policy.id, "serial": unit.serial, "store_id": store.id,
            "dealer_id": store.dealer_id, "person_id": person_id, "product_id": product.id,
            "quantity": policy.coupon_quantity, "value_fen": policy.store_fen, "state": "issued",
            "reason": reason[:MEMO_LENGTH], "expires_at": now + dt.timedelta(days=policy.coupon_days),
            "created_at": now, "updated_at": now,
        }  # fmt: skip
        await repo.issue_coupon(ctx.session, row)
    issued = [c for c in await repo.coupons_of_case(ctx.session, unit.serial) if c.store_id == store.id]
    names = {c.product_id: (await catalog.lookup_product(ctx, c.product_id)).name for c in issued}
    return [_reward(c, names[c.product_id]) for c in issued]


async def read_coupons(ctx: Ctx, coupons: Sequence[RebateCoupon]) -> list[CouponRead]:
    policies = await repo.policies_by_ids(ctx.session, {c.policy_id for c in coupons})
    stores = await partners.lookup_stores(ctx, {c.store_id for c in coupons})
    products = {i: await catalog.lookup_product(ctx, i) for i in {c.product_id for c in coupons}}
    now = ctx.now()
    shown = []
    for c in coupons:
        state = rules.coupon_state(c.state, c.expires_at, now)
        values = {f: getattr(c, f) for f in CouponRead.model_fields if hasattr(c, f)}
        values |= {
            "policy_name": policies[c.policy_id].name, "store_name": stores[c.store_id].name if c.store_id in stores
            else "", "product_name": products[c.product_id].name, "state": state,
            "state_name": rules.COUPON_STATE_NAMES[state],
        }  # fmt: skip
        shown.append(ctx.shown(CouponRead.model_validate(values)))
    return shown


async def list_coupons(ctx: Ctx, filters: CouponFilter, limit: int, before_id: int | None) -> list[CouponRead]:
    """The brand's coupons, up to ``limit + 1``, newest first."""
    ctx.require(REBATES_READ.name)
    return await read_coupons(ctx, await repo.list_coupons(ctx.session, filters, limit + 1, before_id))


async def my_coupons(ctx: Ctx, filters: CouponFilter, limit: int, before_id: int | None) -> list[CouponRead]:
    """我的卡券: a store's coupons; for a dealer, the coupons of its stores it honours."""
    ctx.require(CHANNEL_SELF.name)
    parties = ctx.actor.parties or frozenset()
    return await read_coupons(ctx, await repo.list_coupons(ctx.session, filters, limit + 1, before_id, parties))


async def redeem_coupon(ctx: Ctx, coupon_id: int) -> CouponRead:
    """核销: the store's dealer (a dealer's channel account, or the brand's staff on its behalf)
    honours the coupon; the policy's budget pays the dealer its value, once."""
    coupon = await repo.get_coupon(ctx.session, coupon_id)
    if ctx.actor.parties is None:
        ctx.require(REBATES_WRITE.name)
    else:
        ctx.require(CHANNEL_SELF.name)
        if coupon is not None and ("dealer", coupon.dealer_id) not in ctx.actor.parties:
            raise Forbidden("only the store's own dealer honours its coupons", code="not_your_partner")
    if coupon is None:
        raise NotFound(f"coupon {coupon_id} not found")
    if coupon.dealer_id is None:
        raise Conflict("the store has no dealer to honour its coupon", code="no_dealer")
    payee = (await partners.payees_of(ctx, "dealer", [coupon.dealer_id])).get(coupon.dealer_id)
    if payee is None:
        raise Conflict("the dealer has no account to be paid into", code="no_account")
    policy = await repo.get_policy(ctx.session, coupon.policy_id)
    assert policy is not None, "a coupon's policy stays"
    assert policy.budget_account_id is not None, "coupons come from active policies"
    # The claim and the payment stand or fall together, whoever catches a refusal (the phone page
    # shows it and its request still commits).
    async with ctx.session.begin_nested():
        if not await repo.claim_redemption(ctx.session, coupon.id, ctx.now()):
            now = await repo.get_coupon(ctx.session, coupon.id)  # as the request that won left it
            state = rules.coupon_state(now.state, now.expires_at, ctx.now()) if now else "gone"
            raise Conflict(f"the coupon is {state}", code=f"coupon_{state}")
        try:
            journal = await wallet.award(
                ctx, policy.budget_account_id, payee, coupon.value_fen, f"货补券核销 {coupon.reason}"[:MEMO_LENGTH],
                f"rebates:coupon:{coupon.id}",
            )  # fmt: skip
        except AppError as exc:
            if exc.code in BUDGET_CANNOT_PAY:
                raise Conflict("the policy's budget cannot pay this coupon", code="budget_exhausted") from exc
            raise
    coupon = await repo.get_coupon(ctx.session, coupon.id)
    assert coupon is not None
    coupon.journal_id = journal.id
    await ctx.session.flush()
    changes = {"dealer_id": coupon.dealer_id, "value_fen": coupon.value_fen, "journal_id": journal.id}
    identity.record_audit(ctx, "rebate_coupon.redeemed", "rebate_coupon", coupon.id, changes)
    return (await read_coupons(ctx, [coupon]))[0]
