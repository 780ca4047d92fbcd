"""The demo's regions: loaded by the migration already; loading again only fills what is missing."""

from __future__ import annotations

from yima.geo import service
from yima.platform.ctx import Ctx


async def seed(ctx: Ctx) -> None:
    await service.load_regions(ctx)
