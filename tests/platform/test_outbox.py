"""The outbox and the job runner: effects after commit, once, with retries and progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.identity.factories import create_tenant, system
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.platform.outbox import registry
from yima.platform.outbox import service as outbox
from yima.platform.outbox.runner import Runner

seen: list[tuple[str, int, str]] = []
failures_left = {"count": 0}


@dataclass(frozen=True)
class NoteWritten:
    note_id: int
    text: str


# Registered under the "platform" context name (module yima.platform…) would be wrong here:
# the topic comes from the event's module, so give the test event a context-like module.
NoteWritten.__module__ = "yima.testing.events"


@registry.handles(NoteWritten)
async def remember_note(ctx: Ctx, event: NoteWritten) -> None:
    if failures_left["count"] > 0:
        failures_left["count"] -= 1
        raise RuntimeError("flaky downstream")
    seen.append((ctx.tenant.slug if ctx.tenant else "", event.note_id, event.text))


@registry.job("testing.count_to")
async def count_to(run: registry.JobRun, params: dict[str, Any]) -> dict[str, Any]:
    for done in range(0, params["n"] + 1, 10):
        await run.progress(done, params["n"])
    return {"counted": params["n"]}


@pytest.fixture(autouse=True)
def _reset() -> None:
    seen.clear()
    failures_left["count"] = 0


async def test_an_event_is_handled_once_after_commit_in_its_tenant(db: Database, runner: Runner) -> None:
    await create_tenant(db, "acme")
    async with system(db, "acme") as ctx:
        outbox.publish(ctx, NoteWritten(1, "你好"))
        assert seen == []
    await runner.drain()
    await runner.drain()
    assert seen == [("acme", 1, "你好")]


async def test_a_rolled_back_transaction_publishes_nothing(db: Database, runner: Runner) -> None:
    await create_tenant(db, "acme")
    with pytest.raises(RuntimeError):
        async with system(db, "acme") as ctx:
            outbox.publish(ctx, NoteWritten(2, "never"))
            raise RuntimeError("use case failed")
    await runner.drain()
    assert seen == []


async def test_a_failing_handler_is_retried_later(db: Database) -> None:
    await create_tenant(db, "acme")
    async with system(db, "acme") as ctx:
        outbox.publish(ctx, NoteWritten(3, "retry"))
    failures_left["count"] = 1
    import datetime as dt

    from yima.identity import service as identity

    runner = Runner(db, identity.tenant_info)
    await runner.run_once()
    assert seen == []
    # The retry waits for its backoff; make it due now.
    from sqlalchemy import update

    from yima.platform.outbox.models import OutboxMessage

    async with db.session() as s:
        await s.execute(update(OutboxMessage).values(available_at=dt.datetime.now(dt.UTC)))
        await s.commit()
    await runner.drain()
    assert seen == [("acme", 3, "retry")]


async def test_a_job_reports_progress_and_its_result(db: Database, runner: Runner) -> None:
    await create_tenant(db, "acme")
    async with system(db, "acme") as ctx:
        job = await outbox.enqueue_job(ctx, "testing.count_to", {"n": 30})
    await runner.drain()
    async with system(db, "acme") as ctx:
        done = await outbox.get_job(ctx, job.id)
    assert (done.state, done.done, done.total, done.result) == ("succeeded", 30, 30, {"counted": 30})
