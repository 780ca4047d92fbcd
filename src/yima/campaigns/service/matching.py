"""Which campaigns a scanned code takes part in (the scan's first question): the brand's live
campaigns, kept in process for a few seconds so a scan costs no query for them. A change made
in this process drops the brand's entry at once; other worker processes see it within the TTL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yima.campaigns import repository as repo
from yima.campaigns import rules
from yima.campaigns.models import Campaign
from yima.campaigns.schemas import Scope, Targeting
from yima.campaigns.service.plans import LIVE_TTL, forget_plans
from yima.platform.caches import TtlCache
from yima.platform.ctx import Ctx


@dataclass(frozen=True)
class LiveCampaign:
    """What the scan needs to know of a live campaign before drawing in it."""

    id: int
    audience: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    product_ids: frozenset[int]
    batch_ids: frozenset[int]
    serial_ranges: tuple[tuple[int, int], ...]
    needs: frozenset[rules.ScanFact]  # the facts its targeting reads (the scan fetches only those)

    def covers(self, product_id: int | None, batch_id: int, serial: int) -> bool:
        """Is the code in scope (活动范围)? Every code of the brand when the scope is empty."""
        if not (self.product_ids or self.batch_ids or self.serial_ranges):
            return True
        return (
            product_id in self.product_ids
            or batch_id in self.batch_ids
            or any(first <= serial <= last for first, last in self.serial_ranges)
        )


_live: TtlCache[int, tuple[LiveCampaign, ...]] = TtlCache(LIVE_TTL)


def _live_campaign(campaign: Campaign) -> LiveCampaign:
    scope = Scope.model_validate(campaign.scope)
    return LiveCampaign(
        id=campaign.id,
        audience=campaign.audience,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        product_ids=frozenset(scope.product_ids),
        batch_ids=frozenset(scope.batch_ids),
        serial_ranges=tuple((r.first, r.last) for r in scope.serial_ranges),
        needs=rules.facts_needed(Targeting.model_validate(campaign.targeting).model_dump()),
    )


def forget_live(ctx: Ctx) -> None:
    """A campaign of the brand changed: match and plan draws from the database again."""
    _live.drop(ctx.tenant_id)
    forget_plans(ctx)


async def campaigns_for_code(
    ctx: Ctx, role: rules.Role, product_id: int | None, batch_id: int, serial: int
) -> list[LiveCampaign]:
    """The campaigns running now for ``role`` whose scope covers the code, oldest first. No
    permission of its own (the public scan asks)."""
    live = _live.get(ctx.tenant_id)
    if live is None:
        live = tuple(_live_campaign(c) for c in await repo.live_campaigns(ctx.session))
        _live.put(ctx.tenant_id, live)
    now = ctx.now()
    return [
        c
        for c in live
        if c.audience == role
        and rules.effective_state("scheduled", c.starts_at, c.ends_at, now) == "running"
        and c.covers(product_id, batch_id, serial)
    ]
