"""Consumed bottles (开瓶/消费者扫码): scan records taken into ``analytics_consumed``, each bottle
once, charged to whoever held it at its first consumer scan.

The scan records after ``analytics_scan_cursor`` are taken in oldest first, in windows of scan
ids starting at the oldest record after the cursor (scans pages newest first, so a window is
read from its top down to the cursor, and the oldest record is found by bisection). A request
takes in at most ``REQUEST_LIMIT`` records and, when more are waiting, queues the job
``analytics.take_in_scans`` (at most once per ``ENQUEUE_EVERY`` per brand), which takes in the
rest in chunks of ``JOB_CHUNK``, each chunk its own transaction. While that job runs, requests
leave the records to it and report the consumed figures as catching up. See docs/analytics.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from yima.analytics import repository as repo
from yima.codes import service as codes
from yima.platform.ctx import Ctx
from yima.platform.outbox import service as jobs
from yima.scans import service as scans
from yima.scans.schemas import ScanFilter, ScanRead
from yima.trace import service as trace

JOB = "analytics.take_in_scans"
PAGE = 500  # scan records per read
REQUEST_LIMIT = 2_000  # scan records a request takes in at most (each consumer scan costs a few reads)
JOB_CHUNK = 5_000  # scan records per transaction of the job
MAX_WINDOWS = 32  # id windows per call (a brand with few of the ids: sparse windows)
ENQUEUE_EVERY = dt.timedelta(seconds=60)  # a brand's job is queued at most this often
CONSUMER = "consumer"


@dataclass(frozen=True)
class Progress:
    """One call's work: scan records read past the cursor, consumed bottles added, the cursor
    now, and whether it reached the newest scan record there was."""

    read: int
    consumed: int
    cursor: int
    caught_up: bool


async def _newest_scan_id(ctx: Ctx) -> int:
    newest = await scans.list_scans(ctx, ScanFilter(), 1, None)
    return newest[0].id if newest else 0


async def _window(ctx: Ctx, after: int, upper: int) -> list[ScanRead]:
    """The scan records with ``after < id <= upper``, oldest first."""
    found: list[ScanRead] = []
    before = upper + 1
    while True:
        page = (await scans.list_scans(ctx, ScanFilter(), PAGE, before))[:PAGE]
        fresh = [s for s in page if s.id > after]
        found.extend(fresh)
        if len(fresh) < len(page) or len(page) < PAGE:
            return sorted(found, key=lambda s: s.id)
        before = page[-1].id


async def _consume(ctx: Ctx, records: list[ScanRead]) -> int:
    """Each bottle's first consumer scan among ``records`` (oldest first) not taken in before
    becomes a consumed bottle, charged to the dealer or store that held it then."""
    wanted = [s for s in records if s.role == CONSUMER and s.level == "bottle"]
    known = await repo.consumed_serials(ctx.session, [s.serial for s in wanted])
    facts = await codes.unit_facts_of(ctx, [s.serial for s in wanted if s.serial not in known])  # unknown: left out
    products = {serial: f.assignment.product_id if f.assignment else f.batch.product_id for serial, f in facts.items()}
    rows: list[dict[str, Any]] = []
    for scan in wanted:
        if scan.serial in known:
            continue
        known.add(scan.serial)
        holder = await trace.holder_at(ctx, scan.serial, scan.scanned_at)
        kind, holder_id = None, None
        if holder is not None and holder.biz_step == "receiving":  # at a holder, not on the road
            kind, holder_id = ("store", holder.store_id) if holder.store_id else ("dealer", holder.dealer_id)
        rows.append(
            {
                "serial": scan.serial,
                "scan_id": scan.id,
                "scanned_at": scan.scanned_at,
                "product_id": products.get(scan.serial),
                "holder_kind": kind if holder_id else None,
                "holder_id": holder_id,
                "received_at": holder.since if holder_id and holder else None,
            }
        )
    await repo.add_consumed(ctx.session, ctx.tenant_id, rows)
    return len(rows)


async def _top(ctx: Ctx, at_most: int) -> int:
    """The newest scan record id ``<= at_most`` (0: none)."""
    found = await scans.list_scans(ctx, ScanFilter(), 1, at_most + 1)
    return found[0].id if found else 0


async def _oldest_after(ctx: Ctx, cursor: int, newest: int) -> int:
    """The oldest scan record id after ``cursor`` (``newest`` is one), in O(log gap) reads of one
    record: the ids are shared by every brand, so the next of this brand's may be far."""
    low, step = cursor, 1  # no record in (cursor, low]
    while True:
        probe = min(cursor + step, newest)
        high = await _top(ctx, probe)
        if high > cursor:
            break
        low, step = probe, step * 2
    while high - low > 1:  # the oldest lies in (low, high], and high is a record
        middle = (low + high) // 2
        top = await _top(ctx, middle)
        low, high = (low, top) if top > cursor else (middle, high)
    return high


