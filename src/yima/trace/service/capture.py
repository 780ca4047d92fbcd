"""Capture: EPCIS documents and events in, validated whole, stored once.

Every way in — the REST binding, and other contexts recording what they do (logistics
operations write ordinary EPCIS events) — goes through ``_store``: validate the whole document
(nothing is stored if anything is wrong, and every problem is listed), give each event its
eventID (the document's, or the CBV 2.0 event hash), then insert in bulk what is not stored yet.
An error declaration for a stored event is recorded on it.

The REST capture answers small documents at once (201) and hands larger ones to a job (202),
followed at GET /epcis/capture/{captureID}.
"""

from __future__ import annotations

import json
import math
from typing import Any

from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError
from yima.platform.outbox import registry
from yima.platform.outbox import service as jobs
from yima.trace import repository as repo
from yima.trace.epcis import eventhash, records, validation
from yima.trace.errors import CaptureTooLarge, EpcisInvalid, UnknownCapture
from yima.trace.models import EpcisCapture
from yima.trace.permissions import TRACE_READ, TRACE_WRITE
from yima.trace.schemas import CaptureError, CaptureRead, CaptureResult
from yima.trace.service import units

JOB = "trace.capture_document"
SYNC_LIMIT = 500  # events stored while the client waits; a larger document goes to a job
CAPTURE_LIMIT = 10_000  # events one capture takes (announced as GS1-EPCIS-Capture-Limit)
FILE_SIZE_LIMIT = 32 << 20  # bytes (GS1-EPCIS-Capture-File-Size-Limit)
MAX_ID = 2**63 - 1


def _invalid(problems: list[validation.Problem]) -> EpcisInvalid:
    count = len(problems)
    return EpcisInvalid(
        f"the document has {count} problem{'s' if count != 1 else ''}; nothing was captured",
        [FieldError(p.path, p.message, p.code) for p in problems],
    )


async def _store(ctx: Ctx, document: Any, source: str, capture_pk: int | None) -> CaptureResult:
    problems = validation.validate(document)
    if problems:
        raise _invalid(problems)
    _, events = validation.event_list(document)
    context = document.get("@context")
    prefixes = eventhash.prefixes_of(context)
    extra = records.extra_context(context)
    unique: dict[str, records.EventRecord] = {}
    order: list[str] = []
    for event in events:
        own = eventhash.prefixes_of(context, event["@context"]) if "@context" in event else prefixes
        record = records.record_of(event, own, extra)
        order.append(record.event_id)
        kept = unique.setdefault(record.event_id, record)
        if kept is not record and kept.error_declaration is None:
            kept.error_declaration, kept.error_declared_at = record.error_declaration, record.error_declared_at
    now = ctx.now()
    rows = list(unique.values())
    inserted = await repo.insert_events(ctx.session, ctx.tenant_id, rows, now, source[:40], capture_pk)
    serial_of = await units.serial_decoder(ctx, rows)
    epcs = [
        (inserted[r.event_id], position, key, role, r.event_time, serial_of(key, role))
        for r in rows
        if r.event_id in inserted
        for position, (key, role) in enumerate(r.epcs)
    ]
    await repo.insert_epcs(ctx.session, ctx.tenant_id, epcs)
    declared = [
        (r.event_id, r.error_declaration, r.error_declared_at)
        for r in rows
        if r.event_id not in inserted and r.error_declaration is not None and r.error_declared_at is not None
    ]
    await repo.record_declarations(ctx.session, declared)
    return CaptureResult(event_ids=order, stored=len(inserted), known=len(rows) - len(inserted))


# for other contexts -----------------------------------------------------------------------------


async def capture_events(
    ctx: Ctx, events: list[dict[str, Any]], *, source: str = "internal", context: list[Any] | None = None
) -> CaptureResult:
    """Record EPCIS events built in code (``source`` names who: ``"trace.logistics"``…), in the
    caller's transaction. ``context`` adds JSON-LD prefix definitions the events use. Invalid
    events raise EpcisInvalid (422) with every problem; events already stored are kept once."""
    ctx.require(TRACE_WRITE.name)
    return await store_events(ctx, events, source=source, context=context)


async def store_events(
    ctx: Ctx, events: list[dict[str, Any]], *, source: str, context: list[Any] | None = None
) -> CaptureResult:
    """``capture_events`` for trace's own use cases, which check their own permission first
    (logistics:write) or run as the system (packing events)."""
    return await _store(ctx, records.capture_document(events, ctx.now(), context), source, None)


async def record_event(
    ctx: Ctx, event: dict[str, Any], *, source: str = "internal", context: list[Any] | None = None
) -> str:
    """Record one EPCIS event; its eventID (given, or the CBV 2.0 event hash)."""
    return (await capture_events(ctx, [event], source=source, context=context)).event_ids[0]


