"""Codes' errors."""

from __future__ import annotations

from yima.platform.errors import Invalid, NotFound


class UnknownCode(NotFound):
    code = "unknown_code"


class BadCode(Invalid):
    code = "bad_code"
