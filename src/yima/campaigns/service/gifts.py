"""Physical gifts (实物奖品): the winner gives the address (收货地址) — the scans context's phone
pages and JSON, once the winnings are claimed with a verified phone —, staff ship them (发货)
with a tracking number. One delivery per gift award; the winner may correct the address until
it ships. The recipient, phone and address are personal information (PIPL): never logged, never
written to the audit log. Also the points a person's awards gave (their wallet shows them).

Import as ``from yima.campaigns.service import gifts`` (its shapes too: ``gifts.GiftAddress``,
…). The winner's use cases check no permission (the caller proves the person); the staff's
check ``campaigns:read`` / ``campaigns:write``.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from yima.campaigns.delivery import GiftAddress as GiftAddress
from yima.campaigns.delivery import GiftDeliveryFilter as GiftDeliveryFilter
from yima.campaigns.delivery import GiftDeliveryRead as GiftDeliveryRead
from yima.campaigns.delivery import GiftShipment as GiftShipment
from yima.campaigns.delivery import GiftStatus as GiftStatus
from yima.campaigns.models import CampaignAward, CampaignGiftDelivery
from yima.campaigns.permissions import CAMPAIGNS_READ, CAMPAIGNS_WRITE
from yima.campaigns.repository import gifts as repo
from yima.geo import service as geo
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Invalid, NotFound

GIFTS_SHOWN = 50
SURE_REGION = 0.8  # geo.parse_address's confidence: a region named, not only inferred
SHIPPED = "gift_shipped"  # the 409's code: a shipped gift's address cannot change, nor can it ship again


def _not_yours(award_id: int) -> NotFound:
    return NotFound(f"no gift award {award_id}", [FieldError("award_id", "no such gift award", "not_found")])


async def _read(ctx: Ctx, delivery: CampaignGiftDelivery, award: CampaignAward) -> GiftDeliveryRead:
    code = delivery.region_code
    region = (await geo.regions_by_codes(ctx, [code])).get(code) if code else None  # in process: no query
    shipped = delivery.shipped_at
    return GiftDeliveryRead(
        id=delivery.id, award_id=delivery.award_id, campaign_id=delivery.campaign_id, prize_name=award.prize_name,
        recipient_name=delivery.recipient_name, phone=delivery.phone, region_code=code,
        region_name=region.full_name if region else None, address=delivery.address, state=delivery.state,
        carrier=delivery.carrier, tracking_no=delivery.tracking_no, created_at=ctx.local(delivery.created_at),
        updated_at=ctx.local(delivery.updated_at), shipped_at=ctx.local(shipped) if shipped else None,
        shipped_by=delivery.shipped_by,
    )  # fmt: skip


async def submit_gift_address(ctx: Ctx, person_id: int, award_id: int, data: GiftAddress) -> GiftDeliveryRead:
    """The winner's address for their gift award: given, or corrected until the gift ships.
    Without a region code, the region the address names (geo) is kept when geo is sure of it.
    404 for an award that is not the person's gift; 422 ``unknown_region``; 409 ``gift_shipped``."""
    award = await repo.gift_award(ctx.session, award_id, person_id)
    if award is None:
        raise _not_yours(award_id)
    if data.region_code and not await geo.regions_by_codes(ctx, [data.region_code]):
        raise Invalid("unknown region", [FieldError("region_code", "not a GB/T 2260 region", "unknown_region")])
    values = data.model_dump()
    if data.region_code is None:  # the phone page's one line: the region its text names, when sure
        parsed = await geo.parse_address(ctx, data.address)
        values["region_code"] = parsed.code if parsed.confidence >= SURE_REGION else None
    delivery = await repo.delivery_of_award(ctx.session, award.id, lock=True)
    if delivery is None:
        delivery = CampaignGiftDelivery(
            tenant_id=ctx.tenant_id, award_id=award.id, campaign_id=award.campaign_id, state="pending", **values
        )
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(delivery)
        except IntegrityError:  # the same winner's other submit won the race: correct that one
            delivery = await repo.delivery_of_award(ctx.session, award.id, lock=True)
            assert delivery is not None
    if delivery.state == "shipped":
        raise Conflict(
            "the gift has shipped: its address can no longer change",
            [FieldError("award_id", "already shipped", SHIPPED)],
            code=SHIPPED,
        )
    for name, value in values.items():
        setattr(delivery, name, value)
    await ctx.session.flush()
    return await _read(ctx, delivery, award)


