"""The campaigns' HTTP edges: /api/v1/campaigns/… and risk control at /api/v1/campaigns/risk/…"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from yima.campaigns import service
from yima.campaigns.permissions import CAMPAIGNS_READ, CAMPAIGNS_WRITE, RISK_MANAGE, RISK_READ, RISK_WRITE
from yima.campaigns.schemas import (
    BlacklistEntryCreate,
    BlacklistEntryFilter,
    BlacklistEntryRead,
    CampaignCreate,
    CampaignFilter,
    CampaignRead,
    CampaignUpdate,
    RiskSettings,
    RiskSettingsUpdate,
    Simulation,
    SimulationRequest,
)
from yima.identity.permissions import requires
from yima.platform.ctx import Ctx
from yima.platform.web.pagination import Page, PageParams, make_page, page_params
from yima.platform.web.params import Id

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])
# Before the campaigns' routes (see ``routers``), so "risk" is never read as a campaign id.
risk_router = APIRouter(prefix="/api/v1/campaigns/risk", tags=["campaigns: risk control"])
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


@risk_router.get("/settings", response_model=RiskSettings)
async def get_risk_settings(ctx: Ctx = requires(RISK_READ)) -> RiskSettings:
    """The brand's risk control rules (风控规则); the defaults until changed."""
    return await service.get_risk_settings(ctx)


@risk_router.patch("/settings", response_model=RiskSettings)
async def update_risk_settings(data: RiskSettingsUpdate, ctx: Ctx = requires(RISK_MANAGE)) -> RiskSettings:
    """Change what is sent, to any depth; scans are graded by the new rules at once."""
    return await service.update_risk_settings(ctx, data)


@risk_router.get("/blacklist", response_model=Page[BlacklistEntryRead])
async def list_blacklist(
    paging: Paging, filters: Annotated[BlacklistEntryFilter, Depends()], ctx: Ctx = requires(RISK_READ)
) -> Page[BlacklistEntryRead]:
    rows = await service.list_blacklist(ctx, filters, paging.limit, paging.before_id)
    return make_page(rows, paging, lambda r: r, lambda r: r.id)


@risk_router.post("/blacklist", response_model=BlacklistEntryRead, status_code=status.HTTP_201_CREATED)
async def add_blacklist_entry(data: BlacklistEntryCreate, ctx: Ctx = requires(RISK_WRITE)) -> BlacklistEntryRead:
    """Blacklist (拉黑) a person, phone, device, IP address or CIDR block, or serial."""
    return await service.add_blacklist_entry(ctx, data)


@risk_router.delete("/blacklist/{blacklist_entry_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_blacklist_entry(blacklist_entry_id: Id, ctx: Ctx = requires(RISK_WRITE)) -> None:
    """The entry stops applying at once (in the audit log with what it was)."""
    await service.remove_blacklist_entry(ctx, blacklist_entry_id)


routers = [risk_router, router]
