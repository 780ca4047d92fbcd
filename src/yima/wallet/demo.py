"""The demo brand's money: 50,000 yuan paid in, 10,000 of it in a budget for the welcome campaign
(the campaigns' own budgets are opened by campaigns). Idempotent: the funding's reference and
the allocation's key make a second run move nothing."""

from __future__ import annotations

from yima.platform.ctx import Ctx
from yima.wallet import service

FUNDING_FEN = 5_000_000
BUDGET_FEN = 1_000_000


async def seed(ctx: Ctx) -> None:
    await service.fund_brand(ctx, FUNDING_FEN, "DEMO-BANK-0001", "演示充值")
    budget = await service.open_budget(ctx, "demo", "welcome", "开瓶扫码红包（演示）")
    await service.allocate_budget(ctx, budget.id, BUDGET_FEN, "demo-welcome-1")
