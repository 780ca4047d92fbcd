"""The wallet's background jobs: sending and settling payouts, filling reconciliation reports.
Each opens its own transactions (``run.open_ctx``) around, never across, a provider call."""

from __future__ import annotations

from typing import Any

from yima.platform.outbox import registry
from yima.wallet import service


@registry.job(service.PROCESS_JOB)
async def process_payouts(run: registry.JobRun, params: dict[str, Any]) -> dict[str, Any]:
    """Send waiting batches, settle what the providers finished; queues its next look itself."""
    return (await service.process_payouts(run.open_ctx)).model_dump()


@registry.job(service.RECONCILE_JOB)
async def reconcile(run: registry.JobRun, params: dict[str, Any]) -> dict[str, Any]:
    reconciliation_id = int(params["reconciliation_id"])
    try:
        report = await service.run_reconciliation(run.open_ctx, reconciliation_id)
    except Exception as exc:
        await service.fail_reconciliation(run.open_ctx, reconciliation_id, str(exc))
        raise
    return {"reconciliation_id": report.id, "checked": report.checked, "problems": report.problems}
