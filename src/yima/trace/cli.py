"""``yima trace …``: a code's whole life (``lifecycle``) and the logistics operations
(``warehouse-in``, ``ship``, ``receive``, ``return``) as a warehouse's scanner session hands them
over: codes as arguments and/or a file, one per line. A refusal lists every problem and writes
nothing (exit 1)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from yima.identity.permissions import cli_context
from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.platform.errors import FieldError, Invalid
from yima.settings import get_settings
from yima.trace import rules, service
from yima.trace.schemas import (
    MAX_LOGISTICS_CODES,
    GoodsReturn,
    LogisticsResult,
    PartyKind,
    PartyRef,
    Receipt,
    Shipment,
    WarehouseIn,
)

T = TypeVar("T")
trace_app = typer.Typer(help="Traceability: logistics operations and a code's lifecycle.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


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
    life = _in_brand(tenant, lambda ctx: service.unit_lifecycle(ctx, code))
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
    table = Table("time (brand local)", "step", "from", "to / at", "inherited from")
    for e in life.events:
        where = ", ".join(_party(d) for d in e.destinations) or _party(e.biz_location)
        inherited = f"{e.inherited_from.level} {e.inherited_from.serial}" if e.inherited_from else ""
        step = e.biz_step or f"{e.event_type} {e.action or ''}"
        table.add_row(
            f"{e.event_time:%Y-%m-%d %H:%M:%S}", step, ", ".join(_party(s) for s in e.sources), where, inherited
        )
    out.print(table)


# logistics operations -------------------------------------------------------------------------

Tenant = Annotated[str, typer.Option("--tenant", help="The brand's slug")]
Codes = Annotated[
    list[str] | None,
    typer.Argument(help="Printed codes (URL, token, Digital Link, 防伪码) of pallets, cases or bottles"),
]
CodesFile = Annotated[
    Path | None,
    typer.Option("--file", exists=True, dir_okay=False, help="A file of codes, one per line (a scanner's session)"),
]
Reference = Annotated[str | None, typer.Option("--reference", help="The delivery note or other document number")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the recorded events as JSON")]
PartnerCode = Annotated[str | None, typer.Option(help="A partner's code")]
_FINDERS: dict[str, Callable[[Ctx, str], Awaitable[Any]]] = {
    "warehouse": partners.find_warehouse,
    "dealer": partners.find_dealer,
    "store": partners.find_store,
}
_LABELS = {"warehouse_in": "入库", "ship": "出库发货", "receive": "收货/签收", "return": "退货"}


class _Refused(Exception):
    """Problems as (where, code, why); raised inside the transaction so nothing is written."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _read_codes(args: list[str] | None, file: Path | None) -> list[str]:
    """The codes of the arguments, then of the file; blank lines dropped, each once, in order."""
    texts = list(args or [])
    if file is not None:
        texts += file.read_text(encoding="utf-8-sig").splitlines()
    codes = list(dict.fromkeys(t.strip() for t in texts if t.strip()))
    if not codes:
        raise typer.BadParameter("give the codes as arguments or with --file", param_hint="CODES")
    return codes


def _one(options: dict[str, str | None], hint: str) -> tuple[PartyKind, str]:
    """The one partner option given, as (kind, code)."""
    given = [(kind, code) for kind, code in options.items() if code]
    if len(given) != 1:
        raise typer.BadParameter("give exactly one of them", param_hint=hint)
    kind, code = given[0]
    return kind, code  # type: ignore[return-value]


async def _parties(ctx: Ctx, wanted: dict[str, tuple[PartyKind, str]]) -> dict[str, PartyRef]:
    """Partners by code (option → (kind, code)); _Refused listing every unknown one."""
    found: dict[str, PartyRef] = {}
    problems: list[tuple[str, str, str]] = []
    for option, (kind, code) in wanted.items():
        partner = await _FINDERS[kind](ctx, code)
        if partner is None:
            problems.append((option, code, f"no {kind} with this code"))
        else:
            found[option] = PartyRef(kind=kind, id=partner.id)
    if problems:
        raise _Refused(problems)
    return found


def _problem(detail: FieldError, chunk: list[str], start: int) -> tuple[str, str, str]:
    if detail.field.startswith("codes[") and detail.field.endswith("]"):
        i = int(detail.field[6:-1])
        return f"#{start + i + 1}", chunk[i], detail.message
    return detail.field, "", detail.message


async def _operate(
    codes: list[str], record: Callable[[list[str]], Awaitable[LogisticsResult]]
) -> list[LogisticsResult]:
    """One event per MAX_LOGISTICS_CODES codes, all in the CLI's one transaction: every problem
    of every chunk is listed, and any problem writes nothing."""
    results: list[LogisticsResult] = []
    problems: list[tuple[str, str, str]] = []
    for start in range(0, len(codes), MAX_LOGISTICS_CODES):
        chunk = codes[start : start + MAX_LOGISTICS_CODES]
        try:
            results.append(await record(chunk))
        except Invalid as exc:
            found = [_problem(d, chunk, start) for d in exc.details] or [("", "", exc.message)]
            problems += [p for p in found if p not in problems]
    if problems:
        raise _Refused(problems)
    return results


def _report(
    slug: str, codes: list[str], use_case: Callable[[Ctx], Awaitable[list[LogisticsResult]]], as_json: bool
) -> None:
    try:
        results = _in_brand(slug, use_case)
    except _Refused as exc:
        table = Table("where", "code", "problem", title=f"nothing was recorded: {len(exc.problems)} problem(s)")
        for where, code, why in exc.problems:
            table.add_row(where, code[:80], why)
        err.print(table)
        raise typer.Exit(1) from None
    if as_json:
        print("[" + ",".join(r.model_dump_json() for r in results) + "]")
        return
    for r in results:
        extra = f", [red]{r.diversions} diversion(s) (窜货)[/]" if r.diversions else ""
        out.print(
            f"[green]✓[/] {_LABELS.get(r.operation, r.operation)} ({r.operation}): "
            f"{r.units} scanned unit(s){extra}  event {', '.join(r.event_ids or [r.event_id])}"
        )
    out.print(f"{len(codes)} code(s) read, {sum(r.units for r in results)} unit(s) recorded (what they hold inherits)")


