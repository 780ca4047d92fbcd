"""Risk control in the database: counters across windows, thresholds, the blacklist (CIDR and
expiry included), settings taking effect at once, the off switch, the statement budget, the
purge job, and 50 concurrent assessments of one person on real transactions."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.harness import delete_brand, statements
from tests.identity.factories import create_tenant, system
from yima.campaigns import service as campaigns
from yima.campaigns.repository import risk as risk_repo
from yima.campaigns.schemas import BlacklistEntryCreate, BlacklistEntryFilter, RiskSettingsUpdate
from yima.platform import caches
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.platform.errors import Conflict
from yima.platform.outbox import service as jobs
from yima.platform.outbox.runner import Runner

T0 = dt.datetime(2026, 11, 23, 2, 0, 10, tzinfo=dt.UTC)  # 10:00:10 in Shanghai


def scan(person: int = 7, **overrides: Any) -> campaigns.RiskInput:
    values: dict[str, Any] = {
        "person_id": person, "serial": 1001, "ip": "203.0.113.9", "device": "dev-1", "phone": None,
        "sequential_recent": 0, "outside_territory_km": None,
    }  # fmt: skip
    return campaigns.RiskInput(**values | overrides)


@asynccontextmanager
async def at_time(db: Database, slug: str, at: dt.datetime | None) -> AsyncIterator[Ctx]:
    """The system actor in the brand, living at ``at`` (real time when None)."""
    async with system(db, slug) as ctx:
        if at is not None:
            ctx.now = lambda: at  # type: ignore[method-assign]
        yield ctx


async def assess(db: Database, slug: str, at: dt.datetime | None = None, **overrides: Any) -> campaigns.RiskVerdict:
    async with at_time(db, slug, at) as ctx:
        return await campaigns.assess_risk(ctx, scan(**overrides))


async def person_counts(db: Database, slug: str, person: int = 7) -> dict[tuple[str, str], int]:
    """The person's counters: (window, start as HH:MM local) → scans."""
    async with system(db, slug) as ctx:
        rows = await risk_repo.counters_of(ctx.session, "person", str(person))
        return {(r.span, ctx.local(r.starts_at).strftime("%d %H:%M")): r.scans for r in rows}


async def settings(db: Database, slug: str, **update: Any) -> None:
    async with system(db, slug) as ctx:
        await campaigns.update_risk_settings(ctx, RiskSettingsUpdate.model_validate(update))


async def blacklist(db: Database, slug: str, kind: str, value: str, at: dt.datetime = T0, **extra: Any) -> int:
    async with at_time(db, slug, at) as ctx:
        data = BlacklistEntryCreate.model_validate({"kind": kind, "value": value, "reason": "测试"} | extra)
        return (await campaigns.add_blacklist_entry(ctx, data)).id


class TestCounters:
    async def test_each_scan_counts_once_in_the_minute_the_hour_and_the_brands_day(self, db: Database) -> None:
        slug = await create_tenant(db)
        for at in (T0, T0 + dt.timedelta(seconds=40), T0 + dt.timedelta(seconds=55), T0 + dt.timedelta(hours=1)):
            assert await assess(db, slug, at) == campaigns.RiskVerdict("pay", ())
        await assess(db, slug, T0 + dt.timedelta(hours=14))  # 00:00:10 the next local day
        assert await person_counts(db, slug) == {
            ("day", "23 00:00"): 4, ("hour", "23 10:00"): 3, ("minute", "23 10:00"): 2, ("minute", "23 10:01"): 1,
            ("hour", "23 11:00"): 1, ("minute", "23 11:00"): 1,
            ("day", "24 00:00"): 1, ("hour", "24 00:00"): 1, ("minute", "24 00:00"): 1,
        }  # fmt: skip

    async def test_devices_addresses_and_networks_are_counted_by_keyed_digest(self, db: Database) -> None:
        slug = await create_tenant(db)
        await assess(db, slug, T0, person=1, ip="203.0.113.9")
        await assess(db, slug, T0, person=2, ip="203.0.113.10")
        async with system(db, slug) as ctx:
            keys = await campaigns.risk_keys(ctx, 1, "203.0.113.9", "dev-1")
            nets = await risk_repo.counters_of(ctx.session, "net", keys["net"] or "")
            addresses = await risk_repo.counters_of(ctx.session, "ip", keys["ip"] or "")
            devices = await risk_repo.counters_of(ctx.session, "device", keys["device"] or "")
        assert [c.scans for c in nets] == [2, 2, 2] and [c.scans for c in addresses] == [1, 1, 1]
        assert [c.scans for c in devices] == [2, 2, 2] and "203" not in (keys["ip"] or "")

    async def test_a_scan_without_device_or_address_counts_the_person_only(self, db: Database) -> None:
        slug = await create_tenant(db)
        await assess(db, slug, T0, ip=None, device=None)
        async with system(db, slug) as ctx:
            subjects = {r.subject for r in await risk_repo.counters_of(ctx.session, "person", "7")}
        assert subjects == {"person"} and len(await person_counts(db, slug)) == 3

    async def test_the_purge_job_deletes_windows_older_than_two_days(self, db: Database, runner: Runner) -> None:
        slug = await create_tenant(db)
        now = dt.datetime.now(dt.UTC)
        await assess(db, slug, now - dt.timedelta(days=3))
        await assess(db, slug, now)  # the first assessment of a process queued the job
        assert sum((await person_counts(db, slug)).values()) == 6
        await runner.drain()
        assert sum((await person_counts(db, slug)).values()) == 3
        async with system(db, slug) as ctx:
            queued = [j for j in await jobs.list_jobs(ctx, campaigns.PURGE_RISK_JOB, 10, None) if j.state == "queued"]
        assert len(queued) == 1 and queued[0].available_at > now + dt.timedelta(hours=23)


