"""What the rebates' console pages share: labels, amounts and the credits table (返利明细)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from yima.platform.console import ConsolePage, Text, register_error_texts
from yima.platform.console.widgets import Column, CursorPager, DataTable, filter_input, filter_select, local_time
from yima.platform.ctx import Ctx
from yima.platform.money import yuan
from yima.rebates import service
from yima.rebates.schemas import CreditFilter, CreditRead

register_error_texts(
    {
        "policy_state": Text("政策当前状态不允许此操作", "not allowed in the policy's state"),
        "bad_period": Text("统计期间不正确", "the period is not valid"),
    }
)
KINDS = {
    "bb": Text("防窜货返利（Bb）", "Anti-diversion (Bb)"),
    "bc": Text("双向红包（bC）", "Store rebate (bC)"),
    "bbc": Text("三方联动（BbC）", "Store, dealer and salesman (BbC)"),
    "purchase": Text("进货返利（货补券）", "Purchase rebate (product coupon)"),
    "guide": Text("导购奖励", "Guide reward"),
}
STATES = {
    "draft": Text("草稿", "Draft"),
    "active": Text("生效中", "Active"),
    "paused": Text("已暂停", "Paused"),
    "ended": Text("已结束", "Ended"),
}
CREDIT_STATES = {
    "paid": Text("已发放", "Paid"),
    "held": Text("暂扣中", "Held"),
    "released": Text("已释放", "Released"),
    "forfeited": Text("已没收", "Forfeited"),
    "no_account": Text("未发放（无收款账号）", "Not paid (no account)"),
    "budget_exhausted": Text("未发放（预算不足）", "Not paid (budget exhausted)"),
}
COUPON_STATES = {
    "issued": Text("待核销（已预留）", "Issued (reserved)"),
    "redeemed": Text("已核销", "Honoured"),
    "expired": Text("已过期", "Expired"),
}
RECEIVERS = {
    "store": Text("门店", "Store"), "dealer": Text("经销商", "Dealer"), "salesman": Text("业务员", "Salesman"),
    "guide": Text("导购", "Guide"),
}  # fmt: skip
POLICIES = "/rebates/policies"
POLICY = "/rebates/policy"
CREDIT_COLUMNS = [
    Column("id", Text("编号", "No."), kind="mono"),
    Column("policy", Text("政策", "Policy")),
    Column("receiver", Text("收款方", "Receiver")),
    Column("amount", Text("金额（元）", "Amount (yuan)"), align="right"),
    Column("state", Text("状态", "State"), kind="tags"),
    Column("reason", Text("原因", "Why"), kind="wrap"),
    Column("code", Text("码", "Code"), kind="mono"),
    Column("at", Text("时间", "When")),
]


def options(page: ConsolePage, texts: dict[str, Text], everything: Text | None = None) -> dict[Any, str]:
    """A select's choices; ``everything``: a first choice (None) meaning "all"."""
    return ({None: page.text(everything)} if everything else {}) | {k: page.text(v) for k, v in texts.items()}


def credit_row(page: ConsolePage, ctx: Ctx, credit: CreditRead) -> dict[str, Any]:
    return {
        "id": credit.id,
        "policy": credit.policy_name,
        "receiver": f"{page.text(RECEIVERS[credit.receiver_kind])} · {credit.receiver_name or credit.receiver_id}",
        "amount": yuan(credit.amount_fen),
        "state": [page.text(CREDIT_STATES[credit.state])],
        "reason": credit.reason,
        "code": f"#{credit.serial}",
        "at": local_time(ctx, credit.updated_at),
    }


class CreditList:
    """Credits with filters by state, receiver kind and receiver id; ``fixed`` filters (a
    policy's page: its id) always apply."""

    def __init__(self, page: ConsolePage, fixed: Callable[[], dict[str, Any]] = dict) -> None:
        self.page, self.fixed = page, fixed
        self.filters: dict[str, Any] = {}
        t = page.t
        with ui.row().classes("w-full items-center gap-3"):
            filter_select(options(page, CREDIT_STATES, Text("全部状态", "Any state")), t("状态", "State"),
                          lambda v: self.set("state", v)).mark("credit-state")  # fmt: skip
            filter_select(options(page, RECEIVERS, Text("全部收款方", "Any receiver")), t("收款方", "Receiver"),
                          lambda v: self.set("receiver_kind", v)).mark("credit-receiver")  # fmt: skip
            filter_input(t("收款方编号", "Receiver id"), lambda v: self.set("receiver_id", v), width="w-40")
        table = DataTable(page, CREDIT_COLUMNS)
        table.table.mark("credits")
        self.pager = CursorPager(page, table, self.load)

    async def set(self, key: str, value: Any) -> None:
        if key == "receiver_id" and value is not None and not str(value).isdigit():
            ui.notify(self.page.t("收款方编号须为数字", "The receiver id is a number"), type="warning")
            return
        self.filters[key] = value
        await self.pager.reload()

    async def load(self, ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        filters = CreditFilter.model_validate({k: v for k, v in (self.filters | self.fixed()).items() if v is not None})
        return [credit_row(self.page, ctx, c) for c in await service.list_credits(ctx, filters, limit, before_id)]
