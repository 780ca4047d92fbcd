"""What a batch's page shows besides the batch itself: its activation ranges and blocks; and the
brand's activated runs of one level, for the channel metrics."""

from __future__ import annotations

import datetime as dt

from yima.codes import repository as repo
from yima.codes.permissions import CODES_READ
from yima.codes.schemas import AssignmentRead, BlockRead
from yima.codes.service.batches import load_batch
from yima.platform.ctx import Ctx

MAX_RUNS = 100_000  # activation runs read at most (a run is one row however many codes it covers)


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


async def activated_runs(ctx: Ctx, level: str) -> list[tuple[int, int, dt.datetime]]:
    """(first serial, last serial, activated at) of every activated run of ``level`` codes, voided
    batches left out: rebates' channel metrics count bottles activated and cases among them. No
    permission of its own."""
    found = await repo.assignments_of_level(ctx.session, level, MAX_RUNS)
    return [(a.serial_from, a.serial_to, a.activated_at) for a, _ in found]