class TestGrading:
    async def test_thresholds_grade_and_a_settings_change_applies_at_once(self, db: Database) -> None:
        slug = await create_tenant(db)
        await settings(db, slug, person={"minute": {"limit": 2, "response": "review"}})
        verdicts = [await assess(db, slug, T0) for _ in range(3)]
        assert [v.decision for v in verdicts] == ["pay", "pay", "review"]
        assert verdicts[2].reasons == ("person_minute",)
        await settings(db, slug, person={"minute": {"limit": None}})  # switched off: this process sees it now
        assert await assess(db, slug, T0) == campaigns.RiskVerdict("pay", ())

    async def test_serial_bursts_and_distance_come_from_the_caller(self, db: Database) -> None:
        slug = await create_tenant(db)
        burst = await assess(db, slug, T0, sequential_recent=9, outside_territory_km=350.0)
        assert burst == campaigns.RiskVerdict("review", ("serial_burst", "far_from_territory"))

    async def test_the_off_switch_pays_everything_and_counts_nothing(self, db: Database) -> None:
        slug = await create_tenant(db)
        await blacklist(db, slug, "person", "7")
        await settings(db, slug, enabled=False)
        assert await assess(db, slug, T0, sequential_recent=999) == campaigns.RiskVerdict("pay", ())
        assert await person_counts(db, slug) == {}
        await settings(db, slug, enabled=True)
        assert (await assess(db, slug, T0)).reasons == ("blacklist:person",)


class TestBlacklist:
    async def test_a_cidr_block_rejects_every_address_inside_until_it_expires(self, db: Database) -> None:
        slug = await create_tenant(db)
        await blacklist(db, slug, "ip", "198.51.100.0/24", expires_at=(T0 + dt.timedelta(minutes=10)).isoformat())
        inside = await assess(db, slug, T0, ip="198.51.100.77")
        assert inside == campaigns.RiskVerdict("reject", ("blacklist:ip",))
        assert (await assess(db, slug, T0, ip="198.51.101.1")).decision == "pay"
        assert (await assess(db, slug, T0 + dt.timedelta(minutes=10), ip="198.51.100.77")).decision == "pay"

    async def test_phones_serials_and_devices_and_removal_taking_effect_at_once(self, db: Database) -> None:
        slug = await create_tenant(db)
        await blacklist(db, slug, "phone", "138 1234 1234")
        serial = await blacklist(db, slug, "serial", "1001")
        await settings(db, slug, blacklist_response="review")
        verdict = await assess(db, slug, T0, phone="+8613812341234")
        assert verdict == campaigns.RiskVerdict("review", ("blacklist:phone", "blacklist:serial"))
        async with system(db, slug) as ctx:
            await campaigns.remove_blacklist_entry(ctx, serial)
        assert (await assess(db, slug, T0, phone=None)).decision == "pay"

    async def test_a_live_entry_cannot_be_added_twice_and_an_expired_one_is_renewed(self, db: Database) -> None:
        slug = await create_tenant(db)
        first = await blacklist(db, slug, "device", "dev-9", expires_at=(T0 + dt.timedelta(minutes=1)).isoformat())
        with pytest.raises(Conflict, match="already blacklisted"):
            await blacklist(db, slug, "device", "dev-9", T0 + dt.timedelta(seconds=59))
        assert await blacklist(db, slug, "device", "dev-9", T0 + dt.timedelta(minutes=1)) == first  # renewed
        async with at_time(db, slug, T0 + dt.timedelta(minutes=2)) as ctx:
            [entry] = await campaigns.list_blacklist(ctx, BlacklistEntryFilter(), 10, None)
        assert (entry.active, entry.expires_at, entry.created_at) == (True, None, T0 + dt.timedelta(minutes=1))


class TestStatementBudget:
    async def test_a_warm_assessment_is_one_statement(self, db: Database, engine_db: Database) -> None:
        slug = await create_tenant(db)
        await assess(db, slug, T0)  # loads settings, blacklist and the brand's key; queues the purge
        async with system(db, slug) as ctx:
            with statements(engine_db) as seen:
                await campaigns.assess_risk(ctx, scan())
        assert seen == ["INSERT"]


class TestConcurrency:
    async def test_50_concurrent_assessments_of_one_person_count_exactly_50(self, engine_db: Database) -> None:
        caches.clear_all()
        slug = "risk-race-person"
        gate = asyncio.Semaphore(8 if engine_db.backend == "sqlite" else 30)

        async def one(i: int) -> str:
            async with gate, system(engine_db, slug) as ctx:
                return (await campaigns.assess_risk(ctx, scan(ip=f"10.{i}.0.1", device=f"d{i}"))).decision

        try:
            await create_tenant(engine_db, slug)
            decisions = await asyncio.gather(*(one(i) for i in range(50)))
            totals: dict[str, int] = {}
            for (span, _), scans in (await person_counts(engine_db, slug)).items():
                totals[span] = totals.get(span, 0) + scans
            assert totals == {"minute": 50, "hour": 50, "day": 50}
            # 10 a minute pass (11 and on are held), 20 if the race straddled a minute's turn
            assert 10 <= decisions.count("pay") <= 20 and set(decisions) == {"pay", "review"}
        finally:
            await delete_brand(engine_db, slug)
            caches.clear_all()
