"""The review queue (风控审核): scans risk control held. A reviewer approves one — it draws now,
as the scan would have — or rejects it; one decision per scan (a conditional write decides a
race between two reviewers), audited."""

from __future__ import annotations

from yima.campaigns import service as campaigns
from yima.campaigns.errors import NotEligible, NotRunning
from yima.campaigns.permissions import RISK_READ, RISK_WRITE
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, NotFound
from yima.scans import repository as repo
from yima.scans import rules
from yima.scans.models import ScanRecord
from yima.scans.schemas import ReviewDecision, ReviewFilter, ReviewRead, RiskReason
from yima.scans.service.draw import REFUSALS, award_of, scan_context
from yima.scans.service.page import scan_ref

ALL_FACTS: frozenset[campaigns.ScanFact] = frozenset({"holder", "member", "history"})


async def _read(ctx: Ctx, record: ScanRecord) -> ReviewRead:
    return ReviewRead(
        scan_id=record.id, serial=record.serial, scanned_at=ctx.local(record.scanned_at), person_id=record.person_id,
        campaign_id=record.campaign_id, region_code=record.region_code, risk_decision=record.risk_decision,
        reasons=[RiskReason(code=r, zh=z, en=e) for r in record.risk_reasons or [] for z, e in [campaigns.describe(r)]],
        review_state=record.review_state, reviewed_by=record.reviewed_by,
        reviewed_at=ctx.local(record.reviewed_at) if record.reviewed_at else None, outcome=record.outcome,
        award=ctx.shown(award) if (award := await award_of(ctx, record)) else None,
    )  # fmt: skip


async def list_reviews(ctx: Ctx, filters: ReviewFilter, limit: int, before_id: int | None) -> list[ReviewRead]:
    """Up to ``limit + 1`` held scans (or those already decided), newest first."""
    ctx.require(RISK_READ.name)
    rows = await repo.list_reviews(ctx.session, filters.state, filters.campaign_id, limit + 1, before_id)
    return [await _read(ctx, r) for r in rows]


async def _draw_approved(ctx: Ctx, record: ScanRecord) -> None:
    role = rules.draw_role(record.level, record.face)
    assert role is not None
    assert record.campaign_id is not None
    assert record.person_id is not None
    scan = await scan_context(ctx, record, ALL_FACTS)
    try:
        award = await campaigns.draw_prize(
            ctx, record.campaign_id, scan_ref(record), record.person_id, record.serial, role,  # type: ignore[arg-type]
            scan=scan,
        )  # fmt: skip
    except NotRunning as stopped:  # paused, or not running yet or any more: the prize is not lost
        raise NotRunning(
            f"{stopped.message}: the scan stays held; approve it once the campaign runs again, or reject it",
            [FieldError("campaign_id", "the campaign is not running", NotRunning.code)],
        ) from stopped
    except NotEligible:
        record.outcome = "not_eligible"
        return
    except tuple(REFUSALS) as refused:
        record.outcome = REFUSALS[type(refused)]
        return
    record.outcome, record.award_id = "awarded", award.id


async def decide_review(ctx: Ctx, scan_id: int, data: ReviewDecision) -> ReviewRead:
    """Approve (the scan draws now) or reject a held scan. 404 for no such held scan; 409
    ``already_reviewed`` when another reviewer decided first; 409 ``campaign_not_running`` when
    approving while the scan's campaign is paused (or not running): nothing is written, the edge
    rolls back the taken review, and the scan stays pending for a later approval."""
    ctx.require(RISK_WRITE.name)
    decided = "approved" if data.decision == "approve" else "rejected"
    record = await repo.take_review(ctx.session, scan_id, decided)
    if record is None:
        existing = await repo.get(ctx.session, scan_id)
        if existing is None or existing.review_state is None:
            raise NotFound(f"no scan {scan_id} was held for review")
        raise Conflict(
            f"scan {scan_id} was already {existing.review_state}",
            [FieldError("scan_id", "already reviewed", "already_reviewed")],
            code="already_reviewed",
        )
    record.reviewed_by, record.reviewed_at = (ctx.actor.name or ctx.actor.kind)[:80], ctx.now()
    if decided == "approved":
        await _draw_approved(ctx, record)
    else:
        record.outcome = "rejected"
    await ctx.session.flush()
    identity.record_audit(
        ctx, f"scan.review_{decided}", "scan", record.id, {"note": data.note, "outcome": record.outcome}
    )
    return await _read(ctx, record)