async def take_in_scans(ctx: Ctx, limit: int) -> Progress:
    """Take in at most ``limit`` scan records after the cursor, oldest first, and move the
    cursor past them. Each window starts at the oldest record after the cursor and spans
    ``span`` ids, so it holds at most ``span`` records; the span doubles (up to 4 × limit) while
    windows come back sparse, and at most ``MAX_WINDOWS`` windows are read."""
    start = cursor = await repo.last_scan_id(ctx.session)
    newest = await _newest_scan_id(ctx)
    read = consumed = 0
    span = max(limit, 1)
    for _ in range(MAX_WINDOWS):
        if cursor >= newest or read >= limit:
            break
        first = await _oldest_after(ctx, cursor, newest)
        upper = min(first + span - 1, newest)
        found = await _window(ctx, cursor, upper)
        room = limit - read
        if len(found) > room:  # keep the oldest; the cursor stops at the last one kept
            found = found[:room]
            upper = found[-1].id
        consumed += await _consume(ctx, found)
        read += len(found)
        cursor = upper
        if len(found) * 2 < room:
            span = min(span * 2, 4 * limit)
    if cursor > start:
        await repo.set_last_scan_id(ctx.session, ctx.tenant_id, cursor)
    return Progress(read=read, consumed=consumed, cursor=cursor, caught_up=cursor >= newest)


async def _latest_job(ctx: Ctx) -> Any:
    found = await jobs.list_jobs(ctx, JOB, 1, None)
    return found[0] if found else None


async def queue_job(ctx: Ctx) -> bool:
    """Queue the catch-up job unless one is queued or running, or one was queued less than
    ``ENQUEUE_EVERY`` ago. Returns whether it queued one."""
    latest = await _latest_job(ctx)
    if latest is not None and (latest.state in ("queued", "running") or ctx.now() - latest.created_at < ENQUEUE_EVERY):
        return False
    await jobs.enqueue_job(ctx, JOB, {})
    return True


async def catch_up(ctx: Ctx, limit: int | None = None) -> bool:
    """What a request does before reading the consumed bottles: take in a bounded number of
    scan records (none while the job is at work on them) and queue the job when more wait.
    Returns whether the consumed figures are up to date."""
    latest = await _latest_job(ctx)
    if latest is not None and latest.state == "running" and latest.locked_until and latest.locked_until > ctx.now():
        return False  # the job is taking them in; racing it would wait on its rows
    progress = await take_in_scans(ctx, REQUEST_LIMIT if limit is None else limit)
    if not progress.caught_up:
        await queue_job(ctx)
    return progress.caught_up


async def refresh_consumption(ctx: Ctx) -> int:
    """Take in every scan record not seen yet (no bound; tests and the CLI). Returns how many
    consumed bottles were added."""
    added = 0
    while True:
        progress = await take_in_scans(ctx, JOB_CHUNK)
        added += progress.consumed
        if progress.caught_up:
            return added
