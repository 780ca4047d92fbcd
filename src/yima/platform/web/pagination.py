"""One pagination convention for every list route.

``?limit=N&cursor=C`` → ``{"items": [...], "next_cursor": C | null}``. Lists are newest first
(by id, descending); the cursor is opaque (the last id seen, encoded), so paging stays cheap
on billions of rows where OFFSET would not. Filters are plain query parameters named after the
field (``?action=…&since=…``), declared by each route's ``XFilter`` schema.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from yima.platform.errors import FieldError, Invalid
from yima.platform.types import MAX_ID

T = TypeVar("T")
R = TypeVar("R")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class PageParams(BaseModel):
    limit: int = 50
    before_id: int | None = None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        last_id = int(value)
        if kind != "id" or not 0 < last_id <= MAX_ID:
            raise ValueError(raw)
        return last_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(
            "the cursor is not one this API gave out",
            [FieldError("cursor", "malformed cursor", "invalid_cursor")],
        ) from exc


def page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page (1–200).")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> PageParams:
    return PageParams(limit=limit, before_id=decode_cursor(cursor) if cursor else None)


def make_page(rows: Sequence[T], params: PageParams, to_item: Callable[[T], R], id_of: Callable[[T], int]) -> Page[R]:
    """``rows`` were fetched with ``limit + 1`` so a further page is known without a count."""
    more = len(rows) > params.limit
    shown = list(rows[: params.limit])
    return Page[R](
        items=[to_item(r) for r in shown],
        next_cursor=encode_cursor(id_of(shown[-1])) if more and shown else None,
    )
