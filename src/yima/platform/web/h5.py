"""Phone pages (H5): what a context's ``h5.py`` edge uses to answer with HTML.

A handler stays a line or two::

    @router.get("/m/points")
    async def points(request: Request, ctx: CtxDep) -> HTMLResponse:
        return h5.render(request, "members/points.html", {"balance": await service.balance(ctx)})

Templates extend ``base.html`` and may ``{% import "ui.html" as ui %}``. Importing this module
gives every template ``static_version`` (cache-busting ``/static`` URLs) and the ``yuan`` filter
(``platform.money.yuan``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from yima.platform.money import yuan
from yima.platform.web.templates import STATIC_DIR, templates

LANG = "zh-CN"
# Our own scripts, styles and images only (plus data: images); no inline script, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


STATIC_VERSION = _digest(STATIC_DIR)


def local_path(target: str | None, inside: tuple[str, ...], default: str) -> str:
    """Where to go after signing in: ``target`` if it is a path of this site starting with one of
    ``inside`` (no scheme, host, ``..`` or control characters: no open redirect), else ``default``."""
    if not target or len(target) > 2000 or any(c in target for c in "\\\r\n\t") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or ".." in parts.path or not parts.path.startswith(inside):
        return default
    return target


templates.env.globals["static_version"] = STATIC_VERSION
templates.env.filters["yuan"] = yuan


def page_headers(cache: str = "no-store") -> dict[str, str]:
    """Headers for an HTML page; pages are personalised, so nothing is cached by default."""
    return {
        "Cache-Control": cache,
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def render(
    request: Request,
    template_name: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
    *,
    cache: str = "no-store",
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a phone page with ``lang`` and ``request_id`` added and the page headers set.

    ``cache`` is the Cache-Control value (e.g. ``"public, max-age=60"`` for a page that is
    the same for everyone); ``headers`` add to or override the defaults.
    """
    values = {"lang": LANG, "request_id": getattr(request.state, "request_id", None), **(context or {})}
    return templates.TemplateResponse(
        request, template_name, values, status_code=status_code, headers={**page_headers(cache), **(headers or {})}
    )


class StaticAssets(StaticFiles):
    """``/static``: a URL carrying the current ``?v=`` is cached for a year (a change gets a new
    version), anything else is revalidated with its ETag."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.status_code in (200, 304) and scope["query_string"] == f"v={STATIC_VERSION}".encode():
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
