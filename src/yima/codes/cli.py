"""``yima codes …``: batches with a progress bar, exports, decrypting packages, resolving, samples."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from yima.codes import service
from yima.codes import tasks as _tasks  # noqa: F401 -- registers codes' jobs: the root CLI loads no context's
from yima.codes.package import open_package, parse_key
from yima.codes.schemas import (
    BatchCreate,
    BatchFilter,
    ExportCreate,
    FaceName,
    LegacyImportCreate,
    PackOperation,
    PackRequest,
    UnpackRequest,
)
from yima.identity import service as identity
from yima.identity.permissions import cli_context
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.platform.outbox import service as jobs
from yima.platform.outbox.runner import Runner
from yima.settings import get_settings

app = typer.Typer(help="Codes: batches, exports, activation, resolving.", no_args_is_help=True)
out = Console(stderr=True)
T = TypeVar("T")
TenantOption = Annotated[str, typer.Option(help="Brand slug")]


async def _in_brand(db: Database, slug: str, use_case: Callable[[Ctx], Awaitable[T]]) -> T:
    async with cli_context(db, slug) as ctx:
        return await use_case(ctx)


async def _follow_job(db: Database, slug: str, job_id: int, label: str) -> None:
    """Run the job here (the web process may not be running) with a progress bar."""
    runner = Runner(db, identity.tenant_info)
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=out) as progress:
        bar = progress.add_task(label, total=None)
        work = asyncio.create_task(runner.drain())
        while True:
            job = await _in_brand(db, slug, lambda ctx: jobs.get_job(ctx, job_id))
            progress.update(bar, completed=job.done, total=job.total)
            if job.state in ("succeeded", "failed") or work.done():
                break
            await asyncio.sleep(0.3)
        await work
    job = await _in_brand(db, slug, lambda ctx: jobs.get_job(ctx, job_id))
    if job.state != "succeeded":
        out.print(f"[red]job {job_id} {job.state}:[/] {job.error}")
        raise typer.Exit(1)


def _run(coro: Callable[[Database], Awaitable[None]]) -> None:
    async def main() -> None:
        db = Database(get_settings().database_url)
        try:
            await coro(db)
        finally:
            await db.dispose()

    asyncio.run(main())


@app.command("create-batch")
def create_batch(
    tenant: TenantOption,
    level: Annotated[str, typer.Option(help="bottle, case or pallet")],
    quantity: Annotated[int, typer.Option(help="How many units (up to 10,000,000)")],
    supplier: Annotated[int, typer.Option(help="Supplier id")],
) -> None:
    """Reserve a batch and build its print file, with a progress bar; prints the package key once."""

    async def go(db: Database) -> None:
        data = BatchCreate(level=level, quantity=quantity, supplier_id=supplier)
        created = await _in_brand(db, tenant, lambda ctx: service.create_batch(ctx, data))
        out.print(f"batch {created.id}: serials {created.first_serial}–{created.last_serial}")
        out.print(f"package key (shown once): [bold]{created.export.package_key}[/]")
        assert created.export.job_id is not None
        await _follow_job(db, tenant, created.export.job_id, "generating")

    _run(go)


@app.command("export")
def export(
    tenant: TenantOption,
    batch: Annotated[int, typer.Option(help="Batch id")],
    output: Annotated[Path, typer.Option("--out", help="Where to write the sealed package")],
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx, qr_svg_zip, qr_png_zip or pdf")] = "csv",
) -> None:
    """Export a batch for its supplier as an encrypted package; prints the key once."""

    async def go(db: Database) -> None:
        data = ExportCreate(format=fmt)
        created = await _in_brand(db, tenant, lambda ctx: service.request_export(ctx, batch, data))
        out.print(f"package key (shown once): [bold]{created.package_key}[/]")
        assert created.job_id is not None
        await _follow_job(db, tenant, created.job_id, "exporting")
        path, _ = await _in_brand(db, tenant, lambda ctx: service.download_export(ctx, created.id))
        output.write_bytes(path.read_bytes())
        out.print(f"wrote {output}")

    _run(go)


@app.command("decrypt")
def decrypt(
    package: Annotated[Path, typer.Argument(help="A .ymp package")],
    key: Annotated[str, typer.Option(help="The package key shown when it was made")],
    output: Annotated[Path, typer.Option("--out", help="Where to write the plaintext file")],
) -> None:
    """Open a supplier package."""
    with package.open("rb") as source, output.open("wb") as target:
        for part in open_package(source, parse_key(key)):
            target.write(part)
    out.print(f"wrote {output}")


@app.command("show")
def show(tenant: TenantOption, code: Annotated[str, typer.Argument(help="Any printed string")]) -> None:
    """What a printed code is: unit, face, level, product, batch, state, parents."""

    async def go(db: Database) -> None:
        resolved = await _in_brand(db, tenant, lambda ctx: service.resolve(ctx, code))
        print(resolved.model_dump_json(indent=2))

    _run(go)


@app.command("sample")
def sample(
    tenant: TenantOption,
    level: Annotated[str, typer.Option(help="bottle, case or pallet")] = "bottle",
    face: Annotated[FaceName, typer.Option(help="outer or inner")] = "inner",
    count: Annotated[int, typer.Option(help="How many")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of URLs")] = False,
) -> None:
    """N activated codes of a level and face, as URLs (for tests and demos)."""

    async def go(db: Database) -> None:
        urls = await _in_brand(db, tenant, lambda ctx: service.sample_urls(ctx, level, face, count))
        if len(urls) < count:
            out.print(f"[red]only {len(urls)} activated {level} codes with a {face} face[/]")
            raise typer.Exit(1)
        print(json.dumps(urls) if as_json else "\n".join(urls))

    _run(go)


@app.command("batches")
def batches(tenant: TenantOption) -> None:
    """List the brand's batches with their counts."""

    async def go(db: Database) -> None:
        rows = await _in_brand(db, tenant, lambda ctx: service.list_batches(ctx, BatchFilter(), 100, None))
        for b in rows:
            counts = b.counts
            assert counts is not None
            sys.stdout.write(
                f"{b.id}\t{b.level}\t{b.quantity}\t{b.state}\tactivated {counts.activated}\tvoided {counts.voided}\n"
            )

    _run(go)


