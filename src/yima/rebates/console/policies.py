"""返利政策: the list (by kind and state), a new policy's form (amounts typed in yuan, stored in
fen), and a policy's page: its terms, its wallet budget, its outcome (paid, held, released,
forfeited) and its credits, with the state buttons."""

from __future__ import annotations

import datetime as dt
from datetime import tzinfo
from typing import Any

from nicegui import ui

from yima.catalog import service as catalog
from yima.catalog.schemas import ProductFilter
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    filter_select,
    multi_select,
    page_header,
    text_field,
)
from yima.platform.ctx import Ctx
from yima.platform.money import yuan
from yima.rebates import service
from yima.rebates.console.common import (
    COUPON_STATES,
    CREDIT_STATES,
    KINDS,
    POLICIES,
    POLICY,
    STATES,
    CreditList,
    options,
)
from yima.rebates.permissions import REBATES_READ, REBATES_WRITE
from yima.rebates.schemas import PolicyCreate, PolicyFilter, PolicyOutcome, PolicyRead

COLUMNS = [
    Column("id", Text("编号", "No."), kind="mono"),
    Column("name", Text("名称", "Name")),
    Column("kind", Text("类型", "Kind")),
    Column("state", Text("状态", "State"), kind="tags"),
    Column("store", Text("门店（元）", "Store (yuan)"), align="right"),
    Column("dealer", Text("经销商（元）", "Dealer (yuan)"), align="right"),
    Column("budget", Text("预算余额（元）", "Budget left (yuan)"), align="right"),
]
ACTIONS = {
    "activate": (Text("启用", "Activate"), ("draft",)),
    "pause": (Text("暂停", "Pause"), ("active",)),
    "resume": (Text("恢复", "Resume"), ("paused",)),
    "end": (Text("结束", "End"), ("active", "paused")),
}
PRODUCTS_OFFERED = 200
EDITABLE = ("draft", "paused")  # as the service allows (pause an active policy to edit it)
WALLET_JOURNALS = "/wallet/journals"  # the wallet's console page (a layer below: linked by URL)


@console_page(
    POLICIES, label=Text("返利政策", "Rebate policies"), area=nav.CHANNEL, icon="savings",
    permission=REBATES_READ.name, order=60,
)  # fmt: skip
async def policies_page(page: ConsolePage) -> None:
    t = page.t
    filters: dict[str, Any] = {}
    with page_header(t("返利政策", "Rebate policies"), t("Bb、bC、BbC 渠道返利", "Bb, bC and BbC channel rebates")):
        ui.link(t("返利看板", "Metrics"), "/analytics/channel")
        if page.can(REBATES_WRITE.name):
            ui.button(t("新建政策", "New policy"), icon="add", on_click=lambda: ui.navigate.to(POLICY)).mark(
                "new-policy"
            )

    async def choose(key: str, value: str | None) -> None:
        filters[key] = value
        await pager.reload()

    with ui.row().classes("gap-3"):
        filter_select(options(page, KINDS, Text("全部类型", "Any kind")), t("类型", "Kind"),
                      lambda v: choose("kind", v)).mark("policy-kind")  # fmt: skip
        filter_select(options(page, STATES, Text("全部状态", "Any state")), t("状态", "State"),
                      lambda v: choose("state", v)).mark("policy-state")  # fmt: skip
    table = DataTable(page, COLUMNS)
    table.table.mark("policies")
    table.table.on("rowClick", lambda e: ui.navigate.to(f"{POLICY}?id={e.args[1]['id']}"))

    async def load(ctx: Ctx, limit: int, before_id: int | None) -> list[dict[str, Any]]:
        found = await service.list_policies(ctx, PolicyFilter.model_validate(filters), limit, before_id)
        return [_row(page, p) for p in found]

    pager = CursorPager(page, table, load)
    await pager.reload()


