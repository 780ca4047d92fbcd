"""What a batch's page shows besides the batch itself: its activation ranges and blocks."""

from __future__ import annotations

from yima.codes import repository as repo
from yima.codes.permissions import CODES_READ
from yima.codes.schemas import AssignmentRead, BlockRead
from yima.codes.service.batches import load_batch
from yima.platform.ctx import Ctx


async def list_assignments(ctx: Ctx, batch_id: int) -> list[AssignmentRead]:
    """The batch's activation ranges (空码赋值), in serial order."""
    ctx.require(CODES_READ.name)
    batch = await load_batch(ctx, batch_id)
    return [AssignmentRead.model_validate(a) for a in await repo.list_assignments(ctx.session, batch.id)]


async def list_blocks(ctx: Ctx, batch_id: int) -> list[BlockRead]:
    """Voids and blacklistings touching the batch's serials, in serial order."""
    ctx.require(CODES_READ.name)
    batch = await load_batch(ctx, batch_id)
    blocks = await repo.blocks_in_range(ctx.session, batch.first_serial, batch.last_serial)
    return [BlockRead.model_validate(b) for b in blocks]
