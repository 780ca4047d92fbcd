"""The campaigns' HTTP edges: /api/v1/campaigns/…"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from yima.campaigns import service
from yima.campaigns.permissions import CAMPAIGNS_READ, CAMPAIGNS_WRITE
from yima.campaigns.schemas import (
    CampaignCreate,
    CampaignFilter,
    CampaignRead,
    CampaignUpdate,
    Simulation,
    SimulationRequest,
)
from yima.identity.permissions import requires
from yima.platform.ctx import Ctx
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])
Paging = Annotated[PageParams, Depends(page_params)]


@router.get("", response_model=Page[CampaignRead])
async def list_campaigns(
    paging: Paging, filters: Annotated[CampaignFilter, Depends()], ctx: Ctx = requires(CAMPAIGNS_READ)
) -> Page[CampaignRead]:
    rows = await service.list_campaigns(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@router.post("", response_model=CampaignRead, status_code=status.HTTP_201_CREATED)
async def create_campaign(data: CampaignCreate, ctx: Ctx = requires(CAMPAIGNS_WRITE)) -> CampaignRead:
    """A draft (草稿): nothing is drawn until it is published."""
    return await service.create_campaign(ctx, data)


@router.get("/{campaign_id}", response_model=CampaignRead)
async def get_campaign(campaign_id: Id, ctx: Ctx = requires(CAMPAIGNS_READ)) -> CampaignRead:
    return await service.get_campaign(ctx, campaign_id)


@router.patch("/{campaign_id}", response_model=CampaignRead)
async def update_campaign(campaign_id: Id, data: CampaignUpdate, ctx: Ctx = requires(CAMPAIGNS_WRITE)) -> CampaignRead:
    """Once published only name, description, end, targeting, limits, budget and daily cap change."""
    return await service.update_campaign(ctx, campaign_id, data)


@router.post("/{campaign_id}/publish", response_model=CampaignRead)
async def publish_campaign(campaign_id: Id, ctx: Ctx = requires(CAMPAIGNS_WRITE)) -> CampaignRead:
    """Draft → scheduled; it runs from its start. Opens the wallet budget cash prizes are paid from."""
    return await service.publish_campaign(ctx, campaign_id)


@router.post("/{campaign_id}/pause", response_model=CampaignRead)
async def pause_campaign(campaign_id: Id, ctx: Ctx = requires(CAMPAIGNS_WRITE)) -> CampaignRead:
    return await service.pause_campaign(ctx, campaign_id)


@router.post("/{campaign_id}/resume", response_model=CampaignRead)
async def resume_campaign(campaign_id: Id, ctx: Ctx = requires(CAMPAIGNS_WRITE)) -> CampaignRead:
    return await service.resume_campaign(ctx, campaign_id)


@router.post("/{campaign_id}/end", response_model=CampaignRead)
async def end_campaign(campaign_id: Id, ctx: Ctx = requires(CAMPAIGNS_WRITE)) -> CampaignRead:
    return await service.end_campaign(ctx, campaign_id)


@router.post("/{campaign_id}/simulate", response_model=Simulation)
async def simulate_campaign(
    campaign_id: Id, data: SimulationRequest, ctx: Ctx = requires(CAMPAIGNS_READ)
) -> Simulation:
    """Expected cost and prize distribution of ``expected_scans`` more valid scans; changes nothing."""
    return await service.simulate_campaign(ctx, campaign_id, data.expected_scans)


routers = [router]
