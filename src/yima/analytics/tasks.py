"""Analytics' background jobs: taking consumer scans into the consumed bottles."""

from __future__ import annotations

from typing import Any

from yima.analytics.service import consumption
from yima.platform.outbox import registry


@registry.job(consumption.JOB)
async def take_in_scans(run: registry.JobRun, params: dict[str, Any]) -> dict[str, Any]:
    """Take in every scan record after the cursor, ``JOB_CHUNK`` records per transaction (each
    chunk commits with its cursor, so a job stopped halfway resumes where it stood)."""
    read = consumed = 0
    limit = int(params.get("chunk") or consumption.JOB_CHUNK)
    while True:
        async with run.open_ctx() as ctx:
            progress = await consumption.take_in_scans(ctx, limit)
        read += progress.read
        consumed += progress.consumed
        await run.progress(read)
        if progress.caught_up:
            return {"scans": read, "consumed": consumed, "cursor": progress.cursor}
