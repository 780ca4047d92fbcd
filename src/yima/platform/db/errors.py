"""What a database error means, on either backend."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE: this transaction was chosen to break a deadlock


def is_deadlock(exc: DBAPIError) -> bool:
    """Did PostgreSQL abort the statement to break a deadlock? Then what it did is undone, and
    retrying it (from a savepoint taken before it) is safe."""
    cause = getattr(exc.orig, "__cause__", None)
    return DEADLOCK_DETECTED in {getattr(exc.orig, "sqlstate", None), getattr(cause, "sqlstate", None)}
