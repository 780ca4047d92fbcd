"""Every /api/v1 route of the app, with what it needs and a valid request for it: the
isolation and permission harnesses call them all, so a new route is covered the day it lands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str
    permission: str | None
    body_schema: dict[str, Any] | None

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def url(self, ids: dict[str, int | str]) -> str:
        missing = [p for p in self.path_params if p not in ids]
        if missing:
            raise AssertionError(f"{self}: the harness has no object for path parameter(s) {missing}")
        return re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), self.path)

    def body(self) -> dict[str, Any] | None:
        if self.body_schema is None:
            return None
        if self.method == "PATCH":
            return {}
        examples = self.body_schema.get("examples")
        if not examples:
            raise AssertionError(f"{self}: give the request body schema an example (json_schema_extra)")
        return dict(examples[0])

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _marker(dependant: Dependant, attribute: str) -> Any:
    for dep in dependant.dependencies:
        value = getattr(dep.call, attribute, None)
        if value is not None:
            return value
        found = _marker(dep, attribute)
        if found is not None:
            return found
    return None


def api_routes(app: FastAPI) -> list[RouteCase]:
    schema = app.openapi()
    components = schema.get("components", {}).get("schemas", {})
    cases = []
    # FastAPI includes routers lazily; iter_route_contexts flattens them with their prefixes.
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not (route.path or "").startswith("/api/v1"):
            continue
        for method in sorted(route.methods):
            operation = schema["paths"][route.path][method.lower()]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body and "$ref" in body:
                body = components[body["$ref"].rsplit("/", 1)[-1]]
            cases.append(RouteCase(method, route.path, _marker(route.dependant, "required_permission"), body))
    return cases
