"""Publishing events and enqueueing jobs, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from yima.platform.ctx import Ctx
from yima.platform.errors import NotFound
from yima.platform.outbox import registry
from yima.platform.outbox import repository as repo
from yima.platform.outbox.models import Job, OutboxMessage


def publish(ctx: Ctx, event: object) -> None:
    """Record ``event`` for every registered handler, in the current transaction."""
    topic = registry.topic_of(type(event))
    payload = registry.encode_event(event)
    tenant_id = ctx.tenant.id if ctx.tenant else None
    repo.add_messages(
        ctx.session,
        [
            OutboxMessage(tenant_id=tenant_id, topic=topic, handler=name, payload=payload)
            for name in registry.handlers_for(topic)
        ],
    )


async def enqueue_job(ctx: Ctx, name: str, params: dict[str, Any], total: int | None = None) -> Job:
    if registry.job_named(name) is None:
        raise RuntimeError(f"no job function registered as {name!r}")
    job = Job(tenant_id=ctx.tenant_id, name=name, params=params, total=total, created_by=ctx.actor.name)
    repo.add_job(ctx.session, job)
    await ctx.session.flush()
    return job


async def get_job(ctx: Ctx, job_id: int) -> Job:
    job = await repo.get_job(ctx.session, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job


async def list_jobs(ctx: Ctx, name: str | None, limit: int, before_id: int | None) -> list[Job]:
    return await repo.list_jobs(ctx.session, name, limit, before_id)
