"""The application: every context's routers, the console and the phone pages, in one app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI

from yima import __version__, contexts
from yima.identity import service as identity
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner
from yima.platform.ratelimit import RateLimiter
from yima.platform.web import api_docs, h5, health
from yima.platform.web.errors import install_error_handlers
from yima.platform.web.middleware import RequestContextMiddleware
from yima.platform.web.templates import STATIC_DIR
from yima.settings import Settings, get_settings

DESCRIPTION = """yima (一码): one code per item, and the brand's whole offline channel around it.

Authenticate with OAuth 2.0 client credentials at `POST /oauth/token`, then send
`Authorization: Bearer <token>`. Every route names the permission (scope) it needs.
Lists page with `?limit=&cursor=` and answer `{"items": [...], "next_cursor": ...}`;
errors answer `{"error": {"code", "message", "details": [{"field", "message", "code"}], "request_id"}}`.
"""


HOT_EDGE = "yima.scans.api"


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    with_console: bool = False,
    run_worker: bool | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    contexts.load()
    db = database or Database(settings.database_url)
    worker = settings.run_worker_inline if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(Runner(db, identity.tenant_info).run_forever(stop)) if worker else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                with suppress(asyncio.CancelledError):
                    await task
            if database is None:
                await db.dispose()

    app = FastAPI(
        title="yima",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from this install (api_docs), not a CDN
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.limiters = {
        "token": RateLimiter(settings.public_rate_per_minute),
        "login": RateLimiter(settings.public_rate_per_minute),
        "scan": RateLimiter(settings.scan_rate_per_minute),
    }
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health.router)
    # FastAPI tries routes in order, ~170 of them: the public scan (the hot path) is tried first.
    api = sorted(contexts.edges("api"), key=lambda module: module.__name__ != HOT_EDGE)
    for module in [*api, *contexts.edges("h5")]:
        for router in module.routers:
            app.include_router(router)
    app.mount("/static", h5.StaticAssets(directory=STATIC_DIR), name="static")
    api_docs.install(app, "/openapi.json")  # after the API's routes: the scan is matched first
    if with_console:
        from yima.identity import console as identity_console
        from yima.platform.console import shell

        contexts.edges("console")  # importing a context's console registers its pages
        shell.mount(app, settings, identity_console.auth)
    return app


def create_console_app() -> FastAPI:
    """What ``yima serve`` runs: the app with the HQ console mounted."""
    return create_app(with_console=True)
