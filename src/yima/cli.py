"""The ``yima`` command: serve, worker, migrate, demo, and each context's sub-commands."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from yima import contexts
from yima.identity import service as identity
from yima.platform.db.session import Database
from yima.platform.errors import AppError
from yima.platform.logging import configure_logging
from yima.platform.outbox.runner import Runner
from yima.platform.web import workers as server_workers
from yima.settings import get_settings

app = typer.Typer(
    help="yima (一码): one code per item, the whole offline channel around it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Every context's permissions and jobs must be known before any command validates or enqueues.
contexts.load()
for module in contexts.edges("cli"):
    for name, commands in module.commands.items():
        app.add_typer(commands, name=name)
err = Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (the console needs 1)")] = 1,
    console: Annotated[bool, typer.Option(help="Mount the HQ console at /console")] = True,
) -> None:
    """Serve the API, the console and the phone pages (with the job runner inside unless
    YIMA_RUN_WORKER_INLINE=false)."""
    import uvicorn

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    factory = "yima.main:create_console_app" if console else "yima.main:create_app"
    err.print(f"yima listening on http://{host}:{port}  (console: http://{host}:{port}/console)")
    options: dict[str, Any] = {"factory": True, "log_config": None, "proxy_headers": True,
                               "forwarded_allow_ips": "127.0.0.1"}  # fmt: skip
    if workers > 1:  # a listening socket each: connections spread over them (platform/web/workers.py)
        server_workers.serve(factory, host, port, workers, **options)
    else:
        server_workers.run(uvicorn.Config(factory, host=host, port=port, **options))


@app.command()
def worker() -> None:
    """Run the outbox and job runner as its own process."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    contexts.load()

    async def run() -> None:
        db = Database(settings.database_url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await Runner(db, identity.tenant_info).run_forever(stop)
        finally:
            await db.dispose()

    asyncio.run(run())


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (Alembic upgrade head)."""
    from yima.platform.db import migrations

    migrations.upgrade(get_settings().database_url)
    err.print("database is up to date")


@app.command()
def demo() -> None:
    """Create or refresh the demo brand (slug 'demo') with realistic data; idempotent."""
    from yima import demo as demo_data

    asyncio.run(demo_data.ensure_demo())


def main() -> None:
    """Entry point: a user mistake prints what was wrong, where, not a traceback."""
    try:
        app()
    except AppError as exc:
        # Escaped: a message quotes what was typed or a pattern, whose brackets are not markup.
        err.print(f"[red]error:[/] {escape(exc.message)}")
        for detail in exc.details:
            err.print(f"  {escape(detail.field)}: {escape(detail.message)}")
        sys.exit(1)
    except ValidationError as exc:
        err.print("[red]error:[/] invalid input")
        for e in exc.errors():
            err.print(f"  {escape('.'.join(str(p) for p in e['loc']))}: {escape(e['msg'])}")
        sys.exit(2)
