"""The runner: delivers outbox messages and runs jobs, each in its own transaction.

Runs inside the web process under ``make run`` and as ``yima worker`` on its own. A handler
and the mark that it ran commit together, so an effect happens once even if the process dies
between the two; a failure rolls back and retries with exponential backoff, and after
``max_attempts`` the message is kept as dead for an operator to look at.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from yima.platform.ctx import SYSTEM, Ctx, TenantInfo
from yima.platform.db.base import utcnow
from yima.platform.db.session import Database
from yima.platform.db.tenancy import bind_tenant
from yima.platform.outbox import registry
from yima.platform.outbox import repository as repo

log = logging.getLogger("yima.runner")

TenantLoader = Callable[[Any, int], Awaitable[TenantInfo]]


class Runner:
    def __init__(
        self,
        db: Database,
        load_tenant: TenantLoader,
        *,
        batch_size: int = 50,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        max_attempts: int = 10,
        poll_seconds: float = 0.5,
    ) -> None:
        self.db = db
        self.load_tenant = load_tenant
        self.batch_size = batch_size
        self.lease = lease
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds

    @asynccontextmanager
    async def tenant_ctx(self, tenant_id: int | None) -> AsyncIterator[Ctx]:
        """A Ctx of its own transaction, bound to ``tenant_id``; commits on success."""
        async with self.db.session() as session:
            ctx = Ctx(session=session, actor=SYSTEM)
            if tenant_id is not None:
                bind_tenant(session.sync_session, tenant_id)
                ctx.tenant = await self.load_tenant(session, tenant_id)
            yield ctx
            await session.commit()

    async def run_once(self) -> int:
        """Deliver what is due and run at most one job; returns how much work was done."""
        delivered = await self._deliver_messages()
        ran = await self._run_one_job()
        return delivered + ran

    async def drain(self, max_rounds: int = 100) -> None:
        """Run until nothing is due (tests and the CLI use this)."""
        for _ in range(max_rounds):
            if await self.run_once() == 0:
                return

    async def run_forever(self, stop: asyncio.Event) -> None:
        log.info("runner started")
        while not stop.is_set():
            try:
                worked = await self.run_once()
            except Exception:
                log.exception("runner loop failed")
                worked = 0
            if not worked:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)
        log.info("runner stopped")

    async def _deliver_messages(self) -> int:
        now = utcnow()
        async with self.db.session() as session:
            claimed = await repo.claim_messages(session, now, now + self.lease, self.batch_size)
            leases = [(m.id, m.tenant_id, m.topic, m.handler, m.payload, m.attempts) for m in claimed]
            await session.commit()
        for message_id, tenant_id, topic, handler_name, payload, attempts in leases:
            await self._deliver(message_id, tenant_id, topic, handler_name, payload, attempts)
        return len(leases)

    async def _deliver(
        self,
        message_id: int,
        tenant_id: int | None,
        topic: str,
        handler_name: str,
        payload: dict[str, Any],
        attempts: int,
    ) -> None:
        handler = registry.handler_named(topic, handler_name)
        try:
            if handler is None:
                raise LookupError(f"no handler {handler_name!r} for {topic!r}")
            async with self.tenant_ctx(tenant_id) as ctx:
                await handler(ctx, registry.decode_event(topic, payload))
                message = await repo.get_message(ctx.session, message_id)
                if message is not None:
                    message.processed_at = utcnow()
                    message.locked_until = None
        except Exception as exc:
            log.warning("handler %s failed on message %s: %s", handler_name, message_id, exc)
            await self._record_failure(message_id, attempts, exc)

    async def _record_failure(self, message_id: int, attempts: int, exc: Exception) -> None:
        async with self.db.session() as session:
            message = await repo.get_message(session, message_id)
            if message is not None:
                message.last_error = "".join(traceback.format_exception_only(exc))[-2000:]
                message.locked_until = None
                message.available_at = utcnow() + dt.timedelta(seconds=min(2**attempts, 3600))
                message.dead = attempts >= self.max_attempts
            await session.commit()

    async def _run_one_job(self) -> int:
        now = utcnow()
        async with self.db.session() as session:
            job = await repo.claim_job(session, now, now + self.lease)
            claimed = (job.id, job.tenant_id, job.name, dict(job.params)) if job else None
            await session.commit()
        if claimed is None:
            return 0
        job_id, tenant_id, name, params = claimed
        function = registry.job_named(name)
        run = registry.JobRun(job_id, tenant_id, lambda: self.tenant_ctx(tenant_id), self._reporter(job_id))
        try:
            if function is None:
                raise LookupError(f"no job function {name!r}")
            result = await function(run, params)
        except Exception as exc:
            log.exception("job %s (%s) failed", job_id, name)
            await self._finish_job(job_id, state="failed", error=str(exc)[:2000])
        else:
            await self._finish_job(job_id, state="succeeded", result=result or {})
        return 1

    def _reporter(self, job_id: int) -> Callable[[int, int | None], Awaitable[None]]:
        async def report(done: int, total: int | None) -> None:
            values: dict[str, object] = {"done": done, "locked_until": utcnow() + self.lease}
            if total is not None:
                values["total"] = total
            async with self.db.session() as session:
                await repo.update_job(session, job_id, **values)
                await session.commit()

        return report

    async def _finish_job(self, job_id: int, **values: object) -> None:
        async with self.db.session() as session:
            await repo.update_job(session, job_id, finished_at=utcnow(), locked_until=None, **values)
            await session.commit()
