"""``yima partners dealers|stores|warehouses|accounts list|import|export|template``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from yima.identity.permissions import cli_context
from yima.partners import rules, service
from yima.partners.errors import ImportRejected
from yima.partners.schemas import (
    ChannelRoleFilter,
    DealerFilter,
    ImportMode,
    ImportResult,
    StoreFilter,
    WarehouseFilter,
)
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.settings import get_settings

T = TypeVar("T")
partners_app = typer.Typer(help="Dealers, stores and warehouses.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)
Tenant = Annotated[str, typer.Option(help="Brand slug")]
Limit = Annotated[int, typer.Option(help="At most this many (newest first)")]
Query = Annotated[str | None, typer.Option("--q", help="Part of the code or name")]
ImportFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An .xlsx in the template's layout")]
CreateOnly = Annotated[bool, typer.Option("--create-only", help="Refuse codes that exist")]
OutFile = Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the .xlsx")]
IMPORTS = {
    "dealers": service.import_dealers,
    "stores": service.import_stores,
    "warehouses": service.import_warehouses,
    "accounts": service.import_accounts,
}


def _run(slug: str, use_case: Callable[[Ctx], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(get_settings().database_url)
        try:
            async with cli_context(db, slug) as ctx:
                return await use_case(ctx)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _table(*headers: str) -> Table:
    table = Table("id")
    for header in headers:
        table.add_column(header)
    return table


def _import(kind: rules.SheetKind, tenant: str, file: Path, create_only: bool) -> None:
    content = file.read_bytes()
    mode: ImportMode = "create" if create_only else "upsert"
    try:
        result: ImportResult = _run(tenant, lambda ctx: IMPORTS[kind](ctx, content, mode))
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


def _add_kind(kind: rules.SheetKind, help_text: str, list_command: Callable[..., None]) -> None:
    """``yima partners <kind> list|import|export|template``."""
    app = typer.Typer(help=help_text, no_args_is_help=True)
    app.command("list")(list_command)

    @app.command("import")
    def import_(tenant: Tenant, file: ImportFile, create_only: CreateOnly = False) -> None:
        """Import from Excel: all rows or none; every problem is listed by row and column."""
        _import(kind, tenant, file, create_only)

    @app.command("export")
    def export(tenant: Tenant, file: OutFile) -> None:
        """Export every row to Excel (the import template's layout)."""
        exports = {
            "dealers": lambda ctx: service.export_dealers(ctx, DealerFilter()),
            "stores": lambda ctx: service.export_stores(ctx, StoreFilter()),
            "warehouses": lambda ctx: service.export_warehouses(ctx, WarehouseFilter()),
            "accounts": lambda ctx: service.export_accounts(ctx, ChannelRoleFilter()),
        }
        file.write_bytes(_run(tenant, exports[kind]))
        out.print(f"wrote {file}")

    @app.command("template")
    def template(tenant: Tenant, file: OutFile) -> None:
        """Write the empty import template."""
        file.write_bytes(_run(tenant, lambda ctx: service.template(ctx, kind)))
        out.print(f"wrote {file}")

    partners_app.add_typer(app, name=kind)


def dealers_list(tenant: Tenant, q: Query = None, limit: Limit = 100) -> None:
    """List a brand's dealers with their territories."""
    rows = _run(tenant, lambda ctx: service.list_dealers(ctx, DealerFilter(q=q), limit, None))[:limit]
    table = _table("编码 code", "名称 name", "所在地 seat", "经营区域 territory", "门店 stores", "启用 active")
    for d in rows:
        territory = "、".join(r.name for r in d.territory)
        table.add_row(str(d.id), d.code, d.name, d.region_name or "", territory, str(d.store_count), str(d.active))
    out.print(table)


def stores_list(tenant: Tenant, q: Query = None, limit: Limit = 100) -> None:
    """List a brand's stores with their dealers."""
    rows = _run(tenant, lambda ctx: service.list_stores(ctx, StoreFilter(q=q), limit, None))[:limit]
    table = _table("编码 code", "名称 name", "经销商 dealer", "区域 region", "区域内 in territory", "启用 active")
    for s in rows:
        inside = "" if s.in_dealer_territory is None else str(s.in_dealer_territory)
        table.add_row(str(s.id), s.code, s.name, s.dealer_code or "", s.region_name or "", inside, str(s.active))
    out.print(table)


def warehouses_list(tenant: Tenant, q: Query = None, limit: Limit = 100) -> None:
    """List a brand's warehouses."""
    rows = _run(tenant, lambda ctx: service.list_warehouses(ctx, WarehouseFilter(q=q), limit, None))[:limit]
    table = _table("编码 code", "名称 name", "类型 kind", "区域 region", "库位 locations", "启用 active")
    for w in rows:
        table.add_row(str(w.id), w.code, w.name, w.kind, w.region_name or "", str(w.location_count), str(w.active))
    out.print(table)


def accounts_list(tenant: Tenant, limit: Limit = 100) -> None:
    """List a brand's channel accounts (渠道账号): one row a role."""
    rows = _run(tenant, lambda ctx: service.list_roles(ctx, ChannelRoleFilter(), limit, None))[:limit]
    table = _table("手机号 phone", "姓名 name", "身份 kind", "经销商 / 门店 / 区域 partner", "状态 status")
    for r in rows:
        table.add_row(str(r.id), r.phone or "", r.name, r.kind_name, r.partner_name, r.status)
    out.print(table)


_add_kind("dealers", "Dealers (经销商) and their territories.", dealers_list)
_add_kind("stores", "Stores (门店).", stores_list)
_add_kind("warehouses", "Warehouses (仓库).", warehouses_list)
_add_kind("accounts", "Channel accounts (渠道账号): dealers' and stores' people, salesmen, guides.", accounts_list)
commands = {"partners": partners_app}
