"""Identity's errors."""

from __future__ import annotations

from yima.platform.errors import AppError, Unauthorized


class AccountLocked(Unauthorized):
    code = "account_locked"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


# OAuth 2.0 token endpoint errors (RFC 6749 §5.2): their codes are the RFC's.


class InvalidRequest(AppError):
    code = "invalid_request"


class InvalidClient(Unauthorized):
    code = "invalid_client"


class InvalidScope(AppError):
    code = "invalid_scope"


class InvalidToken(Unauthorized):
    code = "invalid_token"
