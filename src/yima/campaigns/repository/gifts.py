"""The statements of physical gifts' delivery (实物奖品发货) and of a person's points earned."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yima.campaigns.models import CampaignAward, CampaignGiftDelivery
from yima.platform.db.base import newest_first

GIFT = "gift"


async def gift_award(session: AsyncSession, award_id: int, person_id: int) -> CampaignAward | None:
    """The person's gift award ``award_id``; None for another's, or one of another kind."""
    query = select(CampaignAward).where(
        CampaignAward.id == award_id, CampaignAward.person_id == person_id, CampaignAward.kind == GIFT
    )
    return (await session.scalars(query)).first()


async def gift_awards(session: AsyncSession, person_id: int, limit: int) -> list[CampaignAward]:
    query = select(CampaignAward).where(CampaignAward.person_id == person_id, CampaignAward.kind == GIFT)
    return list((await session.scalars(newest_first(query, CampaignAward, limit, None))).all())


async def awards_by_ids(session: AsyncSession, award_ids: Sequence[int]) -> dict[int, CampaignAward]:
    query = select(CampaignAward).where(CampaignAward.id.in_(list(award_ids)))
    return {a.id: a for a in await session.scalars(query)}


async def delivery_of_award(
    session: AsyncSession, award_id: int, *, lock: bool = False
) -> CampaignGiftDelivery | None:
    """``lock``: its row held to the transaction's end (a correction waits for a shipment, then sees it)."""
    query = select(CampaignGiftDelivery).where(CampaignGiftDelivery.award_id == award_id)
    query = query.with_for_update().execution_options(populate_existing=True) if lock else query
    return (await session.scalars(query)).first()


async def deliveries_of_awards(session: AsyncSession, award_ids: Sequence[int]) -> dict[int, CampaignGiftDelivery]:
    query = select(CampaignGiftDelivery).where(CampaignGiftDelivery.award_id.in_(list(award_ids)))
    return {d.award_id: d for d in await session.scalars(query)}


async def get_delivery(session: AsyncSession, delivery_id: int) -> CampaignGiftDelivery | None:
    return await session.get(CampaignGiftDelivery, delivery_id)


async def list_deliveries(
    session: AsyncSession, state: str, campaign_id: int | None, limit: int, before_id: int | None
) -> list[CampaignGiftDelivery]:
    query = select(CampaignGiftDelivery).where(CampaignGiftDelivery.state == state)
    if campaign_id is not None:
        query = query.where(CampaignGiftDelivery.campaign_id == campaign_id)
    return list(await session.scalars(newest_first(query, CampaignGiftDelivery, limit, before_id)))


async def take_shipment(session: AsyncSession, delivery_id: int, values: dict[str, object]) -> bool:
    """Mark a pending delivery shipped: one staff member wins a race, the other finds nothing."""
    query = (
        update(CampaignGiftDelivery)
        .where(CampaignGiftDelivery.id == delivery_id, CampaignGiftDelivery.state == "pending")
        .values(state="shipped", **values)
        .returning(CampaignGiftDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(query)).scalar_one_or_none() is not None


async def points_earned(session: AsyncSession, person_id: int) -> int:
    """The points the person's awards gave (points prizes only), all campaigns together."""
    query = select(func.coalesce(func.sum(CampaignAward.points), 0)).where(
        CampaignAward.person_id == person_id, CampaignAward.kind == "points"
    )
    return int(await session.scalar(query) or 0)
