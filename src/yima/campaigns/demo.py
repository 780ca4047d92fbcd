"""The demo brand's running consumer campaign: 开瓶扫码赢红包 on 金樽 bottles, funded from the
brand's demo money (wallet's demo pays it in first: contexts seed in layer order). Idempotent: a
campaign of that name is left as it is."""

from __future__ import annotations

import datetime as dt

from yima.campaigns import service
from yima.campaigns.schemas import CampaignCreate, CampaignFilter, Limits, PrizeIn, Scope
from yima.catalog import service as catalog
from yima.platform.ctx import Ctx
from yima.wallet import service as wallet

NAME = "开瓶扫码赢红包（演示）"
PRODUCT_SKU = "CSH-JZ-500"
BUDGET_FEN = 2_000_000  # 20,000 yuan


async def seed(ctx: Ctx) -> None:
    if any(c.name == NAME for c in await service.list_campaigns(ctx, CampaignFilter(q=NAME), 10, None)):
        return
    product = await catalog.find_product(ctx, PRODUCT_SKU)
    if product is None:
        return
    campaign = await service.create_campaign(
        ctx,
        CampaignCreate(
            name=NAME,
            description="金樽开盖扫码，100% 中奖：现金红包或积分",
            starts_at=ctx.now() - dt.timedelta(days=3),  # the scans demo has consumers since then
            budget_fen=BUDGET_FEN,
            daily_cap_fen=200_000,
            scope=Scope(product_ids=[product.id]),
            limits=Limits(per_person_day=5, per_person_total=50, scans_per_code=1),
            prizes=[
                PrizeIn(name="88元大红包", kind="cash", amount_fen=8800, weight=1, stock=20),
                PrizeIn(name="随机红包", kind="cash", min_fen=30, max_fen=888, weight=30),
                PrizeIn(name="1元红包", kind="cash", amount_fen=100, weight=40),
                PrizeIn(name="20积分", kind="points", points=20, weight=0, fallback=True),
            ],
        ),
    )
    published = await service.publish_campaign(ctx, campaign.id)
    if published.budget_account_id is not None:
        await wallet.allocate_budget(ctx, published.budget_account_id, BUDGET_FEN, f"demo-campaign-{campaign.id}")