def _in_brand(slug: str, use_case: Callable[[Ctx], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(get_settings().database_url)
        try:
            async with cli_context(db, slug) as ctx:
                return await use_case(ctx)
        finally:
            await db.dispose()

    return asyncio.run(run())


async def _location_id(ctx: Ctx, warehouse_id: int, code: str) -> int:
    found = [x for x in await partners.list_locations(ctx, warehouse_id, 1000, None) if x.code == code]
    if not found:
        raise _Refused([("--location", code, "no location with this code in the warehouse")])
    return found[0].id


@trace_app.command("warehouse-in")
def warehouse_in(
    tenant: Tenant,
    warehouse: Annotated[str, typer.Option(help="The warehouse's code")],
    codes: Codes = None,
    file: CodesFile = None,
    location: Annotated[str | None, typer.Option(help="A storage location's code in the warehouse")] = None,
    reference: Reference = None,
    as_json: AsJson = False,
) -> None:
    """入库: the scanned pallets, cases or bottles are stored in a warehouse."""
    texts = _read_codes(codes, file)

    async def go(ctx: Ctx) -> list[LogisticsResult]:
        found = (await _parties(ctx, {"--warehouse": ("warehouse", warehouse)}))["--warehouse"]
        location_id = await _location_id(ctx, found.id, location) if location else None
        return await _operate(
            texts,
            lambda chunk: service.warehouse_in(
                ctx, WarehouseIn(codes=chunk, warehouse_id=found.id, location_id=location_id, reference=reference)
            ),
        )

    _report(tenant, texts, go, as_json)


def _move(
    tenant: str,
    texts: list[str],
    source: tuple[PartyKind, str],
    destination: tuple[PartyKind, str],
    record: Callable[[Ctx, list[str], PartyRef, PartyRef], Awaitable[LogisticsResult]],
    as_json: bool,
) -> None:
    """Goods moving from one partner to another (ship, return): look both up, then record."""

    async def go(ctx: Ctx) -> list[LogisticsResult]:
        found = await _parties(ctx, {f"--from-{source[0]}": source, f"--to-{destination[0]}": destination})
        src, dst = found[f"--from-{source[0]}"], found[f"--to-{destination[0]}"]
        return await _operate(texts, lambda chunk: record(ctx, chunk, src, dst))

    _report(tenant, texts, go, as_json)


@trace_app.command("ship")
def ship(
    tenant: Tenant,
    codes: Codes = None,
    file: CodesFile = None,
    from_warehouse: PartnerCode = None,
    from_dealer: PartnerCode = None,
    to_dealer: PartnerCode = None,
    to_store: PartnerCode = None,
    reference: Reference = None,
    as_json: AsJson = False,
) -> None:
    """出库发货: from a warehouse (or a dealer) to a dealer or a store."""
    source = _one({"warehouse": from_warehouse, "dealer": from_dealer}, "--from-warehouse / --from-dealer")
    destination = _one({"dealer": to_dealer, "store": to_store}, "--to-dealer / --to-store")

    async def record(ctx: Ctx, chunk: list[str], src: PartyRef, dst: PartyRef) -> LogisticsResult:
        return await service.ship(ctx, Shipment(codes=chunk, source=src, destination=dst, reference=reference))

    _move(tenant, _read_codes(codes, file), source, destination, record, as_json)


@trace_app.command("receive")
def receive(
    tenant: Tenant,
    codes: Codes = None,
    file: CodesFile = None,
    dealer: PartnerCode = None,
    store: PartnerCode = None,
    reference: Reference = None,
    as_json: AsJson = False,
) -> None:
    """收货 (a dealer) / 签收 (a store); a store outside the shipper's territory is diversion."""
    receiver = _one({"dealer": dealer, "store": store}, "--dealer / --store")
    texts = _read_codes(codes, file)

    async def go(ctx: Ctx) -> list[LogisticsResult]:
        found = (await _parties(ctx, {f"--{receiver[0]}": receiver}))[f"--{receiver[0]}"]
        return await _operate(
            texts, lambda chunk: service.receive(ctx, Receipt(codes=chunk, receiver=found, reference=reference))
        )

    _report(tenant, texts, go, as_json)


@trace_app.command("return")
def return_goods(
    tenant: Tenant,
    codes: Codes = None,
    file: CodesFile = None,
    from_dealer: PartnerCode = None,
    from_store: PartnerCode = None,
    to_warehouse: PartnerCode = None,
    to_dealer: PartnerCode = None,
    reference: Reference = None,
    as_json: AsJson = False,
) -> None:
    """退货: from a dealer or a store back to a warehouse or a dealer."""
    source = _one({"dealer": from_dealer, "store": from_store}, "--from-dealer / --from-store")
    destination = _one({"warehouse": to_warehouse, "dealer": to_dealer}, "--to-warehouse / --to-dealer")

    async def record(ctx: Ctx, chunk: list[str], src: PartyRef, dst: PartyRef) -> LogisticsResult:
        return await service.return_goods(
            ctx, GoodsReturn(codes=chunk, source=src, destination=dst, reference=reference)
        )

    _move(tenant, _read_codes(codes, file), source, destination, record, as_json)


commands = {"trace": trace_app}
