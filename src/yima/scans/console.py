"""风控审核: the review queue — scans risk control held, with its reasons; approve (the scan draws
now) or reject each, or look back at those decided. Beside it, 实物奖品发货: the gifts the scans
awarded whose winners gave an address, shipped with a tracking number."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from yima.campaigns.permissions import CAMPAIGNS_READ, CAMPAIGNS_WRITE, RISK_READ, RISK_WRITE
from yima.campaigns.service import gifts
from yima.campaigns.service.gifts import GiftDeliveryFilter, GiftDeliveryRead, GiftShipment
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import (
    Column,
    CursorPager,
    DataTable,
    FormDialog,
    Row,
    RowAction,
    page_header,
    text_field,
)
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

    async def load(ctx: Ctx, state: str, limit: int, before: int | None) -> list[Row]:
        filters = ReviewFilter(state=state)
        return [_row(page, r) for r in await service.list_reviews(ctx, filters, limit, before)]

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
    pager = await _queue(page, header, STATES, "review-state", DataTable(page, COLUMNS, actions=actions), load)


async def _queue(
    page: ConsolePage, header: ui.row, states: dict[str, Text], testid: str, table: DataTable,
    load: Callable[[Ctx, str, int, int | None], Awaitable[list[Row]]],
) -> CursorPager:  # fmt: skip
    """A queue's table paged by a state chooser in the header (the first state shown first)."""
    first = next(iter(states))
    chosen = {"state": first}
    with header:
        chooser = ui.select({k: page.text(v) for k, v in states.items()}, value=first, label=page.t("状态", "State"))
        chooser.props(f"dense data-testid={testid}").classes("w-32")
    pager = CursorPager(page, table, lambda ctx, limit, before: load(ctx, chosen["state"], limit, before))

    async def change() -> None:
        chosen["state"] = chooser.value or first
        await pager.reload()

    chooser.on_value_change(change)
    await pager.reload()
    return pager


# 实物奖品发货: physical gifts whose winners gave their address, shipped with a tracking number ----

GIFT_STATES = {"pending": Text("待发货", "To ship"), "shipped": Text("已发货", "Shipped")}
GIFT_COLUMNS = [
    Column("award_id", Text("中奖 ID", "Award"), kind="mono"),
    Column("campaign_id", Text("活动", "Campaign"), kind="mono"),
    Column("prize_name", Text("奖品", "Prize")),
    Column("recipient", Text("收货人", "Recipient")),
    Column("address", Text("收货地址", "Address"), kind="wrap"),
    Column("submitted", Text("填写时间", "Given at")),
    Column("shipping", Text("物流", "Shipping")),
]


def _full_address(r: GiftDeliveryRead) -> str:
    """The address as given, led by its region unless the text names it already."""
    named = not r.region_name or r.region_name.split()[-1] in r.address
    return r.address if named else f"{r.region_name} {r.address}"


def _gift_row(r: GiftDeliveryRead) -> Row:
    shipping = f"{r.carrier or ''} {r.tracking_no} · {r.shipped_at:%Y-%m-%d %H:%M}" if r.shipped_at else "—"
    return {
        "id": r.id,
        "award_id": r.award_id,
        "campaign_id": r.campaign_id,
        "prize_name": r.prize_name,
        "recipient": f"{r.recipient_name} {r.phone}",
        "address": _full_address(r),
        "submitted": r.updated_at.strftime("%Y-%m-%d %H:%M"),
        "shipping": shipping.strip(),
        "state": r.state,
    }


@console_page(
    "/scans/gifts", label=Text("实物奖品发货", "Gift deliveries"), area=nav.MARKETING, icon="local_shipping",
    permission=CAMPAIGNS_READ.name, order=41,
)  # fmt: skip
async def gifts_page(page: ConsolePage) -> None:
    t = page.t
    header = page_header(
        t("实物奖品发货", "Gift deliveries"),
        t("中奖者已填写收货地址的实物奖品：发货并填写快递单号", "Gifts whose winners gave an address: ship them"),
    )

    async def load(ctx: Ctx, state: str, limit: int, before: int | None) -> list[Row]:
        filters = GiftDeliveryFilter(state=state)
        return [_gift_row(r) for r in await gifts.list_gift_deliveries(ctx, filters, limit, before)]

    def ship(row: Row) -> None:
        async def save() -> bool:
            data = {"tracking_no": tracking.value or "", "carrier": carrier.value or None}
            done = await page.run(
                lambda ctx: gifts.ship_gift(ctx, int(row["id"]), GiftShipment.model_validate(data)),
                done=t("已发货", "Shipped"),
                fields={"tracking_no": t("快递单号", "Tracking number"), "carrier": t("快递公司", "Carrier")},
            )
            if done:
                await pager.refresh()
            return bool(done)

        title = t(f"发货：{row['prize_name']}", f"Ship: {row['prize_name']}")
        with FormDialog(page, title, save, submit=t("发货", "Ship")) as form:
            carrier = text_field(t("快递公司", "Carrier"))
            tracking = text_field(t("快递单号", "Tracking number"))
            form.body.mark("ship-dialog")
        form.open()

    actions = []
    if page.can(CAMPAIGNS_WRITE.name):
        actions = [RowAction("ship", "local_shipping", Text("发货", "Ship"), ship, "row.state === 'pending'")]
    pager = await _queue(page, header, GIFT_STATES, "gift-state", DataTable(page, GIFT_COLUMNS, actions=actions), load)
