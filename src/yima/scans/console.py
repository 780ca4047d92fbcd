"""风控审核: the review queue — scans risk control held, with its reasons; approve (the scan draws
now) or reject each, or look back at those decided."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from yima.campaigns.permissions import RISK_READ, RISK_WRITE
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import Column, CursorPager, DataTable, Row, RowAction, page_header
from yima.platform.ctx import Ctx
from yima.scans import service
from yima.scans.schemas import ReviewDecision, ReviewFilter, ReviewRead

STATES = {
    "pending": Text("待审核", "Pending"),
    "approved": Text("已通过", "Approved"),
    "rejected": Text("已拒绝", "Rejected"),
}
OUTCOMES = {
    "held": Text("审核中", "Held"),
    "awarded": Text("已中奖", "Awarded"),
    "rejected": Text("已拒绝", "Rejected"),
    "not_eligible": Text("不符合活动条件", "Not eligible"),
    "already_awarded": Text("此码已中奖", "Code already awarded"),
    "limit_reached": Text("已达参与上限", "Limit reached"),
    "budget_exhausted": Text("预算已用完", "Budget exhausted"),
}
COLUMNS = [
    Column("scan_id", Text("扫码 ID", "Scan"), kind="mono"),
    Column("scanned_at", Text("扫码时间", "Scanned at")),
    Column("serial", Text("单元", "Unit"), kind="mono"),
    Column("person_id", Text("会员", "Person"), kind="mono"),
    Column("campaign_id", Text("活动", "Campaign"), kind="mono"),
    Column("region", Text("地区", "Region")),
    Column("reasons", Text("风控原因", "Why held"), kind="wrap"),
    Column("outcome", Text("结果", "Outcome")),
    Column("reviewed", Text("审核人", "Reviewed by")),
]


def _row(page: ConsolePage, r: ReviewRead) -> Row:
    award = f" · {r.award.prize_name}" if r.award else ""
    return {
        "id": r.scan_id,
        "scan_id": r.scan_id,
        "scanned_at": r.scanned_at.strftime("%Y-%m-%d %H:%M:%S"),
        "serial": r.serial,
        "person_id": r.person_id or "—",
        "campaign_id": r.campaign_id or "—",
        "region": r.region_code or "—",
        "reasons": "；".join(page.t(x.zh, x.en) for x in r.reasons) or "—",
        "outcome": page.text(OUTCOMES.get(r.outcome, Text(r.outcome, r.outcome))) + award,
        "reviewed": r.reviewed_by or "—",
        "state": r.review_state,
    }


@console_page(
    "/scans/reviews", label=Text("风控审核", "Risk reviews"), area=nav.MARKETING, icon="gpp_maybe",
    permission=RISK_READ.name, order=40,
)  # fmt: skip
async def reviews_page(page: ConsolePage) -> None:
    t = page.t
    header = page_header(
        t("风控审核", "Risk reviews"),
        t(
            "风控暂缓发奖的扫码：通过即按活动规则抽奖，拒绝则不发奖",
            "Scans held by risk control: approve to draw, reject to pay nothing",
        ),
    )
    state: dict[str, Any] = {"filter": ReviewFilter()}
    with header:
        chooser = ui.select({k: page.text(v) for k, v in STATES.items()}, value="pending", label=t("状态", "State"))
        chooser.props("dense data-testid=review-state").classes("w-32")

    async def load(ctx: Ctx, limit: int, before: int | None) -> list[Row]:
        return [_row(page, r) for r in await service.list_reviews(ctx, state["filter"], limit, before)]

    async def decide(row: Row, decision: str) -> None:
        done = await page.run(
            lambda ctx: service.decide_review(ctx, int(row["id"]), ReviewDecision(decision=decision)),
            done=t("已审核", "Reviewed"),
        )
        if done:
            await pager.refresh()

    actions = []
    if page.can(RISK_WRITE.name):
        pending = "row.state === 'pending'"
        actions = [
            RowAction("approve", "check", Text("通过", "Approve"), lambda r: decide(r, "approve"), pending),
            RowAction("reject", "block", Text("拒绝", "Reject"), lambda r: decide(r, "reject"), pending),
        ]
    table = DataTable(page, COLUMNS, actions=actions)
    pager = CursorPager(page, table, load)

    async def change() -> None:
        state["filter"] = ReviewFilter(state=chooser.value or "pending")
        await pager.reload()

    chooser.on_value_change(change)
    await pager.reload()
