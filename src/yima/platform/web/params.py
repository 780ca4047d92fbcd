"""Parameter types shared by every route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from yima.platform.types import MAX_ID

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Object id")]