def _row(page: ConsolePage, policy: PolicyRead) -> dict[str, Any]:
    return {
        "id": policy.id, "name": policy.name, "kind": page.text(KINDS[policy.kind]),
        "state": [page.text(STATES[policy.state])], "store": yuan(policy.store_fen or None),
        "dealer": yuan(policy.dealer_fen or None), "budget": yuan(policy.budget_left_fen),
    }  # fmt: skip


@console_page(
    POLICY, label=Text("返利政策详情", "Rebate policy"), area=nav.CHANNEL, icon="savings",
    permission=REBATES_READ.name, in_nav=False,
)  # fmt: skip
async def policy_page(page: ConsolePage) -> None:
    raw = page.query.get("id", "")
    if not raw:
        await _policy_form(page)
        return
    valid = raw.isdigit() and 0 < int(raw) < 2**63
    found = await page.run(lambda ctx: service.policy_outcome(ctx, int(raw))) if valid else None
    if not found:
        page_header(page.t("没有这个返利政策", "No such rebate policy"))
        return
    if page.query.get("edit") and found.value.policy.state in EDITABLE:
        await _policy_form(page, found.value.policy)
        return
    await _show_policy(page, found.value)


def _yuan(was: PolicyRead | None, field: str, default: float) -> float:
    """A form's amount in yuan: the edited policy's, or the new form's default."""
    return getattr(was, field) / 100 if was else default


