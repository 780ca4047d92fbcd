"""The channel assistants' figures (渠道助手), for a signed-in channel account only: its rebates
and prizes with their totals (我的奖励 / 我的返利), the goods its stores registered (我的扫码),
its coupons (我的卡券) and the stores it supplies or looks after with what they registered
(我的门店). Each figure
comes with the reason its receiver was given."""

from __future__ import annotations

from yima.campaigns import service as campaigns
from yima.campaigns.schemas import AwardRead
from yima.codes import service as codes
from yima.partners import service as partners
from yima.partners.permissions import CHANNEL_SELF
from yima.platform.ctx import Ctx
from yima.rebates.repository import metrics as repo
from yima.rebates.schemas import CouponFilter, CreditFilter, MyCoupons, MyRebates, MyRegistration, MyStore
from yima.rebates.service.coupons import my_coupons
from yima.rebates.service.reads import my_credits, state_totals

SHOWN = 50
COUPONS = frozenset({"coupon", "product_coupon"})
LEVEL_NAMES = {"case": "整箱", "bottle": "单瓶", "pallet": "整托"}


def _parties(ctx: Ctx, kind: str | None = None) -> list[tuple[str, int]]:
    ctx.require(CHANNEL_SELF.name)
    return sorted((k, i) for k, i in ctx.actor.parties or () if kind is None or k == kind)


async def _awards(ctx: Ctx) -> list[AwardRead]:
    """The account's own prizes as a store's person (开箱有礼), newest first."""
    found = await campaigns.awards_of_person(ctx, [ctx.actor.id], SHOWN) if ctx.actor.id else []
    return [a for a in found if a.role == "store"]


async def my_rebates(ctx: Ctx) -> MyRebates:
    parties = _parties(ctx)
    return MyRebates(
        totals=state_totals(await repo.receiver_totals(ctx.session, parties)),
        credits=(await my_credits(ctx, CreditFilter(), SHOWN, None))[:SHOWN],
        awards=await _awards(ctx),
    )  # fmt: skip


async def my_coupon_book(ctx: Ctx) -> MyCoupons:
    """我的卡券: coupons won opening cases, and purchase rebates' product coupons (货补券) — a
    store's own, or for a dealer those of its stores it honours (核销)."""
    _parties(ctx)
    return MyCoupons(
        prizes=[a for a in await _awards(ctx) if a.kind in COUPONS],
        coupons=(await my_coupons(ctx, CouponFilter(), SHOWN, None))[:SHOWN],
        honours=bool(_parties(ctx, "dealer")),
    )


async def my_registrations(ctx: Ctx) -> list[MyRegistration]:
    store_ids = [i for _, i in _parties(ctx, "store")]
    stores = await partners.lookup_stores(ctx, store_ids)
    rows = await repo.registrations_of(ctx.session, store_ids, SHOWN)
    facts = await codes.unit_facts_of(ctx, [row.serial for row in rows])  # a registered unit exists: one query
    shown = []
    for row in rows:
        level = facts[row.serial].batch.level
        shown.append(ctx.shown(MyRegistration(
            serial=row.serial, level_name=LEVEL_NAMES.get(level, level), store_name=stores[row.store_id].name,
            registered_at=row.registered_at,
        )))  # fmt: skip
    return shown


async def my_stores(ctx: Ctx) -> list[MyStore]:
    """我的门店: a dealer's stores, or the stores a salesman looks after, with what they registered."""
    dealers, salesmen = _parties(ctx, "dealer"), _parties(ctx, "salesman")
    supplied = (await partners.counterparts(ctx, SHOWN)).ship_to if dealers else []
    shown = {c.id: (c.code, c.name) for c in supplied if c.kind == "store"}
    for _, role_id in salesmen:
        shown |= {s.id: (s.code, s.name) for s in await partners.stores_of_salesman(ctx, role_id)}
    counts = await repo.registration_counts(ctx.session, list(shown))
    return [
        ctx.shown(MyStore(id=i, code=code, name=name, registered=counts.get(i, (0, None))[0],
                          last_registered_at=counts.get(i, (0, None))[1]))
        for i, (code, name) in shown.items()
    ]  # fmt: skip
