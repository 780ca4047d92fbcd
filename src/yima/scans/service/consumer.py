"""The consumer's own pages after a scan (我的奖励 / 钱包): what they won, their wallet, the
withdrawal to WeChat balance and the address a physical gift is sent to — for the visitor a
token proves, no staff permission. Winnings follow the person: a visitor who verifies a phone
someone already holds becomes that person (One ID), and handlers.py moves the visitor's scans,
awards and wallet over (a gift's delivery follows its award)."""

from __future__ import annotations

from yima.campaigns import service as campaigns
from yima.campaigns.service import gifts
from yima.campaigns.service.gifts import GiftAddress, GiftDeliveryRead, GiftStatus
from yima.members import service as members
from yima.members.schemas import MemberProfile
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Forbidden
from yima.scans.schemas import ConsumerWallet, WithdrawalCreate
from yima.wallet import service as wallet
from yima.wallet.schemas import PayoutRead

AWARDS_SHOWN = 50
PAYOUTS_SHOWN = 10


async def my_wallet(ctx: Ctx, visitor_id: str) -> ConsumerWallet:
    """The visitor's wallet, member profile, latest awards, points earned and gifts."""
    profile = await members.visitor_profile(ctx, visitor_id)
    awards = await campaigns.awards_of_person(ctx, [profile.person_id], AWARDS_SHOWN)
    payouts = await wallet.payouts_of(ctx, profile.person_id, PAYOUTS_SHOWN)
    return ConsumerWallet(  # times as the brand's phone pages show them: its local time
        profile=profile,
        wallet=await wallet.wallet_of(ctx, profile.person_id),
        quote=await wallet.quote_withdrawal(ctx, 100),
        awards=[ctx.shown(a) for a in awards],
        payouts=[ctx.shown(p) for p in payouts],
        points=await gifts.points_earned(ctx, profile.person_id),
        gifts=await gifts.gifts_of_person(ctx, profile.person_id),
    )


async def claimed(ctx: Ctx, visitor_id: str) -> MemberProfile:
    """The visitor's profile once they have claimed their winnings with a verified phone (领取:
    the phone is who money is paid and gifts are sent to); 403 ``phone_required`` before."""
    profile = await members.visitor_profile(ctx, visitor_id)
    if not profile.verified:
        raise Forbidden(
            "verify your phone number first",
            [FieldError("phone", "claim with a phone number and its SMS code first", "phone_required")],
            code="phone_required",
        )
    return profile


async def withdraw(ctx: Ctx, visitor_id: str, data: WithdrawalCreate) -> PayoutRead:
    """提现: to WeChat balance, once the visitor has claimed their winnings. Idempotent per ``key``."""
    profile = await claimed(ctx, visitor_id)
    return await wallet.request_withdrawal(ctx, profile.person_id, data.amount_fen, data.key, openid=data.openid)


async def give_gift_address(ctx: Ctx, visitor_id: str, award_id: int, data: GiftAddress) -> GiftDeliveryRead:
    """收货地址 for a gift the visitor won, once they have claimed their winnings (as a withdrawal
    requires); correctable until it ships. 404 for anyone else's award."""
    profile = await claimed(ctx, visitor_id)
    return await gifts.submit_gift_address(ctx, profile.person_id, award_id, data)


async def gift_of(ctx: Ctx, visitor_id: str, award_id: int) -> GiftStatus:
    """One of the visitor's gifts (its address form); 404 for anyone else's award."""
    profile = await members.visitor_profile(ctx, visitor_id)
    return await gifts.gift_of_person(ctx, profile.person_id, award_id)
