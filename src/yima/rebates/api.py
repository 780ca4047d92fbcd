"""The rebates' HTTP edges: /api/v1/rebates/… — policies and credits for the brand's staff,
my credits and the store scan for channel accounts (渠道账号)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from yima.identity.permissions import requires
from yima.partners.permissions import CHANNEL_SELF
from yima.platform.ctx import Ctx
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id
from yima.rebates import service
from yima.rebates.permissions import GUIDE_SCAN, REBATES_READ, REBATES_WRITE, STORE_SCAN
from yima.rebates.schemas import (
    CouponFilter,
    CouponRead,
    CreditFilter,
    CreditRead,
    GuideScan,
    GuideScanResult,
    PolicyCreate,
    PolicyFilter,
    PolicyOutcome,
    PolicyRead,
    StoreScan,
    StoreScanResult,
)

router = APIRouter(prefix="/api/v1/rebates", tags=["rebates"])
Paging = Annotated[PageParams, Depends(page_params)]


@router.get("/policies", response_model=Page[PolicyRead])
async def list_policies(
    paging: Paging, filters: Annotated[PolicyFilter, Depends()], ctx: Ctx = requires(REBATES_READ)
) -> Page[PolicyRead]:
    rows = await service.list_policies(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/policies", response_model=PolicyRead, status_code=status.HTTP_201_CREATED)
async def create_policy(data: PolicyCreate, ctx: Ctx = requires(REBATES_WRITE)) -> PolicyRead:
    """A draft: it pays nothing until activated."""
    return await service.create_policy(ctx, data)


@router.get("/policies/{policy_id}", response_model=PolicyRead)
async def get_policy(policy_id: Id, ctx: Ctx = requires(REBATES_READ)) -> PolicyRead:
    return await service.get_policy(ctx, policy_id)


@router.put("/policies/{policy_id}", response_model=PolicyRead)
async def update_policy(policy_id: Id, data: PolicyCreate, ctx: Ctx = requires(REBATES_WRITE)) -> PolicyRead:
    """Replace the terms of a draft, or of a paused policy (same kind; new amounts pay from the
    next credit on). An active policy is paused first (409 otherwise)."""
    return await service.update_policy(ctx, policy_id, data)


@router.get("/policies/{policy_id}/outcome", response_model=PolicyOutcome)
async def policy_outcome(policy_id: Id, ctx: Ctx = requires(REBATES_READ)) -> PolicyOutcome:
    """Paid, held, released and forfeited: counts and amounts."""
    return await service.policy_outcome(ctx, policy_id)


@router.post("/policies/{policy_id}/activate", response_model=PolicyRead)
async def activate_policy(policy_id: Id, ctx: Ctx = requires(REBATES_WRITE)) -> PolicyRead:
    """Draft → active: opens the wallet budget (预算账户) finance funds; it pays from then on."""
    return await service.move_policy(ctx, policy_id, "activate")


@router.post("/policies/{policy_id}/pause", response_model=PolicyRead)
async def pause_policy(policy_id: Id, ctx: Ctx = requires(REBATES_WRITE)) -> PolicyRead:
    """Nothing is credited while paused (held Bb rebates still settle)."""
    return await service.move_policy(ctx, policy_id, "pause")


@router.post("/policies/{policy_id}/resume", response_model=PolicyRead)
async def resume_policy(policy_id: Id, ctx: Ctx = requires(REBATES_WRITE)) -> PolicyRead:
    return await service.move_policy(ctx, policy_id, "resume")


@router.post("/policies/{policy_id}/end", response_model=PolicyRead)
async def end_policy(policy_id: Id, ctx: Ctx = requires(REBATES_WRITE)) -> PolicyRead:
    """For good (its wallet budget stays for finance to release or close)."""
    return await service.move_policy(ctx, policy_id, "end")


@router.get("/credits", response_model=Page[CreditRead])
async def list_credits(
    paging: Paging, filters: Annotated[CreditFilter, Depends()], ctx: Ctx = requires(REBATES_READ)
) -> Page[CreditRead]:
    rows = await service.list_credits(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.get("/my-credits", response_model=Page[CreditRead])
async def my_credits(
    paging: Paging, filters: Annotated[CreditFilter, Depends()], ctx: Ctx = requires(CHANNEL_SELF)
) -> Page[CreditRead]:
    """我的返利: a channel account's dealers' and stores' credits, each with why."""
    rows = await service.my_credits(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.get("/coupons", response_model=Page[CouponRead])
async def list_coupons(
    paging: Paging, filters: Annotated[CouponFilter, Depends()], ctx: Ctx = requires(REBATES_READ)
) -> Page[CouponRead]:
    """进货返利的货补券: issued, redeemed or expired."""
    rows = await service.list_coupons(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/coupons/{coupon_id}/redeem", response_model=CouponRead)
async def redeem_coupon(coupon_id: Id, ctx: Ctx = requires(REBATES_WRITE)) -> CouponRead:
    """核销 on the dealer's behalf: the policy's budget pays the store's dealer the coupon's value."""
    return await service.redeem_coupon(ctx, coupon_id)


@router.get("/my-coupons", response_model=Page[CouponRead])
async def my_coupons(
    paging: Paging, filters: Annotated[CouponFilter, Depends()], ctx: Ctx = requires(CHANNEL_SELF)
) -> Page[CouponRead]:
    """我的卡券: a store's coupons; a dealer's, those of its stores it honours."""
    rows = await service.my_coupons(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("/my-coupons/{coupon_id}/redeem", response_model=CouponRead)
async def redeem_my_coupon(coupon_id: Id, ctx: Ctx = requires(CHANNEL_SELF)) -> CouponRead:
    """核销: the store's dealer honours its coupon and is paid its value, once."""
    return await service.redeem_coupon(ctx, coupon_id)


@router.post("/guide-scans", response_model=GuideScanResult)
async def guide_scan(data: GuideScan, ctx: Ctx = requires(GUIDE_SCAN)) -> GuideScanResult:
    """A guide (导购) registers a bottle they sell by its cap's outer code; consumer scans of it
    pay the guide under guide policies. The first guide keeps the bottle (409 for another)."""
    return await service.guide_scan(ctx, data)


@router.post("/store-scans", response_model=StoreScanResult)
async def store_scan(data: StoreScan, ctx: Ctx = requires(STORE_SCAN)) -> StoreScanResult:
    """A store's person scans a case's inner code (开箱) or a bottle's outer code: the goods are
    registered to the store (货权), and an opened case releases its dealer's held Bb rebate."""
    return await service.store_scan(ctx, data)


routers = [router]
