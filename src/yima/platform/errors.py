"""Application errors: one JSON shape for the whole API.

Every error answers ``{"error": {"code", "message", "details": [{"field", "message", "code"}],
"request_id"}}``; ``details`` lists every problem found, each with where it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "invalid"


class AppError(Exception):
    code = "bad_request"
    status = 400

    def __init__(self, message: str, details: Sequence[FieldError] = (), *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = list(details)
        if code is not None:
            self.code = code

    def body(self, request_id: str | None) -> dict[str, Any]:
        return error_body(self.code, self.message, [asdict(d) for d in self.details], request_id)


def error_body(code: str, message: str, details: list[dict[str, Any]], request_id: str | None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details, "request_id": request_id}}


class NotFound(AppError):
    """The thing does not exist, or not for this tenant (the two are never told apart)."""

    code = "not_found"
    status = 404


class Conflict(AppError):
    """The request clashes with the current state (duplicate, wrong state)."""

    code = "conflict"
    status = 409


class KeyReused(Conflict):
    """An idempotency key came back with another request than the one it first named (a
    withdrawal of another amount, a scan of another code): not a retry, nothing done."""

    code = "idempotency_key_reused"


class Forbidden(AppError):
    """The caller is known but lacks the permission or scope."""

    code = "forbidden"
    status = 403


class Unauthorized(AppError):
    """The caller is not authenticated, or its credentials are wrong."""

    code = "unauthorized"
    status = 401


class Invalid(AppError):
    """The input breaks a rule; ``details`` says which field and why."""

    code = "validation_failed"
    status = 422


class RateLimited(AppError):
    """Too many requests from one source; try again in ``retry_after`` seconds (Retry-After)."""

    code = "rate_limited"
    status = 429

    def __init__(
        self, message: str, details: Sequence[FieldError] = (), *, code: str | None = None,
        retry_after: int | None = None,
    ) -> None:  # fmt: skip
        super().__init__(message, details, code=code)
        self.retry_after = retry_after
