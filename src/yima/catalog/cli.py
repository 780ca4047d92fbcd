"""``yima catalog products …`` and ``yima catalog specs …``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from yima.catalog import service
from yima.catalog.errors import ImportRejected
from yima.catalog.schemas import ProductFilter, SpecFilter
from yima.identity.permissions import cli_context
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.settings import get_settings

T = TypeVar("T")
catalog_app = typer.Typer(help="Products and packaging specs.", no_args_is_help=True)
products_app = typer.Typer(help="Products: list, import from and export to Excel.", no_args_is_help=True)
specs_app = typer.Typer(help="Packaging specs.", no_args_is_help=True)
catalog_app.add_typer(products_app, name="products")
catalog_app.add_typer(specs_app, name="specs")
out = Console()
err = Console(stderr=True)
Tenant = Annotated[str, typer.Option(help="Brand slug")]


def _run(slug: str, use_case: Callable[[Ctx], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(get_settings().database_url)
        try:
            async with cli_context(db, slug) as ctx:
                return await use_case(ctx)
        finally:
            await db.dispose()

    return asyncio.run(run())


@products_app.command("list")
def products_list(
    tenant: Tenant,
    q: Annotated[str | None, typer.Option(help="Part of the SKU, name or GTIN")] = None,
    status: Annotated[str | None, typer.Option(help="active or discontinued")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (newest first)")] = 100,
) -> None:
    """List a brand's products."""
    filters = ProductFilter.model_validate({"q": q, "status": status})
    rows = _run(tenant, lambda ctx: service.list_products(ctx, filters, limit, None))[:limit]
    table = Table("id")
    for header in ("SKU", "GTIN", "包装 spec"):
        table.add_column(header, no_wrap=True)
    table.add_column("名称 name")
    table.add_column("状态 status", no_wrap=True)
    for p in rows:
        table.add_row(str(p.id), p.sku, p.gtin or "", p.packaging_spec_code or "", p.name, p.status)
    out.print(table)


@products_app.command("import")
def products_import(
    tenant: Tenant,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An .xlsx in the template's layout")],
    create_only: Annotated[bool, typer.Option("--create-only", help="Refuse SKUs that exist")] = False,
) -> None:
    """Import products from Excel: all rows or none; every problem is listed by row and column."""
    content = file.read_bytes()
    try:
        result = _run(tenant, lambda ctx: service.import_products(ctx, content, "create" if create_only else "upsert"))
    except ImportRejected as exc:
        table = Table("行 row", "列 column", "值 value", "问题 problem", title=f"{file.name}: nothing was imported")
        for p in exc.problems:
            table.add_row(str(p.row or ""), escape(p.column), escape(p.value), escape(p.message))
        err.print(table)
        err.print(f"[red]error:[/] {escape(exc.message)}")
        raise typer.Exit(1) from exc
    out.print(
        f"imported {result.rows} rows: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
    )


@products_app.command("export")
def products_export(
    tenant: Tenant, file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the .xlsx")]
) -> None:
    """Export every product to Excel (the import template's layout)."""
    file.write_bytes(_run(tenant, lambda ctx: service.export_products(ctx, ProductFilter())))
    out.print(f"wrote {file}")


@products_app.command("template")
def products_template(
    tenant: Tenant, file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the .xlsx")]
) -> None:
    """Write the empty import template (with the brand's packaging specs)."""
    file.write_bytes(_run(tenant, service.products_template))
    out.print(f"wrote {file}")


@specs_app.command("list")
def specs_list(tenant: Tenant) -> None:
    """List a brand's packaging specs."""
    rows = _run(tenant, lambda ctx: service.list_specs(ctx, SpecFilter(), 200, None))
    table = Table("id")
    table.add_column("编码 code", no_wrap=True)
    table.add_column("名称 name")
    for header in ("瓶/箱 b/c", "箱/托 c/p", "码面 faces", "启用 active"):
        table.add_column(header, no_wrap=True)
    short = {"outer": "外", "inner": "内"}
    for s in rows:
        faces = "/".join(
            "".join(short[f] for f in level) or "-" for level in (s.bottle_faces, s.case_faces, s.pallet_faces)
        )
        table.add_row(str(s.id), s.code, s.name, str(s.bottles_per_case), str(s.cases_per_pallet), faces, str(s.active))
    out.print(table)


commands = {"catalog": catalog_app}
