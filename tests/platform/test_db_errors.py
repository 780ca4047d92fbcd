"""Telling a deadlock from other database errors, on both drivers' error shapes."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from yima.platform.db.errors import is_deadlock


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def _wrapped(sqlstate: str, *, on_cause: bool) -> DBAPIError:
    """A DBAPIError as SQLAlchemy raises it: asyncpg's error is the adapter error's cause."""
    if on_cause:
        adapter = Exception("adapted")
        adapter.__cause__ = _DriverError(sqlstate)
    else:
        adapter = _DriverError(sqlstate)
    return DBAPIError("UPDATE wallet_accounts …", {}, adapter)


def test_a_deadlock_is_told_from_other_errors() -> None:
    assert is_deadlock(_wrapped("40P01", on_cause=True))
    assert is_deadlock(_wrapped("40P01", on_cause=False))
    assert not is_deadlock(_wrapped("23505", on_cause=True))  # a unique violation is no deadlock
    assert not is_deadlock(DBAPIError("SELECT 1", {}, Exception("database is locked")))  # SQLite's
