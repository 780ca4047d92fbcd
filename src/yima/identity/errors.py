"""Identity's errors."""

from __future__ import annotations

from yima.platform.errors import Unauthorized


class AccountLocked(Unauthorized):
    code = "account_locked"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
