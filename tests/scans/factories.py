"""Factories for scans: a scanned code, and the objects the route harnesses point at."""

from __future__ import annotations

from typing import Any

from tests.campaigns.factories import running_campaign
from tests.codes.factories import activated_batch
from tests.identity.factories import system
from yima.campaigns import service as campaigns
from yima.campaigns.schemas import CampaignRead, RiskSettingsUpdate
from yima.codes import service as codes
from yima.codes.schemas import BatchCreated
from yima.codes.tokens import Face
from yima.platform.db.session import Database
from yima.scans import service as scans
from yima.scans.schemas import CodePage, ScanCreate


async def code_url(db: Database, slug: str, serial: int, face: Face = Face.INNER) -> str:
    async with system(db, slug) as ctx:
        return "https://scan.example.cn/c/" + (await codes.codec(ctx)).encode(serial, face)


async def scan(db: Database, url: str, user_agent: str = "pytest") -> CodePage:
    async with system(db, None) as ctx:  # bound to no brand, as a public request is
        ctx.ip = "203.0.113.7"
        return await scans.open_code(ctx, url, user_agent)


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    """A scan of the code page, and a scan risk control held for review (the review routes)."""
    batch, _ = await scan_to_win(db, slug, quantity=3)
    await scan(db, await code_url(db, slug, batch.first_serial), user_agent=f"{marker} phone")
    async with system(db, slug) as ctx:
        await campaigns.update_risk_settings(
            ctx, RiskSettingsUpdate.model_validate({"person": {"minute": {"limit": 1, "response": "review"}}})
        )
    token = None
    for serial in (batch.first_serial + 1, batch.first_serial + 2):
        async with system(db, None) as ctx:
            ctx.ip = "203.0.113.8"
            data = ScanCreate(code=await code_url(db, slug, serial))
            answer = await scans.scan_code(ctx, data, token, None, f"{marker} phone")
            token = answer.visitor_token or token
    assert answer.draw.outcome == "held", answer.draw
    return {"scan_id": answer.scan_id}, [f"{marker} phone"]


async def scan_to_win(
    db: Database, slug: str, quantity: int = 20, **campaign: Any
) -> tuple[BatchCreated, CampaignRead]:
    """Activated bottles of a new product, and a funded consumer campaign running on it."""
    batch, product_id = await activated_batch(db, slug, quantity=quantity)
    running = await running_campaign(db, slug, scope={"product_ids": [product_id]}, **campaign)
    return batch, running


def path_of(url: str) -> str:
    return url.removeprefix("https://scan.example.cn")


async def add_campaign_scan(
    db: Database,
    slug: str,
    campaign_id: int | None,
    *,
    day: str,
    hour: int = 12,
    outcome: str = "awarded",
    person_id: int | None = None,
    region_code: str | None = None,
    risk_decision: str | None = None,
    review_state: str | None = None,
) -> None:
    """A scan record that took part in a campaign, as the scan flow writes it, on any
    tenant-local day and hour (for the dashboard's figures)."""
    from yima.scans.models import ScanRecord  # the test writes what only the scan writes

    async with system(db, slug) as ctx:
        ctx.session.add(
            ScanRecord(
                tenant_id=ctx.tenant_id, serial=1, level="bottle", input_kind="qr", state="active",
                campaign_id=campaign_id, outcome=outcome, person_id=person_id, region_code=region_code,
                risk_decision=risk_decision, review_state=review_state, local_day=day, local_hour=hour,
            )
        )  # fmt: skip
