"""The demo brand's channel rebates: a funded BbC policy (三方联动) and a funded Bb policy
(防窜货) on 金樽, and a little history made through the services, so the policy pages, the
credits and the metrics have something to show under ``make run``:

- four cases received by 成都蓉城酒业 (收货): the Bb rebate of each is held;
- its own store 春熙路名酒行 opens one (开箱, released), a 重庆 store signs for another
  (签收 outside the dealer's territory: forfeited), two stay held;
- the store registers six bottles by their outer codes; consumers scan four of them (paid under
  BbC to the store, to its dealer and to its salesman 赵刚, whom the partners' demo, seeded
  before this one, made the store's 业务员).

Uses cases and bottles from the middle of the demo's activated codes (tests and the other demos
use the first and the last ones). Idempotent: a brand that has the BbC policy is left as it is."""

from __future__ import annotations

import dataclasses

from yima.catalog import service as catalog
from yima.codes import service as codes
from yima.partners import service as partners
from yima.platform.ctx import Actor, Ctx
from yima.rebates import service
from yima.rebates.permissions import STORE_SCAN
from yima.rebates.schemas import PolicyCreate, PolicyFilter, StoreScan
from yima.trace import service as trace
from yima.trace.schemas import PartyRef, Receipt
from yima.wallet import service as wallet

PRODUCT_SKU = "CSH-JZ-500"
BBC = "金樽三方联动返利（演示）"
BB = "金樽防窜货返利（演示）"
BUDGET_FEN = 200_000  # 2,000 yuan each
DEALER, OWN_STORE, OTHER_STORE = "D-CD-001", "S-CD-0001", "S-CQ-0001"
CASES = slice(500, 504)  # of the activated cases' inner codes
BOTTLES = slice(3000, 3006)  # of the activated bottles' outer codes
SCANNED = 4  # of those bottles, scanned by consumers


async def seed(ctx: Ctx) -> None:
    if any(p.name == BBC for p in await service.list_policies(ctx, PolicyFilter(kind="bbc"), 50, None)):
        return
    product = await catalog.find_product(ctx, PRODUCT_SKU)
    dealer = await partners.find_dealer(ctx, DEALER)
    own, other = await partners.find_store(ctx, OWN_STORE), await partners.find_store(ctx, OTHER_STORE)
    if product is None or dealer is None or own is None or other is None:
        return
    for data in (
        PolicyCreate(name=BBC, kind="bbc", product_ids=[product.id], store_fen=200, dealer_fen=100, salesman_fen=50),
        PolicyCreate(name=BB, kind="bb", product_ids=[product.id], dealer_fen=500),
    ):
        policy = await service.move_policy(ctx, (await service.create_policy(ctx, data)).id, "activate")
        assert policy.budget_account_id is not None
        await wallet.allocate_budget(ctx, policy.budget_account_id, BUDGET_FEN, f"demo-rebate-policy-{policy.id}")
    cases = (await codes.sample_urls(ctx, "case", "inner", CASES.stop))[CASES]
    bottles = (await codes.sample_urls(ctx, "bottle", "outer", BOTTLES.stop))[BOTTLES]
    if len(cases) < 4 or len(bottles) < SCANNED:
        return
    serials = [(await codes.describe(ctx, url)).serial for url in cases]
    await trace.receive(ctx, Receipt(codes=cases, receiver=PartyRef(kind="dealer", id=dealer.id)))
    # The receipt's handler holds the Bb rebates once the worker runs; the demo wants them now
    # (the handler then finds them written: one credit per case and receiver).
    await service.hold_for_dealer(ctx, dealer.id, serials, "demo:receipt")
    await trace.receive(ctx, Receipt(codes=[cases[1]], receiver=PartyRef(kind="store", id=other.id)))
    await service.settle_for_store(ctx, other, [serials[1]], "demo:store-receipt")
    owner = (await partners.payees_of(ctx, "store", [own.id])).get(own.id)
    as_store = dataclasses.replace(ctx, actor=Actor(
        kind="person", id=owner, name=own.owner_name, permissions=frozenset({STORE_SCAN.name}),
        parties=frozenset({("store", own.id)}),
    ))  # fmt: skip
    for url in [cases[0], *bottles]:
        await service.store_scan(as_store, StoreScan(code=url, store_id=own.id))
    for url in bottles[:SCANNED]:
        serial = (await codes.describe(ctx, url)).serial
        await service.pay_consumer_scan(ctx, serial, product.id, own.region_code, f"demo:consumer-scan:{serial}")
