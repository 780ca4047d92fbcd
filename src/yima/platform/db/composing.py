"""Statements sent together as one (direct.execute_together), composed from their SQL: each part a
CTE whose rows come back as an array of records, its parameters renumbered after the parts
before it, its own WITH list moved to the top (PostgreSQL runs a data-modifying WITH only there)."""

from __future__ import annotations

import re
from collections.abc import Sequence

_PARAMETER = re.compile(r"\$(\d+)")
_LITERAL = re.compile(r"'(?:[^']|'')*'")


def _shifted(sql: str, offset: int) -> str:
    return _PARAMETER.sub(lambda match: f"${int(match.group(1)) + offset}", sql)


def _with_list(sql: str) -> tuple[list[str], str]:
    """A statement's own WITH list (each "name AS (…)") and the statement after it. SQLAlchemy
    writes no quote but around names and strings, so a parenthesis inside quotes is skipped. A
    WITH RECURSIVE stays where it is (it reads, and a WITH that only reads may be nested)."""
    if not sql.startswith("WITH ") or sql.startswith("WITH RECURSIVE "):
        return [], sql
    ctes, at = [], len("WITH ")
    while True:
        opened = sql.index("(", at)
        depth, quote, end = 0, "", opened
        for end in range(opened, len(sql)):
            char = sql[end]
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char in "()":
                depth += 1 if char == "(" else -1
                if depth == 0:
                    break
        name = sql[at:opened].split()[0]
        ctes.append(f"{name} AS {sql[opened : end + 1]}")
        rest = sql[end + 1 :].lstrip()
        if not rest.startswith(","):
            return ctes, rest
        at = len(sql) - len(rest[1:].lstrip())


def composed(parts: Sequence[tuple[str, int]]) -> str:
    """One statement of ``parts`` (each its SQL, with $1… parameters, and how many it binds).
    ValueError when a literal reads like a parameter (renumbering would change it) or two parts
    name the same CTE."""
    hoisted: list[str] = []
    queries, offset = [], 0
    for i, (sql, binds) in enumerate(parts):
        if any(_PARAMETER.search(literal) for literal in _LITERAL.findall(sql)):
            raise ValueError(f"a statement run together has a '$' in a literal: {sql}")
        ctes, main = _with_list(_shifted(sql, offset))
        hoisted += ctes
        queries.append(f"q{i} AS ({main})")
        offset += binds
    names = [cte.split(" ", 1)[0] for cte in hoisted] + [f"q{i}" for i in range(len(parts))]
    if len(set(names)) != len(names):
        raise ValueError(f"statements run together name the same CTE: {sorted(names)}")
    arrays = ", ".join(f"(SELECT array_agg(q{i}) FROM q{i})" for i in range(len(parts)))  # noqa: S608 (no values)
    return f"WITH {', '.join(hoisted + queries)} SELECT {arrays}"
