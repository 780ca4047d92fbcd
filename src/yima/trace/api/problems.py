"""How /epcis answers: the REST binding's headers on every response, and errors as RFC 7807
problems (``application/problem+json``) with the binding's exception types, listing every
problem found with where it is."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from yima.platform.errors import AppError, Conflict, Forbidden, Invalid, NotFound, Unauthorized

EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"
GS1_HEADERS = {"GS1-EPCIS-Version": EPCIS_VERSION, "GS1-CBV-Version": CBV_VERSION}
DISCOVERY_HEADERS = {
    **GS1_HEADERS,
    "GS1-EPCIS-Min": EPCIS_VERSION,
    "GS1-EPCIS-Max": EPCIS_VERSION,
    "GS1-CBV-Min": CBV_VERSION,
    "GS1-CBV-Max": CBV_VERSION,
    "GS1-EPC-Format": "Never_Translates",  # events come back as captured
}
_TITLES = {
    400: "Invalid request",
    401: "Unauthorised request",
    403: "Access to resource forbidden",
    404: "Resource not found",
    406: "Not acceptable",
    409: "Resource already exists",
    413: "Capture payload too large",
    415: "Unsupported media type",
}


def _exception_type(exc: AppError) -> tuple[int, str]:
    """(HTTP status, the binding's exception type) for an application error."""
    declared = getattr(exc, "epcis_type", None)
    if isinstance(exc, Unauthorized | Forbidden):
        return exc.status, "epcisException:SecurityException"
    if isinstance(exc, NotFound):
        return 404, declared or "epcisException:NoSuchResourceException"
    if isinstance(exc, Invalid):  # the binding answers 400 where yima's own API says 422
        return 400, declared or "epcisException:ValidationException"
    if isinstance(exc, Conflict):
        return 409, "epcisException:ResourceAlreadyExistsException"
    if declared:
        return exc.status, declared
    return exc.status, "epcisException:ImplementationException"


def problem(
    request: Request,
    status: int,
    kind: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": kind,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["requestId"] = request_id
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers={**GS1_HEADERS, **(headers or {})}
    )


class EpcisRoute(APIRoute):
    """Routes of the binding: GS1 headers on every answer; errors — raised by the handler or by
    its dependencies (authentication, permissions, parameters) — as problems."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handle(request)
            except AppError as exc:
                status, kind = _exception_type(exc)
                errors = [{"path": d.field, "message": d.message, "code": d.code} for d in exc.details]
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                return problem(request, status, kind, exc.message, errors, headers)
            except RequestValidationError as exc:
                errors = [
                    {
                        "path": ".".join(str(p) for p in e.get("loc", ())[1:]),
                        "message": e.get("msg", "invalid"),
                        "code": e.get("type", "invalid"),
                    }
                    for e in exc.errors()
                ]
                return problem(request, 400, "epcisException:QueryParameterException", "bad parameters", errors)
            for name, value in GS1_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return route