async def _status(ctx: Ctx, award: CampaignAward, delivery: CampaignGiftDelivery | None) -> GiftStatus:
    read = await _read(ctx, delivery, award) if delivery else None
    return GiftStatus(award_id=award.id, prize_name=award.prize_name, won_at=ctx.local(award.created_at),
                      state=read.state if read else "address_needed", delivery=read)  # fmt: skip


async def gifts_of_person(ctx: Ctx, person_id: int) -> list[GiftStatus]:
    """The person's latest gift awards, newest first, each with its delivery (None: address needed)."""
    awards = await repo.gift_awards(ctx.session, person_id, GIFTS_SHOWN)
    deliveries = await repo.deliveries_of_awards(ctx.session, [a.id for a in awards]) if awards else {}
    return [await _status(ctx, award, deliveries.get(award.id)) for award in awards]


async def gift_of_person(ctx: Ctx, person_id: int, award_id: int) -> GiftStatus:
    """One of the person's gift awards with its delivery, however old; 404 for anyone else's."""
    award = await repo.gift_award(ctx.session, award_id, person_id)
    if award is None:
        raise _not_yours(award_id)
    return await _status(ctx, award, await repo.delivery_of_award(ctx.session, award.id))


async def points_earned(ctx: Ctx, person_id: int) -> int:
    """积分: the points the person's awards gave, all campaigns together (no ledger to spend
    them yet); no permission of its own."""
    return await repo.points_earned(ctx.session, person_id)


async def list_gift_deliveries(
    ctx: Ctx, filters: GiftDeliveryFilter, limit: int, before_id: int | None
) -> list[GiftDeliveryRead]:
    """Up to ``limit + 1`` deliveries to ship (``pending``) or shipped, newest first."""
    ctx.require(CAMPAIGNS_READ.name)
    rows = await repo.list_deliveries(ctx.session, filters.state, filters.campaign_id, limit + 1, before_id)
    awards = await repo.awards_by_ids(ctx.session, [d.award_id for d in rows]) if rows else {}
    return [await _read(ctx, d, awards[d.award_id]) for d in rows]


async def ship_gift(ctx: Ctx, delivery_id: int, data: GiftShipment) -> GiftDeliveryRead:
    """发货: a pending delivery shipped with its tracking number, once (409 ``gift_shipped``),
    audited (the tracking number, never the address)."""
    ctx.require(CAMPAIGNS_WRITE.name)
    values = data.model_dump() | {"shipped_at": ctx.now(), "shipped_by": (ctx.actor.name or ctx.actor.kind)[:80]}
    if not await repo.take_shipment(ctx.session, delivery_id, values):
        if await repo.get_delivery(ctx.session, delivery_id) is None:
            raise NotFound(f"no gift delivery {delivery_id}")
        raise Conflict(
            f"gift delivery {delivery_id} has shipped already",
            [FieldError("delivery_id", "already shipped", SHIPPED)],
            code=SHIPPED,
        )
    delivery = await ctx.session.get(CampaignGiftDelivery, delivery_id, populate_existing=True)
    assert delivery is not None
    award = (await repo.awards_by_ids(ctx.session, [delivery.award_id]))[delivery.award_id]
    identity.record_audit(
        ctx, "gift.shipped", "gift_delivery", delivery.id,
        {"award_id": delivery.award_id} | data.model_dump(),
    )  # fmt: skip
    return await _read(ctx, delivery, award)
