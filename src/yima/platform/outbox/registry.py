"""Who handles which event, and which function runs which job.

Contexts register in their ``handlers.py`` / ``tasks.py``; ``yima.contexts.load()`` imports
them all before anything publishes, so fan-out at publish time sees every handler.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from yima.platform.ctx import Ctx

E = TypeVar("E")
Handler = Callable[[Ctx, Any], Awaitable[None]]
JobFunction = Callable[["JobRun", dict[str, Any]], Awaitable[dict[str, Any] | None]]

_event_types: dict[str, type] = {}
_handlers: dict[str, dict[str, Handler]] = {}
_jobs: dict[str, JobFunction] = {}


def topic_of(event_type: type) -> str:
    context = event_type.__module__.split(".")[1]
    return f"{context}.{event_type.__name__}"


def handles(
    event_type: type[E],
) -> Callable[[Callable[[Ctx, E], Awaitable[None]]], Callable[[Ctx, E], Awaitable[None]]]:
    """Register ``fn(ctx, event)`` to run, after commit, for every ``event_type`` published."""

    def register(fn: Callable[[Ctx, E], Awaitable[None]]) -> Callable[[Ctx, E], Awaitable[None]]:
        topic = topic_of(event_type)
        _event_types[topic] = event_type
        _handlers.setdefault(topic, {})[f"{fn.__module__}.{fn.__qualname__}"] = fn
        return fn

    return register


def job(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a background job function under ``"<context>.<verb_noun>"``."""

    def register(fn: JobFunction) -> JobFunction:
        if name in _jobs and _jobs[name] is not fn:
            raise RuntimeError(f"job {name!r} registered twice")
        _jobs[name] = fn
        return fn

    return register


def handlers_for(topic: str) -> dict[str, Handler]:
    return _handlers.get(topic, {})


def handler_named(topic: str, name: str) -> Handler | None:
    return _handlers.get(topic, {}).get(name)


def job_named(name: str) -> JobFunction | None:
    return _jobs.get(name)


def encode_event(event: object) -> dict[str, Any]:
    if not dataclasses.is_dataclass(event) or isinstance(event, type):
        raise TypeError("events are dataclass instances")
    out: dict[str, Any] = {}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        out[f.name] = value.isoformat() if isinstance(value, dt.datetime) else value
    return out


def decode_event(topic: str, payload: dict[str, Any]) -> Any:
    event_type = _event_types[topic]
    hints = {f.name: f.type for f in dataclasses.fields(event_type)}
    values = {
        k: dt.datetime.fromisoformat(v) if hints.get(k) in ("dt.datetime", dt.datetime) and v else v
        for k, v in payload.items()
    }
    return event_type(**values)


class JobRun:
    """What a running job function gets: its job id and tenant, a way to open a Ctx, and
    progress reporting that commits on its own (so the console sees it while the job runs)."""

    def __init__(
        self,
        job_id: int,
        tenant_id: int,
        open_ctx: Callable[[], Any],
        report: Callable[[int, int | None], Awaitable[None]],
    ) -> None:
        self.job_id = job_id
        self.tenant_id = tenant_id
        self.open_ctx = open_ctx
        self._report = report

    async def progress(self, done: int, total: int | None = None) -> None:
        await self._report(done, total)
