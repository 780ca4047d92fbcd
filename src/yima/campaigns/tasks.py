"""The campaigns' background jobs: purging old risk-control counter windows, daily per brand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yima.campaigns import service
from yima.platform.outbox import registry


@registry.job(service.PURGE_RISK_JOB)
async def purge_risk_counters(run: registry.JobRun, params: dict[str, Any]) -> dict[str, Any]:
    """Delete the brand's counter windows older than two days, and queue the next run a day on
    (the scan queues the first: service.assess_risk)."""
    async with run.open_ctx() as ctx:
        deleted = await service.purge_risk_counters(ctx)
        await service.schedule_risk_purge(ctx, dt.timedelta(days=1))
    return {"deleted": deleted}
