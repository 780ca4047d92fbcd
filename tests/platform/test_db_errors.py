"""Database errors: telling a deadlock from others on both drivers' error shapes, and keeping the
statements' values out of their text (which reaches the logs)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from yima.identity.models import User
from yima.platform.db import direct
from yima.platform.db.errors import is_deadlock
from yima.platform.db.session import Database


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


async def test_a_database_error_leaves_the_statements_values_out_of_its_text(db: Database) -> None:
    # An integrity error is logged; its values would carry password hashes, digests, CSRF tokens.
    secret = "$argon2id$v=19$a-secret-hash-value"
    async with db.session() as session:
        session.add(User(login="twice", display_name="一", password_hash="harmless"))
        await session.flush()
        session.add(User(login="twice", display_name="二", password_hash=secret))
        with pytest.raises(IntegrityError) as raised:
            await session.flush()
    assert secret not in str(raised.value) and "hidden" in str(raised.value)


def test_an_error_of_a_statement_sent_straight_to_the_driver_hides_its_values_too() -> None:
    error = direct._translated(Exception("connection lost"), "UPDATE users SET password_hash = $1", ("a-secret",))
    assert isinstance(error, DBAPIError) and "a-secret" not in str(error)