def _day(moment: dt.datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d") if moment else ""


def _number(label: str, value: float, mark: str = "", *, precision: int = 2, least: float = 0) -> ui.number:
    field = ui.number(label, value=value, min=least, precision=precision).props("outlined dense").classes("grow")
    return field.mark(mark) if mark else field


async def _policy_form(page: ConsolePage, was: PolicyRead | None = None) -> None:
    """A new policy's form, or a draft's or paused policy's terms to replace (``was``)."""
    t = page.t
    if was is None:
        page_header(t("新建返利政策", "New rebate policy"),
                    t("保存为草稿，启用后才发放", "Saved as a draft; pays once activated"))  # fmt: skip
    else:
        page_header(t(f"编辑 {was.name}", f"Edit {was.name}"),
                    t("新金额自下一笔返利起生效", "New amounts pay from the next credit on"))  # fmt: skip
    ui.link(t("返回政策列表", "Back to policies"), POLICIES)
    if not page.can(REBATES_WRITE.name):
        ui.label(t("您没有新建政策的权限", "You may not create policies")).classes("text-negative")
        return
    products = await page.run(lambda ctx: catalog.list_products(ctx, ProductFilter(), PRODUCTS_OFFERED, None))
    offered = {str(p.id): f"{p.name} · {p.sku}" for p in (products.value if products else [])}
    zone = page.tenant.zone
    with ui.card().classes("w-full max-w-2xl gap-2").mark("policy-form"):
        name = text_field(t("政策名称", "Name"), was.name if was else "").mark("policy-name")
        kind = ui.select(options(page, KINDS), value=was.kind if was else "bbc", label=t("类型", "Kind"))
        kind.props("outlined dense" + (" disable" if was and was.state != "draft" else ""))
        kind.classes("w-full").mark("policy-kind-input")
        chosen = multi_select(offered, t("适用产品（不选：全部产品）", "Products (none: every product)"),
                              [str(p) for p in was.product_ids] if was else ())  # fmt: skip
        with ui.row().classes("w-full gap-3 no-wrap"):
            store = _number(t("门店每瓶（元）", "Store per bottle (yuan)"), _yuan(was, "store_fen", 2), "policy-store")
            dealer = _number(t("经销商每瓶 / 每箱（元）", "Dealer per bottle / case (yuan)"),
                             _yuan(was, "dealer_fen", 1), "policy-dealer")  # fmt: skip
        with ui.row().classes("w-full gap-3 no-wrap"):
            salesman = _number(t("业务员每瓶（元，BbC 可选）", "Salesman per bottle (BbC, optional)"),
                               _yuan(was, "salesman_fen", 0), "policy-salesman")  # fmt: skip
            guide = _number(t("导购每瓶（元，导购奖励）", "Guide per bottle (guide reward)"),
                            _yuan(was, "guide_fen", 0), "policy-guide")  # fmt: skip
        with ui.row().classes("w-full gap-3 no-wrap"):
            coupon_product = ui.select(
                offered, label=t("货补券产品（进货返利）", "Coupon product (purchase rebate)"), clearable=True,
                value=str(was.coupon_product_id) if was and was.coupon_product_id else None,
            ).props("outlined dense").classes("grow")  # fmt: skip
            coupon_quantity = _number(t("每箱赠瓶数", "Bottles per case"), was.coupon_quantity or 1 if was else 1,
                                      precision=0, least=1)  # fmt: skip
            coupon_days = _number(t("有效天数", "Valid days"), was.coupon_days or 90 if was else 90, precision=0,
                                  least=1)  # fmt: skip
        with ui.row().classes("w-full gap-3 no-wrap"):
            starts = ui.input(
                t("开始日期（可空）", "Starts (optional)"), value=_day(was.starts_at if was else None, zone)
            )
            ends = ui.input(t("结束日期（可空，不含）", "Ends (optional, excluded)"),
                            value=_day(was.ends_at if was else None, zone))  # fmt: skip
            for field in (starts, ends):
                field.props("outlined dense type=date stack-label")
        ui.label(t("Bb 只付经销商（每箱），bC 只付门店（每瓶），BbC 付门店、经销商和业务员（每瓶），"
                   "导购奖励付售出的导购（每瓶），进货返利每开一箱发一张货补券（门店金额为券值）",
                   "Bb pays the dealer per case, bC the store per bottle, BbC the store, dealer and salesman per "
                   "bottle, a guide reward the guide who sold it, a purchase rebate a product coupon per case "
                   "opened (the store amount is its value)")).classes("text-xs text-grey-7")  # fmt: skip

    def fen(field: ui.number) -> int:
        return round(float(field.value or 0) * 100)

    def moment(text: str | None) -> dt.datetime | None:
        day = dt.date.fromisoformat(text) if text else None
        return dt.datetime.combine(day, dt.time(), tzinfo=zone) if day else None

    async def save() -> None:
        values: dict[str, Any] = {
            "name": name.value, "kind": kind.value, "product_ids": [int(p) for p in chosen.value or []],
            "store_fen": fen(store) if kind.value in ("bc", "bbc", "purchase") else 0,
            "dealer_fen": fen(dealer) if kind.value in ("bb", "bbc") else 0,
            "salesman_fen": fen(salesman) if kind.value == "bbc" else 0,
            "guide_fen": fen(guide) if kind.value == "guide" else 0,
            "starts_at": moment(starts.value), "ends_at": moment(ends.value),
        }  # fmt: skip
        if kind.value == "purchase":
            values |= {
                "coupon_product_id": int(coupon_product.value) if coupon_product.value else None,
                "coupon_quantity": int(coupon_quantity.value or 0), "coupon_days": int(coupon_days.value or 0),
            }  # fmt: skip
        labels = {"name": t("政策名称", "Name"), "store_fen": t("门店金额", "Store amount"),
                  "dealer_fen": t("经销商金额", "Dealer amount"), "product_ids": t("适用产品", "Products"),
                  "salesman_fen": t("业务员金额", "Salesman amount"), "guide_fen": t("导购金额", "Guide amount"),
                  "coupon_product_id": t("货补券产品", "Coupon product")}  # fmt: skip
        # Validated inside page.run: a refused value is shown on its field, like the service's refusals.
        if was is None:
            made = await page.run(lambda ctx: service.create_policy(ctx, PolicyCreate.model_validate(values)),
                                  fields=labels, done=t("已保存为草稿", "Saved as a draft"))  # fmt: skip
        else:
            made = await page.run(
                lambda ctx: service.update_policy(ctx, was.id, PolicyCreate.model_validate(values)),
                fields=labels, done=t("已保存", "Saved"),
            )  # fmt: skip
        if made:
            ui.navigate.to(f"{POLICY}?id={made.value.id}")

    ui.button(t("保存", "Save"), icon="save", on_click=save).mark("policy-save")


def _stat(title: str, value: str, caption: str = "", mark: str = "") -> None:
    with ui.card().classes("min-w-[10rem] grow gap-1").props("flat bordered").mark(mark):
        ui.label(title).classes("text-sm text-grey-7")
        ui.label(value).classes("text-xl font-medium").mark(f"{mark}-value" if mark else "")
        if caption:
            ui.label(caption).classes("text-xs text-grey-6")


async def _show_policy(page: ConsolePage, outcome: PolicyOutcome) -> None:
    t, policy = page.t, outcome.policy
    with page_header(policy.name, f"{page.text(KINDS[policy.kind])} · {page.text(STATES[policy.state])}"):
        ui.link(t("返回政策列表", "Back to policies"), POLICIES)
        if page.can(REBATES_WRITE.name):
            with ui.row().classes("gap-2"):
                if policy.state in EDITABLE:
                    ui.button(t("编辑", "Edit"), icon="edit",
                              on_click=lambda: ui.navigate.to(f"{POLICY}?id={policy.id}&edit=1")).props(
                        "outline").mark("policy-edit")  # fmt: skip
                for action, (label, states) in ACTIONS.items():
                    if policy.state in states:
                        ui.button(page.text(label), on_click=lambda _, a=action: act(a)).props("outline").mark(
                            f"policy-{action}"
                        )

    async def act(action: str) -> None:
        if await page.run(lambda ctx: service.move_policy(ctx, policy.id, action), done=t("已完成", "Done")):  # type: ignore[arg-type]
            ui.navigate.to(f"{POLICY}?id={policy.id}")

    zone = page.tenant.zone
    period = " – ".join(
        m.astimezone(zone).strftime("%Y-%m-%d") if m else "…" for m in (policy.starts_at, policy.ends_at)
    )
    with ui.row().classes("w-full gap-3").mark("policy-figures"):
        _stat(t("门店每单位（元）", "Store per unit"), yuan(policy.store_fen), mark="stat-store")
        _stat(t("经销商每单位（元）", "Dealer per unit"), yuan(policy.dealer_fen), mark="stat-dealer")
        _stat(t("有效期", "Period"), period if policy.starts_at or policy.ends_at else t("不限", "Open"))
        left = yuan(policy.budget_left_fen) if policy.budget_account_id else t("启用后开立", "Opened on activation")
        _stat(t("预算余额（元）", "Budget left (yuan)"), left, t(f"已发放 {yuan(outcome.paid_fen)} 元",
              f"paid {yuan(outcome.paid_fen)} yuan"), mark="stat-budget")  # fmt: skip
    if policy.budget_account_id:
        ui.link(t("预算流水与充值（资金）", "Budget journals and funding (wallet)"),
                f"{WALLET_JOURNALS}?account={policy.budget_account_id}").mark("budget-link")  # fmt: skip
    ui.label(t("发放结果", "Outcome")).classes("text-lg font-medium mt-2")
    with ui.row().classes("w-full gap-3").mark("policy-outcome"):
        if policy.kind == "purchase":  # its outcome is its coupons (货补券): issued, honoured, expired
            for state, label in COUPON_STATES.items():
                found = next((c for c in outcome.coupons if c.state == state), None)
                count, value = (found.count, found.value_fen) if found else (0, 0)
                _stat(page.text(label), yuan(value), t(f"{count} 张", f"{count} coupons"), mark=f"coupons-{state}")
        else:
            for state, label in CREDIT_STATES.items():
                rows = [r for r in outcome.rows if r.state == state]
                count, amount = sum(r.count for r in rows), sum(r.amount_fen for r in rows)
                _stat(page.text(label), yuan(amount), t(f"{count} 笔", f"{count} credits"), mark=f"outcome-{state}")
    ui.label(t("返利明细", "Credits")).classes("text-lg font-medium mt-2")
    await CreditList(page, lambda: {"policy_id": policy.id}).pager.reload()
