"""The app's routes as served, for the route rules (permissions, URL spaces, request types).

FastAPI ≥ 0.16x keeps included routers as ``_IncludedRouter`` entries of ``app.routes``; its
public ``fastapi.routing.iter_route_contexts`` gives each route as served: the full path (with
every include prefix) and the dependant built with the include-level dependencies too.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute, Mount


def all_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, RouteContext]]:
    """(full path, route as served) for every route, inside mounted sub-applications too."""
    for context in iter_route_contexts(routes):
        path = prefix + (context.path or "")
        yield path, context
        if isinstance(context.original_route, Mount):
            yield from all_routes(context.original_route.routes, path)


def api_routes(app: FastAPI) -> Iterator[tuple[str, RouteContext]]:
    return ((path, c) for path, c in all_routes(app.routes) if isinstance(c.original_route, APIRoute))