@app.command("pack")
def pack(
    tenant: TenantOption,
    parent: Annotated[str, typer.Option(help="The case's or pallet's printed code")],
    child: Annotated[list[str], typer.Option("--child", help="A child's printed code; repeat for each")],
) -> None:
    """Pack children into a parent (产线关联采集), all or nothing; every problem is listed."""

    async def go(db: Database) -> None:
        data = PackRequest(operations=[PackOperation(parent=parent, children=child)])
        result = await _in_brand(db, tenant, lambda ctx: service.pack(ctx, data))
        out.print(f"packed {result.links} into 1 parent ({result.new_links} new)")

    _run(go)


@app.command("unpack")
def unpack(
    tenant: TenantOption,
    code: Annotated[list[str], typer.Argument(help="Printed codes of the parents to empty")],
) -> None:
    """Empty cases or pallets (拆箱)."""

    async def go(db: Database) -> None:
        result = await _in_brand(db, tenant, lambda ctx: service.unpack(ctx, UnpackRequest(codes=code)))
        out.print(f"emptied {result.parents} parent(s), {result.links_removed} unit(s) taken out")

    _run(go)


async def _follow_import(db: Database, slug: str, import_id: int, job_id: int) -> None:
    """Run jobs here with a progress bar until the import is finished (a server's own worker may
    be the one running it: then this only watches)."""
    runner = Runner(db, identity.tenant_info)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=out) as progress:
        bar = progress.add_task("checking", total=None)
        work = asyncio.create_task(runner.drain())
        while True:
            job = await _in_brand(db, slug, lambda ctx: jobs.get_job(ctx, job_id))
            found = await _in_brand(db, slug, lambda ctx: service.get_legacy_import(ctx, import_id))
            label = "importing" if found.state == "importing" else "checking"
            progress.update(bar, description=label, completed=found.rows_done, total=job.total)
            if found.state in ("done", "failed") or job.state in ("succeeded", "failed"):
                break
            if work.done():
                work = asyncio.create_task(runner.drain())
            await asyncio.sleep(0.3)
        await work


@app.command("import-legacy")
def import_legacy(
    tenant: TenantOption,
    level: Annotated[str, typer.Option(help="bottle, case or pallet")],
    supplier: Annotated[int, typer.Option(help="Supplier id (the previous vendor or printer)")],
    file: Annotated[Path, typer.Argument(help="CSV or XLSX with a code column (face optional)", exists=True)],
    face: Annotated[str, typer.Option(help="Face of rows that do not give one: outer or inner")] = "inner",
) -> None:
    """Import a previous vendor's codes with a progress bar; all or nothing, problems by line."""

    async def go(db: Database) -> None:
        data = LegacyImportCreate(level=level, supplier_id=supplier, face=face)
        with file.open("rb") as source:
            started = await _in_brand(db, tenant, lambda ctx: service.start_legacy_import(ctx, data, file.name, source))
        assert started.job_id is not None
        await _follow_import(db, tenant, started.id, started.job_id)
        result = await _in_brand(db, tenant, lambda ctx: service.get_legacy_import(ctx, started.id))
        if result.state != "done":
            out.print(f"[red]import {result.id} {result.state}: {result.problem_count} problem(s); nothing imported[/]")
            for problem in result.problems[:50]:
                out.print(f"  line {problem.line} {problem.field}: {problem.message}")
            raise typer.Exit(1)
        out.print(f"imported {result.rows_done} codes into batch {result.batch_id}; activate them to use them")

    _run(go)


commands = {"codes": app}
