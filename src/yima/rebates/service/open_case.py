"""开箱有礼 (open-case reward): a store's person opening a case — scanning the code inside it —
draws a prize from the brand's store campaigns (campaigns with the ``store`` audience: cash,
points, purchase-deduction or buy-A-get-B coupons, product coupons, gifts, each within the
campaign's budget, stock and limits). The draw is keyed by the case, so a case draws once
whichever of the store's people opens it, and opening it again shows the same prize."""

from __future__ import annotations

from yima.campaigns import service as campaigns
from yima.campaigns.errors import AlreadyAwarded, BudgetExhausted, NotEligible, NotRunning, PersonLimitReached
from yima.campaigns.schemas import AwardRead
from yima.campaigns.service import ScanContext
from yima.codes.schemas import ResolvedCode
from yima.partners.schemas import StoreRead
from yima.platform.ctx import Ctx
from yima.platform.money import yuan
from yima.rebates import rules
from yima.rebates.schemas import StoreReward


def open_case_ref(serial: int) -> str:
    return f"open_case:{serial}"


def reward_of(award: AwardRead, store: StoreRead, case_label: str) -> StoreReward:
    cash = award.kind == "cash"
    title = f"{award.prize_name} ¥{yuan(award.amount_fen)}" if cash else award.prize_name
    if award.points:
        title = f"{award.prize_name} {award.points} 积分"
    return StoreReward(
        kind="open_case_prize", title=title, amount_fen=award.amount_fen if cash else None, points=award.points,
        reason=rules.opened_case(store.name, case_label, title),
    )  # fmt: skip


async def draw_open_case(
    ctx: Ctx, store: StoreRead, unit: ResolvedCode, person_id: int, case_label: str
) -> list[StoreReward]:
    """Draw for the opened case, paid to ``person_id`` who opened it, in the first store
    campaign it is eligible for; what it won (nothing when no campaign runs for it, or its
    campaign's limits or budget refuse)."""
    product_id = unit.product.id if unit.product else None
    matched = await campaigns.campaigns_for_code(ctx, "store", product_id, unit.batch_id, unit.serial)
    scan = ScanContext(
        local_time=ctx.local(ctx.now()), region_code=store.region_code, dealer_id=store.dealer_id, store_id=store.id
    )
    for campaign in matched:
        try:
            award = await campaigns.draw_prize(
                ctx, campaign.id, open_case_ref(unit.serial), person_id, unit.serial, "store", scan=scan
            )
        except (NotEligible, NotRunning):
            continue
        except (AlreadyAwarded, PersonLimitReached, BudgetExhausted):
            return []
        return [reward_of(award, store, case_label)]
    return []