# the REST binding ------------------------------------------------------------------------------


def _read(capture: EpcisCapture) -> CaptureRead:
    return CaptureRead(
        capture_id=str(capture.id),
        created_at=capture.created_at,
        finished_at=capture.finished_at,
        running=capture.state == "running",
        success=capture.state != "failed",
        errors=[CaptureError.model_validate(e) for e in capture.errors],
        error_count=capture.error_count,
        event_count=capture.event_count,
        stored_count=capture.stored_count,
    )


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"the number {text[:40]} is too large to store")
    return number


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_document(body: bytes) -> Any:
    """The request body as JSON, refusing what no database column can hold (NUL characters,
    unpaired surrogates, infinite numbers)."""
    if len(body) > FILE_SIZE_LIMIT:
        raise CaptureTooLarge(f"a capture is at most {FILE_SIZE_LIMIT:,} bytes; split the document")
    try:
        if b"\\u0000" in body:
            raise ValueError("strings may not hold NUL characters (\\u0000)")
        document = json.loads(body, parse_float=_finite, parse_constant=_no_constants)
        if b"\\ud" in body or b"\\uD" in body:  # escaped surrogates: only pairs make text
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        return document
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise EpcisInvalid("the body is not usable JSON", [FieldError("", str(exc)[:300], "document")]) from exc


async def capture_document(ctx: Ctx, body: bytes) -> tuple[CaptureRead, bool]:
    """POST /epcis/capture: (the capture job, whether it is finished already)."""
    ctx.require(TRACE_WRITE.name)
    document = parse_document(body)
    _, events = validation.event_list(document)
    if len(events) > CAPTURE_LIMIT:
        raise CaptureTooLarge(f"a capture holds at most {CAPTURE_LIMIT:,} events; this one has {len(events):,}")
    capture = EpcisCapture(tenant_id=ctx.tenant_id, event_count=len(events), created_by=ctx.actor.name)
    repo.add(ctx.session, capture)
    await ctx.session.flush()
    if len(events) <= SYNC_LIMIT:
        result = await _store(ctx, document, "capture", capture.id)  # invalid: raises, the edge rolls back
        capture.state, capture.stored_count, capture.finished_at = "done", result.stored, ctx.now()
        await ctx.session.flush()
        return _read(capture), True
    capture.document = json.dumps(document, ensure_ascii=False)
    capture.job_id = (await jobs.enqueue_job(ctx, JOB, {"capture_pk": capture.id}, total=len(events))).id
    await ctx.session.flush()
    return _read(capture), False


async def get_capture(ctx: Ctx, capture_id: str) -> CaptureRead:
    ctx.require(TRACE_READ.name)
    capture = None
    if capture_id.isascii() and capture_id.isdigit() and 0 < int(capture_id) <= MAX_ID:
        capture = await repo.get_capture(ctx.session, int(capture_id))
    if capture is None:
        raise UnknownCapture(f"capture {capture_id} not found")
    return _read(capture)


async def run_capture(run: registry.JobRun, params: dict[str, Any]) -> dict[str, Any]:
    """The job of a large capture: all of it in one transaction with the capture's outcome."""
    capture_pk = int(params["capture_pk"])
    try:
        async with run.open_ctx() as ctx:
            capture = await repo.get_capture(ctx.session, capture_pk, lock=True)
            if capture is None or capture.state != "running" or capture.document is None:
                return {"state": capture.state if capture else None}  # finished already
            document = json.loads(capture.document)
            try:
                result = await _store(ctx, document, "capture", capture.id)
            except EpcisInvalid as exc:  # raised before anything was written
                capture.state = "failed"
                capture.errors = [{"path": d.field, "message": d.message, "code": d.code} for d in exc.details]
                capture.error_count = len(exc.details)
            else:
                capture.state, capture.stored_count = "done", result.stored
            capture.document, capture.finished_at = None, ctx.now()
            outcome = {"state": capture.state, "stored": capture.stored_count, "errors": capture.error_count}
            total = capture.event_count
    except Exception as exc:
        await _fail(run, capture_pk, f"the capture stopped: {exc}"[:500])
        raise
    await run.progress(total, total)
    return outcome


async def _fail(run: registry.JobRun, capture_pk: int, message: str) -> None:
    async with run.open_ctx() as ctx:
        capture = await repo.get_capture(ctx.session, capture_pk)
        if capture is not None and capture.state == "running":
            capture.state, capture.finished_at, capture.document = "failed", ctx.now(), None
            capture.errors, capture.error_count = [{"path": "", "message": message, "code": "error"}], 1
