"""Factories for scans: a scanned code, and the objects the route harnesses point at."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.campaigns.factories import running_campaign
from tests.codes.factories import activated_batch
from tests.identity.factories import system
from tests.members.factories import new_phone
from yima.campaigns import service as campaigns
from yima.campaigns.schemas import CampaignRead, RiskSettingsUpdate
from yima.campaigns.service import gifts
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


GIFTS = [
    {"name": "定制酒具", "kind": "gift", "cost_fen": 5000, "weight": 1, "stock": 100},
    {"name": "谢谢参与积分", "kind": "points", "points": 5, "fallback": True, "weight": 0},
]


@dataclass(frozen=True)
class GiftWon:
    award_id: int
    person_id: int
    visitor_token: str


async def gift_won(db: Database, slug: str, quantity: int = 2) -> GiftWon:
    """A consumer scan that won a physical gift (a new visitor: not yet claimed with a phone)."""
    batch, _ = await scan_to_win(db, slug, quantity=quantity, prizes=GIFTS)
    async with system(db, None) as ctx:
        answer = await scans.scan_code(
            ctx, ScanCreate(code=await code_url(db, slug, batch.first_serial)), None, None, None
        )
    award = answer.draw.award
    assert award is not None and award.kind == "gift" and answer.visitor_token, answer.draw
    return GiftWon(award.id, award.person_id, answer.visitor_token)


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    """A scan of the code page, a scan risk control held for review (the review routes), and a
    gift won with its delivery's address (the consumer's address route, the gift routes)."""
    won, phone = await gift_won(db, slug), new_phone()
    address = gifts.GiftAddress(recipient_name=f"{marker} 收货人", phone=phone, address=f"{marker} 路 1 号")
    async with system(db, slug) as ctx:
        delivery = await gifts.submit_gift_address(ctx, won.person_id, won.award_id, address)
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
    ids = {"scan_id": answer.scan_id, "award_id": won.award_id, "delivery_id": delivery.id}
    return ids, [f"{marker} phone", phone]


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
