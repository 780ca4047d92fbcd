"""/api/v1/analytics: the cockpit's figures (渠道库存, 货龄, 窜货统计), the live campaign
dashboard (活动实时看板) and the channel metrics (渠道指标)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from yima.analytics import service
from yima.analytics.permissions import ANALYTICS_READ
from yima.analytics.schemas import (
    CampaignDashboard,
    ChannelMetrics,
    DiversionSummary,
    InventoryFilter,
    InventoryReport,
    MetricsPeriod,
)
from yima.campaigns.permissions import CAMPAIGNS_READ
from yima.identity.permissions import requires
from yima.platform.ctx import Ctx
from yima.platform.web.params import Id
from yima.rebates.permissions import REBATES_READ

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])
Filters = Annotated[InventoryFilter, Depends()]


@router.get("/channel-inventory", response_model=InventoryReport)
async def channel_inventory(filters: Filters, ctx: Ctx = requires(ANALYTICS_READ)) -> InventoryReport:
    """渠道库存 in bottles (received − shipped − consumed) per dealer, store, product or region,
    with the stock split by 货龄."""
    return await service.channel_inventory(ctx, filters)


@router.get("/goods-age", response_model=InventoryReport)
async def goods_age(filters: Filters, ctx: Ctx = requires(ANALYTICS_READ)) -> InventoryReport:
    """货龄: the stock by days since its holder received it (0-30, 31-90, 91-180, 180+)."""
    return await service.channel_inventory(ctx, filters)


@router.get("/diversion-summary", response_model=DiversionSummary)
async def diversion_summary(filters: Filters, ctx: Ctx = requires(ANALYTICS_READ)) -> DiversionSummary:
    """窜货 findings counted by status per dealer, store, product or region found in."""
    return await service.diversion_summary(ctx, filters)


@router.get("/campaigns/{campaign_id}/dashboard", response_model=CampaignDashboard)
async def campaign_dashboard(
    campaign_id: Id,
    region: Annotated[
        str | None, Query(pattern=r"^\d{6}$", description="a province code: its cities instead of the provinces")
    ] = None,
    ctx: Ctx = requires(CAMPAIGNS_READ),
) -> CampaignDashboard:
    """活动实时看板: scans, awards, winners, spend against budget and today's cap, by hour (today
    and the day before), by day (the campaign's last 14), by province or city, and by prize."""
    return await service.campaign_dashboard(ctx, campaign_id, region=region)


@router.get("/channel-metrics", response_model=ChannelMetrics)
async def channel_metrics(
    period: Annotated[MetricsPeriod, Depends()], ctx: Ctx = requires(REBATES_READ)
) -> ChannelMetrics:
    """渠道指标: scan rate per role against the seeds' norms, rebate cost by policy, region and
    dealer, and the Bb rebates held, released and forfeited, over tenant-local days (default the
    last 30)."""
    return await service.channel_metrics(ctx, period)


routers = [router]
