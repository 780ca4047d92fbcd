"""Value types shared by every context's schemas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

# Ids are BIGINT: anything outside 1..2^63-1 cannot exist, so it is a 422, not a database error.
MAX_ID = 2**63 - 1
RefId = Annotated[int, Field(ge=1, le=MAX_ID, description="Id of an existing object")]


def _in_utc(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("out of range") from None


# A moment sent with its offset, kept in UTC. A naive one names no moment (whose midnight?): 422.
Moment = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class RequestBody(BaseModel):
    """The base of every JSON request body, to any depth: a field the route does not know is a 422
    naming it (``extra_forbidden``), never ignored — a misspelt ``"stok"`` or ``"amount"`` left
    out would otherwise mean "unlimited" or "everything"."""

    model_config = ConfigDict(extra="forbid")
