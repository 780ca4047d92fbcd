"""The consumer's own pages after a scan (我的奖励 / 钱包): what they won, their wallet, and the
withdrawal to WeChat balance — for the visitor a token proves, no staff permission. Winnings
follow the person: a visitor who verifies a phone someone already holds becomes that person
(One ID), and handlers.py moves the visitor's scans, awards and wallet over."""

from __future__ import annotations

from yima.campaigns import service as campaigns
from yima.members import service as members
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Forbidden
from yima.scans.schemas import ConsumerWallet, WithdrawalCreate
from yima.wallet import service as wallet
from yima.wallet.schemas import PayoutRead

AWARDS_SHOWN = 50
PAYOUTS_SHOWN = 10


async def my_wallet(ctx: Ctx, visitor_id: str) -> ConsumerWallet:
    """The visitor's wallet, member profile and latest awards."""
    profile = await members.visitor_profile(ctx, visitor_id)
    awards = await campaigns.awards_of_person(ctx, [profile.person_id], AWARDS_SHOWN)
    payouts = await wallet.payouts_of(ctx, profile.person_id, PAYOUTS_SHOWN)
    return ConsumerWallet(  # times as the brand's phone pages show them: its local time
        profile=profile,
        wallet=await wallet.wallet_of(ctx, profile.person_id),
        quote=await wallet.quote_withdrawal(ctx, 100),
        awards=[a.model_copy(update={"created_at": ctx.local(a.created_at)}) for a in awards],
        payouts=[p.model_copy(update={"requested_at": ctx.local(p.requested_at)}) for p in payouts],
    )


async def withdraw(ctx: Ctx, visitor_id: str, data: WithdrawalCreate) -> PayoutRead:
    """提现: to WeChat balance, once the visitor has claimed their winnings with a verified phone
    (领取: the phone is who the money is paid to). Idempotent per ``key``."""
    profile = await members.visitor_profile(ctx, visitor_id)
    if not profile.verified:
        raise Forbidden(
            "verify your phone number before withdrawing",
            [FieldError("phone", "claim with a phone number and its SMS code first", "phone_required")],
            code="phone_required",
        )
    return await wallet.request_withdrawal(ctx, profile.person_id, data.amount_fen, data.key, openid=data.openid)
