"""业务员 A salesman: who he is, whom he works for, and the stores he looks after (set on each
store's form, or by the stores sheet's 业务员手机 column)."""

from __future__ import annotations

from nicegui import ui

from yima.partners import service
from yima.partners.console.accounts import BRAND, STATUSES
from yima.partners.console.dealer import STORE_COLUMNS, store_row
from yima.partners.permissions import PARTNERS_READ
from yima.partners.schemas import ChannelRoleRead, StoreRead
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.widgets import DataTable, page_header
from yima.platform.ctx import Ctx


@console_page(
    "/partners/salesman",
    label=Text("业务员", "Salesman"),
    area=nav.CHANNEL,
    icon="badge",
    permission=PARTNERS_READ.name,
    in_nav=False,
)
async def salesman_page(page: ConsolePage) -> None:
    t = page.t
    raw = page.query.get("id", "")
    outcome = await page.run(lambda ctx: _load(ctx, int(raw))) if raw.isdigit() and 0 < int(raw) < 2**63 else None
    if not outcome:
        page_header(t("没有这个业务员", "No such salesman"))
        return
    salesman, stores = outcome.value
    with page_header(salesman.name or t("业务员", "Salesman"), salesman.phone or ""):
        ui.link(t("返回渠道账号", "Back to channel accounts"), "/partners/accounts")
    with ui.card().classes("w-full gap-2"):
        for label, value in (
            (t("所属", "Works for"), salesman.partner_name or page.text(BRAND)),
            (t("状态", "Status"), page.text(STATUSES[salesman.status])),
        ):
            with ui.row().classes("gap-2 text-sm no-wrap"):
                ui.label(label).classes("text-grey-7 w-20 shrink-0")
                ui.label(value)
    ui.label(t(f"负责门店（{len(stores)}）", f"Stores ({len(stores)})")).classes("text-lg font-medium")
    table = DataTable(page, STORE_COLUMNS)
    table.table.mark("salesman-stores")
    table.set_rows([store_row(page, s) for s in stores])


async def _load(ctx: Ctx, salesman_id: int) -> tuple[ChannelRoleRead, list[StoreRead]]:
    return await service.get_role(ctx, salesman_id), await service.salesman_stores(ctx, salesman_id)
