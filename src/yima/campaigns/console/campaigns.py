"""The campaigns' console pages: 扫码活动 list, and the builder (basics, scope, targeting, prize
pool with add/remove, limits) with the pre-publication simulation and the state actions."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.campaigns import service
from yima.campaigns.permissions import CAMPAIGNS_READ, CAMPAIGNS_WRITE
from yima.campaigns.schemas import CampaignCreate, CampaignFilter, CampaignRead, CampaignUpdate, Simulation
from yima.platform.console import ConsolePage, Text, console_page, nav, register_error_texts
from yima.platform.console.widgets import page_header
from yima.platform.money import yuan

register_error_texts(
    {
        "fallback_count": Text("须有且只有一个保底奖", "exactly one prize must be the fallback"),
        "no_prizes": Text("请添加奖品", "add prizes"),
        "unknown_product": Text("产品不存在", "no such product"),
        "unknown_batch": Text("码包不存在", "no such batch"),
        "campaign_state": Text("活动当前状态不允许此操作", "not allowed in the campaign's state"),
        "locked": Text("活动已发布，此项不可修改", "locked once published"),
        "order": Text("结束时间须晚于开始时间", "must end after it starts"),
        "above_budget": Text("超出总预算", "above the budget"),
        "below_cost": Text("低于单个奖品成本", "below what one prize costs"),
        "above_total": Text("每人每天不能超过每人累计", "above the per-person total"),
        "overlap": Text("码段重叠", "overlapping serial ranges"),
        "not_level": Text("会员等级须为数字（VIP0 为 0）", "a level is a number (0 for VIP0)"),
    }
)
STATES = {
    "draft": Text("草稿", "Draft"),
    "scheduled": Text("待开始", "Scheduled"),
    "running": Text("进行中", "Running"),
    "paused": Text("已暂停", "Paused"),
    "ended": Text("已结束", "Ended"),
}
KINDS = {
    "cash": Text("现金红包", "Cash"),
    "points": Text("积分", "Points"),
    "coupon": Text("优惠券", "Coupon"),
    "product_coupon": Text("产品券", "Product coupon"),
    "gift": Text("实物礼品", "Gift"),
}
BUILDER = "/campaigns/builder"
DASHBOARD = "/analytics/campaigns"  # 活动看板, analytics' console page


def ints(text: str) -> list[int]:
    """ "1, 2 3" → [1, 2, 3] (the builder's id and number lists)."""
    return [int(p) for p in text.replace("，", ",").replace(",", " ").split() if p.strip()]


def words(text: str) -> list[str]:
    return [p for p in text.replace("，", ",").replace(",", " ").split() if p]


def ranges(text: str) -> list[dict[str, int]]:
    """ "1-100, 200-300" → serial ranges."""
    found = []
    for part in words(text):
        first, _, last = part.partition("-")
        found.append({"first": int(first), "last": int(last or first)})
    return found


@console_page(
    "/campaigns", label=Text("扫码活动", "Campaigns"), area=nav.MARKETING, icon="redeem",
    permission=CAMPAIGNS_READ.name, order=10,
)  # fmt: skip
async def campaigns_page(page: ConsolePage) -> None:
    t = page.t
    with page_header(t("扫码活动", "Scan-to-win campaigns")):
        ui.link(t("看板", "Dashboard"), DASHBOARD)
        if page.can(CAMPAIGNS_WRITE.name):
            ui.button(t("新建活动", "New campaign"), icon="add", on_click=lambda: ui.navigate.to(BUILDER))
    outcome = await page.run(lambda ctx: service.list_campaigns(ctx, CampaignFilter(), 200, None))
    rows = [
        {"id": c.id, "name": c.name, "state": page.text(STATES[c.state]), "budget": yuan(c.budget_fen),
         "spent": yuan(c.spent_fen), "prizes": len(c.prizes)}
        for c in (outcome.value if outcome else [])
    ]  # fmt: skip
    columns = [
        {"name": k, "label": label, "field": k, "align": "left"}
        for k, label in (("id", "ID"), ("name", t("名称", "Name")), ("state", t("状态", "State")),
                         ("budget", t("预算（元）", "Budget (yuan)")), ("spent", t("已用（元）", "Spent (yuan)")),
                         ("prizes", t("奖品数", "Prizes")))
    ]  # fmt: skip
    table = ui.table(columns=columns, rows=rows, row_key="id").classes("w-full")
    table.on("rowClick", lambda e: ui.navigate.to(f"{BUILDER}?id={e.args[1]['id']}"))


class Builder:
    """The form of one campaign; ``campaign`` None: a new one."""

    def __init__(self, page: ConsolePage, campaign: CampaignRead | None) -> None:
        self.page, self.campaign = page, campaign
        self.prizes: list[dict[str, Any]] = [p.model_dump() for p in campaign.prizes] if campaign else []
        self.fields: dict[str, Any] = {}

    def draw(self) -> None:
        t, c = self.page.t, self.campaign
        f = self.fields
        with ui.card().classes("w-full gap-2"):
            ui.label(t("基本信息", "Basics")).classes("text-base font-medium")
            f["name"] = ui.input(t("活动名称", "Name"), value=c.name if c else "").classes("w-full")
            f["description"] = ui.input(t("说明", "Description"), value=c.description if c else "").classes("w-full")
            with ui.row().classes("gap-4"):
                f["budget"] = ui.number(t("总预算（元）", "Budget (yuan)"), value=(c.budget_fen / 100) if c else 1000)
                cap = c.daily_cap_fen if c else None
                f["cap"] = ui.number(
                    t("每日上限（元，可空）", "Daily cap (yuan, optional)"), value=cap / 100 if cap else None
                )
        scope, targeting, limits = (c.scope, c.targeting, c.limits) if c else (None, None, None)
        with ui.card().classes("w-full gap-2"):
            ui.label(t("活动范围与定向", "Scope and targeting")).classes("text-base font-medium")
            f["products"] = ui.input(
                t("产品ID", "Product ids"), value=" ".join(map(str, scope.product_ids if scope else []))
            )
            f["batches"] = ui.input(
                t("码包ID", "Batch ids"), value=" ".join(map(str, scope.batch_ids if scope else []))
            )
            f["serials"] = ui.input(
                t("序号段（如 1-100）", "Serial ranges (e.g. 1-100)"),
                value=" ".join(f"{r.first}-{r.last}" for r in (scope.serial_ranges if scope else [])),
            )
            f["regions"] = ui.input(
                t("地区代码", "Region codes"), value=" ".join(targeting.regions if targeting else [])
            )
            f["hours"] = ui.input(
                t("时段（0–23）", "Hours (0–23)"), value=" ".join(map(str, targeting.hours if targeting else []))
            )
            f["weekdays"] = ui.input(
                t("星期（1–7）", "Weekdays (1–7)"), value=" ".join(map(str, targeting.weekdays if targeting else []))
            )
            f["scanner"] = ui.select(
                {"any": t("不限", "Any"), "new": t("新用户", "New"), "returning": t("老用户", "Returning")},
                value=targeting.scanner if targeting else "any", label=t("扫码用户", "Scanner"),
            )  # fmt: skip
        with ui.card().classes("w-full gap-2"):
            ui.label(t("限制", "Limits")).classes("text-base font-medium")
            with ui.row().classes("gap-4"):
                f["per_day"] = ui.number(
                    t("每人每天", "Per person a day"), value=limits.per_person_day if limits else None
                )
                f["per_total"] = ui.number(
                    t("每人累计", "Per person in total"), value=limits.per_person_total if limits else None
                )
                f["per_code"] = ui.number(
                    t("一码可中次数", "Awards per code"), value=limits.scans_per_code if limits else 1
                )
        with ui.card().classes("w-full gap-2"):
            ui.label(t("奖池", "Prize pool")).classes("text-base font-medium")
            self.pool = ui.column().classes("w-full gap-1")
            ui.button(t("添加奖品", "Add prize"), icon="add", on_click=self.add_prize).props("flat")
        self.draw_pool()

    def add_prize(self) -> None:
        self.prizes.append({"name": "", "kind": "cash", "weight": 1, "amount_fen": 100, "fallback": not self.prizes})
        self.draw_pool()

    def remove_prize(self, index: int) -> None:
        self.prizes.pop(index)
        self.draw_pool()

    def draw_pool(self) -> None:
        t = self.page.t
        kinds = {k: self.page.text(v) for k, v in KINDS.items()}
        self.pool.clear()
        with self.pool:
            for i, prize in enumerate(self.prizes):
                with ui.row().classes("gap-2 items-center no-wrap"):
                    ui.input(t("名称", "Name")).bind_value(prize, "name").classes("w-32")
                    ui.select(kinds, label=t("类型", "Kind")).bind_value(prize, "kind").classes("w-28")
                    ui.number(t("金额（分）", "Amount (fen)")).bind_value(prize, "amount_fen").classes("w-24")
                    ui.number(t("积分", "Points")).bind_value(prize, "points").classes("w-20")
                    ui.number(t("成本（分）", "Cost (fen)")).bind_value(prize, "cost_fen").classes("w-24")
                    ui.input(t("券编号", "Coupon ref")).bind_value(prize, "coupon_ref").classes("w-24")
                    ui.number(t("权重", "Weight")).bind_value(prize, "weight").classes("w-20")
                    ui.number(t("库存", "Stock")).bind_value(prize, "stock").classes("w-20")
                    ui.checkbox(t("保底", "Fallback")).bind_value(prize, "fallback")
                    ui.button(icon="delete", on_click=lambda _, i=i: self.remove_prize(i)).props("flat dense")

    def values(self) -> dict[str, Any]:
        f = self.fields

        def num(key: str) -> int | None:
            return None if f[key].value in (None, "") else int(f[key].value)

        keep = ("name", "kind", "weight", "amount_fen", "min_fen", "max_fen", "points", "coupon_ref", "cost_fen",
                "stock", "fallback")  # fmt: skip
        prizes = [{k: v for k, v in p.items() if k in keep and v not in (None, "")} for p in self.prizes]
        return {
            "name": f["name"].value, "description": f["description"].value or "",
            "budget_fen": round(float(f["budget"].value or 0) * 100),
            "daily_cap_fen": None if f["cap"].value in (None, "") else round(float(f["cap"].value) * 100),
            "scope": {"product_ids": ints(f["products"].value), "batch_ids": ints(f["batches"].value),
                      "serial_ranges": ranges(f["serials"].value)},
            "targeting": {"regions": words(f["regions"].value), "hours": ints(f["hours"].value),
                          "weekdays": ints(f["weekdays"].value), "scanner": f["scanner"].value},
            "limits": {"per_person_day": num("per_day"), "per_person_total": num("per_total"),
                       "scans_per_code": num("per_code") or 1},
            "prizes": prizes,
        }  # fmt: skip


def show_simulation(page: ConsolePage, box: ui.column, result: Simulation) -> None:
    t = page.t
    box.clear()
    with box:
        ends = result.budget_exhausted_at_scan
        ui.label(
            t(f"预计花费 {yuan(result.expected_cost_fen)} / {yuan(result.budget_fen)} 元", f"Expected cost "
              f"{yuan(result.expected_cost_fen)} of {yuan(result.budget_fen)} yuan")
        )  # fmt: skip
        ui.label(t("预算用完于第 ", "Budget runs out at scan ") + (f"{ends:,.0f}" if ends is not None else "—"))
        rows = [
            {"name": p.name, "count": f"{p.expected_count:,.1f}", "cost": yuan(p.expected_cost_fen),
             "ends": f"{p.runs_out_at_scan:,.0f}" if p.runs_out_at_scan is not None else "—"}
            for p in result.prizes
        ]  # fmt: skip
        columns = [
            {"name": k, "label": label, "field": k, "align": "left"}
            for k, label in (("name", t("奖品", "Prize")), ("count", t("预计数量", "Expected count")),
                             ("cost", t("预计花费（元）", "Expected cost (yuan)")),
                             ("ends", t("用完于第几次扫码", "Runs out at scan")))
        ]  # fmt: skip
        ui.table(columns=columns, rows=rows).classes("w-full")


@console_page(
    BUILDER, label=Text("活动配置", "Campaign builder"), area=nav.MARKETING, icon="redeem",
    permission=CAMPAIGNS_READ.name, in_nav=False,
)  # fmt: skip
async def builder_page(page: ConsolePage) -> None:
    t, raw = page.t, page.query.get("id", "")
    campaign = None
    if raw.isdigit() and 0 < int(raw) < 2**63:
        outcome = await page.run(lambda ctx: service.get_campaign(ctx, int(raw)))
        campaign = outcome.value if outcome else None
    title = campaign.name if campaign else t("新建活动", "New campaign")
    with page_header(title, page.text(STATES[campaign.state]) if campaign else None):
        ui.link(t("返回活动列表", "Back to campaigns"), "/campaigns")
        if campaign:  # analytics' page (a layer above: linked by URL)
            ui.link(t("看板", "Dashboard"), f"{DASHBOARD}?id={campaign.id}").props("data-testid=campaign-dashboard")
    builder = Builder(page, campaign)
    builder.draw()
    box = ui.column().classes("w-full")

    async def save() -> None:
        if campaign is None:
            made = await page.run(lambda ctx: service.create_campaign(ctx, CampaignCreate(**builder.values())))
            if made:
                ui.navigate.to(f"{BUILDER}?id={made.value.id}")
            return
        data = CampaignUpdate(**builder.values())
        sent = data.model_fields_set if campaign.state in ("draft", "scheduled") else {"name", "description",
              "budget_fen", "daily_cap_fen", "targeting", "limits"}  # fmt: skip
        update = CampaignUpdate(**data.model_dump(include=sent, exclude_unset=True))  # the fields shown, no more
        if await page.run(lambda ctx: service.update_campaign(ctx, campaign.id, update), done=t("已保存", "Saved")):
            ui.navigate.to(f"{BUILDER}?id={campaign.id}")

    async def act(action: str) -> None:
        use_case = getattr(service, f"{action}_campaign")
        assert campaign is not None
        if await page.run(lambda ctx: use_case(ctx, campaign.id), done=t("已完成", "Done")):
            ui.navigate.to(f"{BUILDER}?id={campaign.id}")

    async def simulate() -> None:
        assert campaign is not None
        done = await page.run(lambda ctx: service.simulate_campaign(ctx, campaign.id, int(scans.value or 1)))
        if done:
            show_simulation(page, box, done.value)

    with ui.row().classes("gap-2 items-center"):
        if page.can(CAMPAIGNS_WRITE.name):
            ui.button(t("保存", "Save"), icon="save", on_click=save)
            if campaign:
                for action, label in (("publish", t("发布", "Publish")), ("pause", t("暂停", "Pause")),
                                      ("resume", t("恢复", "Resume")), ("end", t("结束", "End"))):  # fmt: skip
                    ui.button(label, on_click=lambda _, a=action: act(a)).props("outline")
        if campaign:
            scans = ui.number(t("预计扫码次数", "Expected scans"), value=100_000, min=1).classes("w-40")
            ui.button(t("模拟", "Simulate"), icon="calculate", on_click=simulate).props("outline")
    box.move()
