"""Parameter types shared by every route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# Ids are BIGINT: anything outside 1..2^63-1 cannot exist, so it is a 422, not a database error.
MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Object id")]
