"""Exception handlers: every error, from any layer, answers in one shape.

API callers (``/api``, ``/oauth``, ``/epcis``, or anyone not asking for HTML) get the JSON
error body of ``platform.errors``; a person on a phone page gets an error page in Chinese.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from yima.platform.errors import AppError, error_body
from yima.platform.web import h5

log = logging.getLogger("yima.errors")
_API_PREFIXES = ("/api/", "/oauth/", "/epcis", "/healthz", "/metrics")
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def wants_html(request: Request) -> bool:
    if request.url.path.startswith(_API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_html(request):
        return h5.render(request, "error.html", {"status": status, "code": code}, status_code=status, headers=headers)
    return JSONResponse(
        error_body(code, message, details or [], _request_id(request)), status_code=status, headers=headers
    )


def app_error_response(request: Request, error: AppError) -> Response:
    """``error`` in the one shape, with the headers its kind asks for. Raised errors come here
    through the handler; a use case that returns its failure instead (so that its transaction
    commits: a wrong SMS code still counts) is answered with this by its route."""
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    retry_after = getattr(error, "retry_after", None)  # set by the rate limits that know when to come back
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    details = [asdict(d) for d in error.details]
    return error_response(request, error.status, error.code, error.message, details, headers or None)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] or parts
    return ".".join(parts)


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return app_error_response(request, exc)


def _detail(error: dict[str, Any]) -> dict[str, Any]:
    code = error.get("type", "invalid")
    loc = error.get("loc", ())
    if code == "json_invalid" and len(loc) == 2 and isinstance(loc[1], int):
        # Its loc is ("body", offset from 0): the body is where; the character (from 1) and the reason what.
        reason = (error.get("ctx") or {}).get("error", "")
        return {
            "field": "body",
            "message": f"not valid JSON at character {loc[1] + 1}: {reason}".rstrip(": "),
            "code": code,
        }
    return {"field": _field_path(loc), "message": error.get("msg", "invalid"), "code": code}


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = [_detail(e) for e in exc.errors()]
    return error_response(request, 422, "validation_failed", "the request is not valid", details)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(request, exc.status_code, code, message, headers=getattr(exc, "headers", None))


async def _integrity_error(request: Request, exc: Exception) -> Response:
    log.info("integrity error: %s", exc)
    return error_response(request, 409, "conflict", "the change conflicts with existing data")


# PostgreSQL refuses some text SQLite stores (a NUL byte): that is bad input, not a server error.
_UNSTORABLE_TEXT = {"22021", "22P05"}  # SQLSTATE character_not_in_repertoire, untranslatable_character


async def _database_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DBAPIError)
    cause = getattr(exc.orig, "__cause__", None)
    if {getattr(exc.orig, "sqlstate", None), getattr(cause, "sqlstate", None)} & _UNSTORABLE_TEXT:
        return error_response(
            request, 422, "validation_failed", "the input contains a character that cannot be stored (such as NUL)"
        )
    return await _unexpected(request, exc)


async def _overflow(request: Request, exc: Exception) -> Response:
    # A number no column can hold that slipped past a schema bound: the input is at fault.
    log.warning("number out of range on %s %s: %s", request.method, request.url.path, exc)
    return error_response(request, 422, "validation_failed", "a number in the request is out of range")


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Starlette answers this from outside our middleware, so the request id travels by hand.
    request_id = _request_id(request)
    log.exception("unhandled error on %s %s", request.method, request.url.path, extra={"request_id": request_id})
    headers = {"X-Request-ID": request_id} if request_id else None
    return error_response(
        request, 500, "internal_error", "internal error; quote the request id to support", headers=headers
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(OverflowError, _overflow)
    app.add_exception_handler(Exception, _unexpected)
