"""Consumer scans taken into the consumed bottles: bounded in a request, the rest by the job
``analytics.take_in_scans`` (queued at most once a minute per brand), each bottle once."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.analytics.factories import receipt
from tests.catalog.factories import create_product
from tests.codes.factories import activate, create_batch, create_supplier
from tests.identity.factories import create_tenant, system
from tests.partners.factories import create_dealer
from tests.scans.factories import code_url, scan
from yima.analytics import service as analytics
from yima.analytics.schemas import InventoryFilter
from yima.analytics.service import consumption
from yima.codes import service as codes
from yima.platform.db.session import Database
from yima.platform.outbox import service as jobs
from yima.platform.outbox.runner import Runner
from yima.trace import service as trace

BOTTLES = 8


async def _scanned(db: Database, slug: str = "acme") -> dict[str, int]:
    """A dealer received 8 bottles; consumers scanned bottles 0..7, then 0 and 1 again (10 scan
    records, 8 consumed bottles)."""
    await create_tenant(db, slug)
    product = await create_product(db, slug)
    supplier = await create_supplier(db, slug)
    batch = await create_batch(db, slug, "bottle", BOTTLES, supplier_id=supplier)
    await activate(db, slug, batch.first_serial, batch.last_serial, product.id)
    dealer = await create_dealer(db, slug, region_code="510104")
    async with system(db, slug) as ctx:
        epcs = [await codes.unit_epc(ctx, batch.first_serial + i) for i in range(BOTTLES)]
        received = ctx.now() - dt.timedelta(days=1)
        await trace.capture_events(ctx, [receipt(epcs, dealer.id, received)], source="test")
    for i in [*range(BOTTLES), 0, 1]:
        await scan(db, await code_url(db, slug, batch.first_serial + i))
    return {"dealer": dealer.id, "first": batch.first_serial}


async def _consumed(db: Database) -> tuple[int, int]:
    """(consumed bottles at the dealer, stock) as the report shows them, without catching up."""
    async with system(db, "acme") as ctx:
        report = await analytics.channel_inventory(ctx, InventoryFilter(group="dealer"))
    return report.total.consumed, report.total.stock


async def test_a_request_takes_in_a_bounded_number_and_queues_the_job(
    db: Database, runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _scanned(db)
    monkeypatch.setattr(consumption, "REQUEST_LIMIT", 3)
    async with system(db, "acme") as ctx:
        report = await analytics.channel_inventory(ctx, InventoryFilter(group="dealer"))
        assert (report.total.consumed, report.total.stock) == (3, BOTTLES - 3)
        assert report.consumption_current is False
        [job] = await jobs.list_jobs(ctx, consumption.JOB, 10, None)
        assert job.state == "queued"
    async with system(db, "acme") as ctx:  # asked again: 3 more, but no second job
        report = await analytics.channel_inventory(ctx, InventoryFilter(group="dealer"))
        assert report.total.consumed == 6
        assert len(await jobs.list_jobs(ctx, consumption.JOB, 10, None)) == 1

    await runner.drain()
    async with system(db, "acme") as ctx:
        [job] = await jobs.list_jobs(ctx, consumption.JOB, 10, None)
        assert job.state == "succeeded", job.error
        assert job.result == {"scans": 4, "consumed": 2, "cursor": job.result["cursor"]}
    monkeypatch.setattr(consumption, "REQUEST_LIMIT", 0)  # nothing left to take in by now
    async with system(db, "acme") as ctx:
        report = await analytics.channel_inventory(ctx, InventoryFilter(group="dealer"))
        assert (report.total.consumed, report.total.stock, report.consumption_current) == (BOTTLES, 0, True)


async def test_the_job_counts_each_bottle_once_across_chunks(db: Database, runner: Runner) -> None:
    await _scanned(db)
    async with system(db, "acme") as ctx:
        await jobs.enqueue_job(ctx, consumption.JOB, {"chunk": 1})  # one record per transaction
    await runner.drain()
    async with system(db, "acme") as ctx:
        [job] = await jobs.list_jobs(ctx, consumption.JOB, 10, None)
        assert job.state == "succeeded", job.error
        assert (job.result or {})["scans"] == BOTTLES + 2 and (job.result or {})["consumed"] == BOTTLES
        assert job.done == BOTTLES + 2
        again = await consumption.take_in_scans(ctx, 100)
        assert (again.read, again.caught_up) == (0, True)
    assert await _consumed(db) == (BOTTLES, 0)


async def test_windows_skip_other_brands_scans(db: Database) -> None:
    """Scan ids are shared by every brand: the next of this brand's records may be far past
    the cursor; the window starts there and the cursor stops at the last record kept."""
    ids = await _scanned(db)
    await _scanned(db, "other")  # 10 scan records of another brand after acme's
    async with system(db, "acme") as ctx:
        last_acme = (await consumption.take_in_scans(ctx, 100)).cursor
    await _scanned(db, "third")
    await scan(db, await code_url(db, "acme", ids["first"] + 2))  # once more, after the others
    await scan(db, await code_url(db, "acme", ids["first"] + 3))
    async with system(db, "acme") as ctx:
        step = await consumption.take_in_scans(ctx, 1)
        assert (step.read, step.consumed, step.caught_up) == (1, 0, False) and step.cursor > last_acme + 20
        rest = await consumption.take_in_scans(ctx, 5)
        assert (rest.read, rest.caught_up, rest.cursor) == (1, True, step.cursor + 1)
        assert (await consumption.take_in_scans(ctx, 5)).read == 0


async def test_a_running_job_keeps_requests_out(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await _scanned(db)
    async with system(db, "acme") as ctx:
        job = await jobs.enqueue_job(ctx, consumption.JOB, {})
        job.state, job.locked_until = "running", ctx.now() + dt.timedelta(minutes=5)
    async with system(db, "acme") as ctx:
        assert await consumption.catch_up(ctx) is False
        assert (await consumption.take_in_scans(ctx, 0)).cursor == 0  # nothing taken in
        job = (await jobs.list_jobs(ctx, consumption.JOB, 1, None))[0]
        job.state, job.finished_at = "succeeded", ctx.now()
    async with system(db, "acme") as ctx:  # the job is done: requests take in again, queue nothing
        assert await consumption.catch_up(ctx) is True
        assert not await consumption.queue_job(ctx)  # the last one was queued under a minute ago
        assert len(await jobs.list_jobs(ctx, consumption.JOB, 10, None)) == 1
    assert await _consumed(db) == (BOTTLES, 0)
