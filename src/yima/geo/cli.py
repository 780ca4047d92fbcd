"""``yima geo load | locate | parse``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console

from yima.geo import service
from yima.identity.permissions import cli_context
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.settings import get_settings

T = TypeVar("T")
geo_app = typer.Typer(help="GB/T 2260 regions: load them, locate a point, parse an address.", no_args_is_help=True)
out = Console()
AsJson = Annotated[bool, typer.Option("--json", help="Print the answer as JSON")]


def _run(use_case: Callable[[Ctx], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(get_settings().database_url)
        try:
            async with cli_context(db) as ctx:
                return await use_case(ctx)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _show(answer: BaseModel, as_json: bool, summary: str) -> None:
    if as_json:
        print(answer.model_dump_json())
    else:
        out.print(summary)


@geo_app.command("load")
def load() -> None:
    """Load or refresh the regions from cpca's data (idempotent; the migration loads them too)."""
    result = _run(service.load_regions)
    out.print(
        f"{result.total} regions: {result.inserted} added, {result.updated} updated, {result.unchanged} unchanged"
    )


@geo_app.command("locate")
def locate(
    lat: Annotated[float, typer.Option(help="Latitude, WGS-84 degrees")],
    lon: Annotated[float, typer.Option(help="Longitude, WGS-84 degrees")],
    as_json: AsJson = False,
) -> None:
    """The county-level region nearest to a point."""
    found = _run(lambda ctx: service.locate(ctx, lat, lon))
    region = found.region
    summary = (
        f"[bold]{region.code}[/] {region.full_name}  ({found.distance_km} km from its centroid)"
        if region
        else "outside China: no region"
    )
    _show(found, as_json, summary)


@geo_app.command("parse")
def parse(
    address: Annotated[str, typer.Argument(help="An address, e.g. 浙江省杭州市西湖区文三路")],
    as_json: AsJson = False,
) -> None:
    """Province, city and district named in an address."""
    parsed = _run(lambda ctx: service.parse_address(ctx, address))
    summary = (
        f"[bold]{parsed.code}[/] {parsed.full_name}  detail: {parsed.detail or '—'}  confidence {parsed.confidence}"
        if parsed.code
        else "no region found"
    )
    _show(parsed, as_json, summary)


commands = {"geo": geo_app}
