"""Value types shared by every context's schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# Ids are BIGINT: anything outside 1..2^63-1 cannot exist, so it is a 422, not a database error.
MAX_ID = 2**63 - 1
RefId = Annotated[int, Field(ge=1, le=MAX_ID, description="Id of an existing object")]
