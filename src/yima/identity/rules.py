"""Pure rules of identity: lockout, effective permissions, scopes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from yima.platform.permissions import builtin_role_permissions, known


def is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and locked_until > now


def after_failed_login(
    failures_before: int, now: dt.datetime, max_failures: int, lockout: dt.timedelta
) -> tuple[int, dt.datetime | None]:
    """The failure count and lock after one more wrong password: the ``max_failures``-th
    consecutive failure locks the account for ``lockout``, and the count starts again."""
    failures = failures_before + 1
    if failures >= max_failures:
        return 0, now + lockout
    return failures, None


def role_permissions(code: str, builtin: bool, stored: Iterable[str]) -> frozenset[str]:
    if builtin:
        return builtin_role_permissions(code)
    return frozenset(p for p in stored if known(p))


def unknown_permissions(names: Iterable[str]) -> list[str]:
    return sorted({n for n in names if not known(n)})


def granted_scopes(requested: str | None, allowed: Iterable[str]) -> list[str] | None:
    """RFC 6749 §3.3: no ``scope`` asks for all the client may have; asking for one it may not
    have is an error (None)."""
    allowed_set = set(allowed)
    if not requested or not requested.strip():
        return sorted(allowed_set)
    wanted = set(requested.split())
    if not wanted <= allowed_set:
        return None
    return sorted(wanted)


def password_problems(password: str, login: str) -> list[tuple[str, str]]:
    """What is wrong with a new password beyond its length (the schema checks 8 to 200
    characters), as (message, code) pairs; none when it is acceptable."""
    problems: list[tuple[str, str]] = []
    if not password.strip():
        problems.append(("the password is only spaces", "password_blank"))
    elif len(set(password)) < 3:
        problems.append(("the password repeats one or two characters", "password_weak"))
    if login and login.lower() in password.lower():
        problems.append(("the password contains the login", "password_has_login"))
    return problems
