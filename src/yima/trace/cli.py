"""``yima trace lifecycle CODE --tenant SLUG [--json]``: a code's whole life in the terminal."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from yima.identity.permissions import cli_context
from yima.platform.db.session import Database
from yima.settings import get_settings
from yima.trace import rules, service
from yima.trace.schemas import UnitLifecycle

trace_app = typer.Typer(help="Traceability: a code's lifecycle.", no_args_is_help=True)
out = Console()


def _lifecycle(slug: str, code: str) -> UnitLifecycle:
    async def run() -> UnitLifecycle:
        db = Database(get_settings().database_url)
        try:
            async with cli_context(db, slug) as ctx:
                return await service.unit_lifecycle(ctx, code)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _party(uri: str | None) -> str:
    found = rules.parse_party(uri)
    return f"{found[0]} #{found[1]}" if found else (uri or "")


@trace_app.command("lifecycle")
def lifecycle(
    code: Annotated[str, typer.Argument(help="Any printed form: URL, token, Digital Link, 防伪码")],
    tenant: Annotated[str, typer.Option("--tenant", help="The brand's slug")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON")] = False,
) -> None:
    """The unit, its parents and children, its own and inherited events, its current holder."""
    life = _lifecycle(tenant, code)
    if as_json:
        print(life.model_dump_json())
        return
    product = f"{life.product_sku} {life.product_name}" if life.product_sku else "-"
    out.print(f"[bold]{life.level} {life.serial}[/]  {life.state}  {product}  lot {life.lot or '-'}")
    out.print(f"EPC {life.epc}")
    if life.parents:
        out.print("in " + " → ".join(f"{p.level} {p.serial}" for p in life.parents))
    out.print(f"holds {life.children_count}")
    holder = life.holder
    if holder is not None:
        who = ", ".join(
            f"{k} #{v}"
            for k, v in (("dealer", holder.dealer_id), ("store", holder.store_id), ("warehouse", holder.warehouse_id))
            if v
        )
        out.print(
            f"held by {who or '-'} at {_party(holder.place) or 'on the road'} since {holder.since:%Y-%m-%d %H:%M}"
        )
    if life.diverted:
        out.print("[red]diverted (窜货)[/]")
    table = Table("time (UTC)", "step", "from", "to / at", "inherited from")
    for e in life.events:
        where = ", ".join(_party(d) for d in e.destinations) or _party(e.biz_location)
        inherited = f"{e.inherited_from.level} {e.inherited_from.serial}" if e.inherited_from else ""
        step = e.biz_step or f"{e.event_type} {e.action or ''}"
        table.add_row(
            f"{e.event_time:%Y-%m-%d %H:%M:%S}", step, ", ".join(_party(s) for s in e.sources), where, inherited
        )
    out.print(table)


commands = {"trace": trace_app}
