"""scan_stats: the scans that took part in one campaign, grouped in the database."""

from __future__ import annotations

from typing import Any

from tests.campaigns.factories import local_days
from tests.identity.factories import create_tenant, system
from tests.scans.factories import add_campaign_scan
from yima.platform.db.session import Database
from yima.scans import service as scans

CAMPAIGN = 41  # scans know a campaign by its id alone


class TestScanStats:
    async def test_outcomes_decisions_reviews_days_hours_and_regions(self, db: Database) -> None:
        slug = await create_tenant(db)
        today, yesterday, old = await local_days(db, slug, 0, 1, 20)
        scanned: list[dict[str, Any]] = [
            {"day": today, "hour": 9, "person_id": 1, "region_code": "510104", "risk_decision": "pay"},
            {"day": today, "hour": 9, "person_id": 1, "region_code": "510104", "outcome": "already_awarded"},
            {"day": today, "hour": 22, "person_id": 2, "outcome": "held", "risk_decision": "review",
             "review_state": "pending"},
            {"day": yesterday, "hour": 9, "person_id": 3, "region_code": "110105", "outcome": "rejected",
             "risk_decision": "reject"},
            {"day": yesterday, "hour": 10, "person_id": 2, "outcome": "held", "risk_decision": "review",
             "review_state": "rejected"},
        ]  # fmt: skip
        for values in scanned:
            await add_campaign_scan(db, slug, CAMPAIGN, **values)
        await add_campaign_scan(db, slug, CAMPAIGN, day=old, person_id=4, region_code="510107")
        await add_campaign_scan(db, slug, CAMPAIGN + 1, day=today, person_id=5)  # another campaign
        await add_campaign_scan(db, slug, None, day=today, person_id=6, outcome="verified")  # no campaign
        await add_campaign_scan(db, await create_tenant(db), CAMPAIGN, day=today, person_id=7)  # another brand

        async with system(db, slug) as ctx:
            stats = await scans.scan_stats(ctx, CAMPAIGN, yesterday)

        total = stats.total
        assert (stats.campaign_id, total.scans, total.scanners) == (CAMPAIGN, 6, 4)
        assert total.outcomes == {"awarded": 2, "already_awarded": 1, "held": 2, "rejected": 1}
        assert total.risk == {"pay": 1, "review": 2, "reject": 1}
        assert total.reviews == {"pending": 1, "rejected": 1}
        assert [(d.day, d.scans, d.scanners, d.outcomes) for d in stats.days] == [
            (yesterday, 2, 2, {"rejected": 1, "held": 1}),
            (today, 3, 2, {"awarded": 1, "already_awarded": 1, "held": 1}),
        ]
        assert [(h.day, h.hour, h.scans, h.outcomes) for h in stats.hours] == [
            (yesterday, 9, 1, {"rejected": 1}),
            (yesterday, 10, 1, {"held": 1}),
            (today, 9, 2, {"awarded": 1, "already_awarded": 1}),
            (today, 22, 1, {"held": 1}),
        ]
        assert [(r.region_code, r.scans, r.outcomes) for r in stats.regions] == [  # since the start
            ("510104", 2, {"awarded": 1, "already_awarded": 1}),
            (None, 2, {"held": 2}),
            ("110105", 1, {"rejected": 1}),
            ("510107", 1, {"awarded": 1}),
        ]

    async def test_a_campaign_without_scans_has_none(self, db: Database) -> None:
        slug = await create_tenant(db)
        async with system(db, slug) as ctx:
            stats = await scans.scan_stats(ctx, CAMPAIGN, "2000-01-01")
        assert (stats.total.scans, stats.total.scanners, stats.total.outcomes) == (0, 0, {})
        assert stats.days == stats.hours == stats.regions == []
