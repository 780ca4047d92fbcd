"""商品导入 Import products from Excel: download the template, upload the filled-in file, and see
either what was imported or every problem by row and column (nothing is imported then)."""

from __future__ import annotations

from yima.catalog import rules, service
from yima.catalog.permissions import CATALOG_WRITE
from yima.platform.console import ConsolePage, Text, console_page, nav
from yima.platform.console.imports import ImportPanel, ImportSpec


@console_page(
    "/catalog/import",
    label=Text("商品导入", "Import products"),
    area=nav.PRODUCTS,
    icon="upload_file",
    permission=CATALOG_WRITE.name,
    order=30,
)
async def import_page(page: ConsolePage) -> None:
    t = page.t
    spec = ImportSpec(
        title=t("商品导入", "Import products"),
        description=t(
            "先检查每一行：只要有一处错误，就不导入任何数据；全部正确时按 SKU 新建或更新商品。",
            "Every row is checked first: with any problem nothing is imported; otherwise products are "
            "created or updated by SKU.",
        ),
        modes={
            "upsert": t("新建或更新（已有的 SKU 会被更新）", "Create or update (existing SKUs are updated)"),
            "create": t("只新建（已有的 SKU 报错）", "Create only (existing SKUs are errors)"),
        },
        run=lambda ctx, content, mode: service.import_products(
            ctx, content, "create" if mode == "create" else "upsert"
        ),
        template=service.products_template,
        template_name="products-template.xlsx",
        max_bytes=rules.MAX_IMPORT_BYTES,
        max_rows=rules.MAX_IMPORT_ROWS,
        done_link=(t("查看商品", "See the products"), "/catalog/products"),
    )
    ImportPanel(page, spec)
