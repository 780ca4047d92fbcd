"""Every /api/v1 route declares the permission it needs (``requires(PERMISSION)``), or is public
on purpose (``public()``, listed below); and no route lives outside the known URL spaces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import RouteContext

from tests.architecture.routes import all_routes, api_routes

# The URL spaces of DESIGN.md and DOMAIN.md: the API, OAuth, EPCIS, operations, docs, the
# console, static files, the scan landing (/c/ tokens, /01/ GS1 Digital Link), phone pages (/m/)
# and the scan benchmark's reference routes (/bench/, answering 404 unless YIMA_BENCH_ROUTES).
PREFIXES = (
    "/api/v1", "/oauth/", "/epcis", "/healthz", "/metrics", "/docs", "/openapi.json",
    "/console", "/static", "/c/", "/C/", "/01/", "/m/", "/bench/",
)  # fmt: skip
# Public routes under /api/v1: (method, path) → why anyone may call it. Keep it short.
PUBLIC_API_ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/partners/login/code"): "a channel account asks for its login SMS code: limits per IP and phone",
    ("POST", "/api/v1/partners/login"): "a channel account signs in with its phone and SMS code",
    ("POST", "/api/v1/partners/logout"): "a channel session's own token ends it (a cookie's with its CSRF token), "
    "even while its roles all wait for review",
    ("POST", "/api/v1/members/visitors"): "a phone page or mini-program starts as an anonymous visitor of a brand",
    ("GET", "/api/v1/members/me"): "a visitor's own profile; only with a visitor token (members.permissions.Visitor)",
    ("POST", "/api/v1/members/otp"): "a visitor asks for an SMS code: visitor token, limits per IP and per phone",
    ("POST", "/api/v1/members/otp/verify"): "a visitor proves a phone: visitor token, limits per IP and per code",
    ("POST", "/api/v1/scans"): "a consumer's scan: anyone holding a printed code; limit per IP, risk control",
    ("POST", "/api/v1/scans/verify"): "a consumer's typed 防伪码: anyone holding the goods; limit per IP, no draw",
    ("GET", "/api/v1/scans/me/wallet"): "a visitor's own wallet; only with a visitor token",
    ("POST", "/api/v1/scans/me/withdrawals"): "a visitor withdraws their own winnings: visitor token, verified phone",
    ("POST", "/api/v1/scans/me/awards/{award_id}/address"): "a visitor's address for their own gift: visitor "
    "token, verified phone",
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., object]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _declared(route: RouteContext) -> tuple[list[str], bool]:
    calls = list(_calls(route.dependant))
    permissions = [str(p) for c in calls if (p := getattr(c, "required_permission", None))]
    return permissions, any(getattr(c, "public_route", False) for c in calls)


def _what(route: RouteContext) -> str:
    """The endpoint function serving a route, or the kind of route (a mount) when it has none."""
    endpoint = route.endpoint
    if endpoint is None:
        return type(route.original_route).__name__
    return f"{getattr(endpoint, '__module__', '?')}.{getattr(endpoint, '__qualname__', endpoint)}"


def _under(path: str, prefix: str) -> bool:
    return path == prefix.rstrip("/") or path.startswith(prefix.rstrip("/") + "/")


def test_every_api_route_declares_its_permission(app: FastAPI) -> None:
    problems = []
    routes = list(api_routes(app))
    assert any(_under(path, "/api/v1") for path, _ in routes), "found no /api/v1 route at all"
    for path, route in routes:
        if not _under(path, "/api/v1"):
            continue
        permissions, public = _declared(route)
        for method in sorted(route.methods or ()):
            where = f"{method} {path} ({_what(route)})"
            if not permissions and not public:
                problems.append(
                    f"{where} declares no permission; take `ctx: Ctx = requires(SOME_PERMISSION)` "
                    "(yima.identity.permissions) instead of opening a session yourself"
                )
            elif permissions and public:
                problems.append(f"{where} is both public() and requires{permissions}; choose one")
            elif public and (method, path) not in PUBLIC_API_ROUTES:
                problems.append(
                    f"{where} is public(); an /api/v1 route needs requires(...), or an entry in "
                    f"PUBLIC_API_ROUTES of {__name__} saying why anyone may call it"
                )
    assert not problems, "routes without a declared permission:\n" + "\n".join(problems)


def test_routes_live_in_known_url_spaces(app: FastAPI) -> None:
    unexpected = sorted(
        f"{path} ({_what(route)}): outside {', '.join(PREFIXES)}; put API routes under "
        "/api/v1/<context>/, console pages under /console/<context>/, phone pages under /m/"
        for path, route in all_routes(app.routes)
        if not any(_under(path, prefix) for prefix in PREFIXES)
    )
    assert not unexpected, "routes outside the known URL spaces:\n" + "\n".join(unexpected)


def test_public_api_allow_list_is_current(app: FastAPI) -> None:
    present = {(method, path) for path, route in api_routes(app) for method in route.methods or ()}
    stale = sorted(f"{m} {p}" for m, p in PUBLIC_API_ROUTES if (m, p) not in present)
    assert not stale, f"PUBLIC_API_ROUTES lists routes that no longer exist: {stale}; remove them"
