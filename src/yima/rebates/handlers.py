"""Rebates' reactions to trace: goods received (hold a dealer's Bb rebate; release or forfeit it
when a store signs for them) and diversions found (forfeit). Each is idempotent: a redelivered
message finds the credits written or settled already."""

from __future__ import annotations

from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.outbox import registry
from yima.rebates import service
from yima.trace.events import DiversionFound, GoodsReceived


@registry.handles(GoodsReceived)
async def rebate_received_goods(ctx: Ctx, event: GoodsReceived) -> None:
    trigger = f"receipt:{event.event_id}"
    if event.receiver_kind == "dealer":
        await service.hold_for_dealer(ctx, event.receiver_id, event.serials, trigger)
    elif event.receiver_kind == "store":
        store = await partners.lookup_store(ctx, event.receiver_id)
        await service.settle_for_store(ctx, store, await service.cases_in(ctx, event.serials), trigger)


@registry.handles(DiversionFound)
async def forfeit_diverted_goods(ctx: Ctx, event: DiversionFound) -> None:
    await service.forfeit_diverted(ctx, event.serial, f"diversion:{event.diversion_id}")
