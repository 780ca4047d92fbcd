"""Sample codes for tests and demos: activated units of a level, as the URLs printed on them."""

from __future__ import annotations

from yima.codes import printfiles, rules
from yima.codes import repository as repo
from yima.codes.permissions import CODES_READ
from yima.codes.schemas import FaceName
from yima.codes.service.namespaces import base_url, codec, ensure_namespace
from yima.codes.tokens import Face
from yima.platform.ctx import Ctx


async def sample_urls(ctx: Ctx, level: str, face_name: FaceName, count: int) -> list[str]:
    """Up to ``count`` URLs of active (activated, not blocked) units of ``level`` on ``face``."""
    ctx.require(CODES_READ.name)
    face = Face[face_name.upper()]
    brand = await codec(ctx)
    base = base_url(await ensure_namespace(ctx))
    urls: list[str] = []
    for assignment, batch in await repo.assignments_of_level(ctx.session, level, 1000):
        if face.name.lower() not in batch.faces:
            continue
        run = (assignment.serial_from, assignment.serial_to)
        blocked = rules.merge((b.serial_from, b.serial_to) for b in await repo.blocks_in_range(ctx.session, *run))
        prefix = printfiles.url_prefix(base, batch.gtin)
        for serial in range(run[0], run[1] + 1):
            if len(urls) == count:
                return urls
            if not rules.covered((serial, serial), blocked):
                urls.append(prefix + brand.encode(serial, face))
    return urls
