"""Rebate objects for tests and the isolation harness."""

from __future__ import annotations

import datetime as dt

from tests.catalog.factories import create_product
from tests.identity.factories import system
from tests.partners.factories import create_dealer, create_store
from yima.platform.db.session import Database
from yima.rebates import service as rebates
from yima.rebates.schemas import PolicyCreate, PolicyRead


async def create_policy(db: Database, slug: str, **values: object) -> PolicyRead:
    data = PolicyCreate.model_validate({"name": "双向红包", "kind": "bc", "store_fen": 200} | values)
    async with system(db, slug) as ctx:
        return await rebates.create_policy(ctx, data)


async def add_coupon(db: Database, slug: str, marker: str) -> int:
    """An issued product coupon (货补券) of a purchase policy, as the store scan writes it."""
    from yima.rebates.models import RebateCoupon  # the test writes what only the store scan writes

    product = await create_product(db, slug, name=f"{marker} 商品")
    policy = await create_policy(db, slug, name=f"{marker} 进货返利", kind="purchase", store_fen=400,
                                 coupon_product_id=product.id, coupon_quantity=1, coupon_days=30)  # fmt: skip
    store = await create_store(db, slug, (await create_dealer(db, slug)).id, name=f"{marker} 门店")
    async with system(db, slug) as ctx:
        now = ctx.now()
        coupon = RebateCoupon(
            tenant_id=ctx.tenant_id, policy_id=policy.id, serial=1, store_id=store.id, dealer_id=store.dealer_id,
            person_id=1, product_id=product.id, quantity=1, value_fen=400, state="issued", reason=f"{marker} 货补券",
            expires_at=now + dt.timedelta(days=30), created_at=now, updated_at=now,
        )  # fmt: skip
        ctx.session.add(coupon)
        await ctx.session.flush()
        return coupon.id


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    policy = await create_policy(db, slug, name=f"{marker} 返利")
    return {"policy_id": policy.id, "coupon_id": await add_coupon(db, slug, marker)}, []
