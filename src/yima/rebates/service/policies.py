"""Rebate policies (返利政策): configured by the brand's operators, activated with a wallet budget
(预算账户) that finance funds, paused, resumed and ended; each change audited."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic_core import to_jsonable_python

from yima.catalog import service as catalog
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Invalid, NotFound
from yima.rebates import repository as repo
from yima.rebates import rules
from yima.rebates.errors import WrongState
from yima.rebates.models import RebatePolicy
from yima.rebates.permissions import REBATES_READ, REBATES_WRITE
from yima.rebates.schemas import CouponOutcome, OutcomeRow, PolicyCreate, PolicyFilter, PolicyOutcome, PolicyRead
from yima.rebates.service.live import forget_live
from yima.wallet import service as wallet

BUDGET_OWNER = "rebate_policy"


async def read_policies(ctx: Ctx, policies: Sequence[RebatePolicy]) -> list[PolicyRead]:
    shown = []
    for policy in policies:
        budget = await wallet.budget_of(ctx, BUDGET_OWNER, str(policy.id)) if policy.budget_account_id else None
        values = {c: getattr(policy, c) for c in PolicyRead.model_fields if hasattr(policy, c)}
        values |= {"kind_name": rules.KIND_NAMES[policy.kind][0], "budget_left_fen": budget.balance if budget else None}
        shown.append(ctx.shown(PolicyRead.model_validate(values)))
    return shown


async def load_policy(ctx: Ctx, policy_id: int) -> RebatePolicy:
    policy = await repo.get_policy(ctx.session, policy_id)
    if policy is None:
        raise NotFound(f"rebate policy {policy_id} not found")
    return policy


async def _check_products(ctx: Ctx, product_ids: Sequence[int]) -> None:
    for i, product_id in enumerate(product_ids):
        try:
            await catalog.lookup_product(ctx, product_id)
        except NotFound as exc:
            raise Invalid("no such product", [FieldError(f"product_ids[{i}]", "not found", "not_found")]) from exc


async def create_policy(ctx: Ctx, data: PolicyCreate) -> PolicyRead:
    """A draft policy; it pays nothing until activated."""
    ctx.require(REBATES_WRITE.name)
    await _check_terms(ctx, data)
    policy = RebatePolicy(tenant_id=ctx.tenant_id, state="draft", **data.model_dump())
    repo.add(ctx.session, policy)
    await ctx.session.flush()
    identity.record_audit(ctx, "rebate_policy.created", "rebate_policy", policy.id, data.model_dump(mode="json"))
    return (await read_policies(ctx, [policy]))[0]


async def _check_terms(ctx: Ctx, data: PolicyCreate) -> None:
    await _check_products(ctx, data.product_ids)
    if data.coupon_product_id is not None:
        try:
            await catalog.lookup_product(ctx, data.coupon_product_id)
        except NotFound as exc:
            detail = [FieldError("coupon_product_id", "not found", "not_found")]
            raise Invalid("no such product", detail) from exc


async def update_policy(ctx: Ctx, policy_id: int, data: PolicyCreate) -> PolicyRead:
    """Replace a policy's terms: a draft's freely; a paused one's (pause it first) keeping its
    kind, the new amounts paying from its next credit on. Credits already written stay as they
    were (each says what it paid and why)."""
    ctx.require(REBATES_WRITE.name)
    policy = await load_policy(ctx, policy_id)
    if policy.state not in rules.EDITABLE:
        raise WrongState(f"a {policy.state} policy cannot be edited: pause it first")
    if policy.state != "draft" and data.kind != policy.kind:
        detail = [FieldError("kind", f"the policy is a {policy.kind} policy", "kind_fixed")]
        raise Invalid("only a draft may change its kind", detail)
    await _check_terms(ctx, data)
    after = data.model_dump()
    before = {field: getattr(policy, field) for field in after}
    for field, value in after.items():
        setattr(policy, field, value)
    await ctx.session.flush()
    changed = {f: [before[f], after[f]] for f in after if before[f] != after[f]}
    identity.record_audit(ctx, "rebate_policy.updated", "rebate_policy", policy.id, to_jsonable_python(changed))
    forget_live(ctx)
    return (await read_policies(ctx, [policy]))[0]


async def move_policy(ctx: Ctx, policy_id: int, action: rules.Action) -> PolicyRead:
    """activate (opens the wallet budget finance funds), pause, resume, end."""
    ctx.require(REBATES_WRITE.name)
    policy = await load_policy(ctx, policy_id)
    after = rules.next_state(policy.state, action)
    if after is None:
        raise WrongState(f"a {policy.state} policy cannot {action}")
    if action == "activate":
        budget = await wallet.open_budget(ctx, BUDGET_OWNER, str(policy.id), policy.name)
        policy.budget_account_id = budget.id
    policy.state = after
    await ctx.session.flush()
    forget_live(ctx)
    identity.record_audit(ctx, f"rebate_policy.{action}", "rebate_policy", policy.id, {"state": after})
    return (await read_policies(ctx, [policy]))[0]


async def get_policy(ctx: Ctx, policy_id: int) -> PolicyRead:
    ctx.require(REBATES_READ.name)
    return (await read_policies(ctx, [await load_policy(ctx, policy_id)]))[0]


async def list_policies(ctx: Ctx, filters: PolicyFilter, limit: int, before_id: int | None) -> list[PolicyRead]:
    """Up to ``limit + 1``, newest first."""
    ctx.require(REBATES_READ.name)
    return await read_policies(ctx, await repo.list_policies(ctx.session, filters, limit + 1, before_id))


async def policy_outcome(ctx: Ctx, policy_id: int) -> PolicyOutcome:
    """What the policy paid, holds and forfeited (Bb: held vs released vs forfeited)."""
    policy = await get_policy(ctx, policy_id)
    rows = [
        OutcomeRow.model_validate({"policy_id": p, "state": s, "count": c, "amount_fen": a})
        for p, s, c, a in await repo.outcomes(ctx.session, [policy_id])
    ]
    total: dict[str, int] = {s: sum(r.amount_fen for r in rows if r.state == s) for s in rules.CREDIT_STATES}
    coupons = [
        CouponOutcome.model_validate({"state": s, "count": c, "value_fen": v})
        for s, c, v in await repo.coupon_outcomes(ctx.session, policy_id, ctx.now())
    ]
    valued = {c.state: c.value_fen for c in coupons}
    return PolicyOutcome(
        policy=policy,
        rows=rows,
        paid_fen=sum(total[s] for s in rules.MONEY_MOVED) + valued.get("redeemed", 0),
        held_fen=total["held"],
        forfeited_fen=total["forfeited"],
        coupons=coupons,
        reserved_fen=valued.get("issued", 0),
    )
