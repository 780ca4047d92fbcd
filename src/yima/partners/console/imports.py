"""渠道导入 Import dealers, stores, warehouses or channel accounts from Excel: choose what to import, download its
template, upload the filled-in file, and see what was imported or every problem by row and
column (nothing is imported then)."""

from __future__ import annotations

from typing import cast

from nicegui import ui

from yima.partners import rules, service
from yima.partners.permissions import PARTNERS_WRITE
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.imports import ImportPanel, ImportSpec
from yima.platform.console.widgets import page_header

KINDS = {
    "dealers": Text("经销商", "Dealers"),
    "stores": Text("门店", "Stores"),
    "warehouses": Text("仓库", "Warehouses"),
    "accounts": Text("渠道账号", "Channel accounts"),
}
IMPORTS = {
    "dealers": service.import_dealers,
    "stores": service.import_stores,
    "warehouses": service.import_warehouses,
    "accounts": service.import_accounts,
}


@console_page(
    "/partners/import",
    label=Text("渠道导入", "Import channel data"),
    area=nav.CHANNEL,
    icon="upload_file",
    permission=PARTNERS_WRITE.name,
    order=40,
)
async def import_page(page: ConsolePage) -> None:
    t = page.t
    page_header(
        t("渠道导入", "Import channel data"),
        t(
            "先检查每一行：只要有一处错误，就不导入任何数据；全部正确时按编码新建或更新。请先导入经销商，再导入门店。",
            "Every row is checked first: with any problem nothing is imported; otherwise rows are created or "
            "updated by code. Import dealers before their stores.",
        ),
    )
    chosen = page.query.get("kind", "dealers")
    kind = cast(rules.SheetKind, chosen if chosen in KINDS else "dealers")
    ui.radio({k: page.text(v) for k, v in KINDS.items()}, value=kind, on_change=lambda e: panel.refresh(e.value)).props(
        "inline"
    ).mark("import-kind")

    @ui.refreshable
    def panel(kind: rules.SheetKind) -> None:
        name = page.text(KINDS[kind])
        spec = ImportSpec(
            title=t(f"导入{name}", f"Import {name.lower()}"),
            description="",
            modes={
                "upsert": t("新建或更新（已有的编码会被更新）", "Create or update (existing codes are updated)"),
                "create": t("只新建（已有的编码报错）", "Create only (existing codes are errors)"),
            },
            run=lambda ctx, content, mode: IMPORTS[kind](ctx, content, "create" if mode == "create" else "upsert"),
            template=lambda ctx: service.template(ctx, kind),
            template_name=f"{kind}-template.xlsx",
            max_bytes=rules.MAX_IMPORT_BYTES,
            max_rows=rules.MAX_IMPORT_ROWS,
            done_link=(t(f"查看{name}", f"See the {name.lower()}"), f"/partners/{kind}"),
        )
        ImportPanel(page, spec)

    panel(kind)
