"""The scan-to-win draw (扫码抽奖), DESIGN.md §6: one short transaction per scan.

A scan is recorded (page.py); then, for a face a role draws on, the running campaigns whose
scope covers the code are found (cached in process), risk control grades the scan (counters,
sequences, territory, blacklists), and the first campaign whose targeting it meets draws — all
in the caller's transaction, so a crash leaves either the whole scan or nothing. The outcome,
risk control's decision and its reasons are stored on the scan record. A scan held for review
draws when a reviewer approves it (reviews.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from yima.campaigns import service as campaigns
from yima.campaigns.errors import AlreadyAwarded, BudgetExhausted, NotEligible, NotRunning, PersonLimitReached
from yima.campaigns.schemas import AwardRead
from yima.campaigns.service import RiskCounts, RiskInput, RiskVerdict, Role, ScanContext, ScanFact
from yima.codes import service as codes
from yima.codes.schemas import ResolvedCode
from yima.members import service as members
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.scans import repository as repo
from yima.scans import rules
from yima.scans.models import ScanRecord
from yima.scans.schemas import DrawResult, ScanCreate, ScanResult
from yima.scans.service.page import (
    Counted,
    DiversionCheck,
    Scanner,
    campaigns_awaiting,
    enter_brand,
    forged_as_not_ours,
    page_of,
    proven_scan,
    record_scan,
    scan_ref,
)
from yima.trace import service as trace

# The draw's refusals, and the outcome each is told as (nothing was written for any of them).
REFUSALS: dict[type[Exception], rules.Outcome] = {
    AlreadyAwarded: "already_awarded",
    PersonLimitReached: "limit_reached",
    BudgetExhausted: "budget_exhausted",
}


@dataclass(frozen=True)
class Visit:
    """The visitor a scan comes from: their person, and the token when one was just issued."""

    person_id: int
    issued_token: str | None = None


async def visit_of(ctx: Ctx, visitor_token: str | None) -> Visit:
    """The person behind a visitor token of the brand ``ctx`` is bound to; a new visitor (and
    person) when the token is missing, forged, expired or another brand's."""
    visitor_id = await members.read_visitor(ctx, visitor_token)
    if visitor_id is not None:
        return Visit(await members.visitor_person_id(ctx, visitor_id))
    return await _new_visit(ctx)


async def _new_visit(ctx: Ctx) -> Visit:
    issued = await members.issue_visitor(ctx)
    return Visit(await members.new_visitor_person_id(ctx, issued.visitor_id), issued.visitor_token)


async def _visit_and_unit(ctx: Ctx, visitor_token: str | None, text: str) -> tuple[Visit, ResolvedCode]:
    """``visit_of`` and the scanned unit: one round trip for both when the visitor returns."""
    visitor_id = await members.read_visitor(ctx, visitor_token)
    with forged_as_not_ours():
        described = await codes.describe_later(ctx, text)
        if visitor_id is None:
            visit = await _new_visit(ctx)  # an INSERT with a data-modifying WITH: it goes alone
            return visit, (await direct.run_together(ctx.session, [described]))[0]
        person = members.visitor_person_id_later(ctx, visitor_id)
        person_id, unit = await direct.run_together(ctx.session, [person, described])
    return Visit(person_id), unit


def result_of(ctx: Ctx, record: ScanRecord, award: AwardRead | None = None) -> DrawResult:
    outcome: rules.Outcome = record.outcome  # type: ignore[assignment]
    return DrawResult(
        outcome=outcome, message=rules.OUTCOME_TEXT[outcome][0], campaign_id=record.campaign_id,
        award=ctx.shown(award) if award else None, address_required=award is not None and award.kind == "gift",
    )  # fmt: skip


async def scan_context(ctx: Ctx, record: ScanRecord, needs: frozenset[ScanFact]) -> ScanContext:
    """What the targeting of the matched campaigns reads, fetched only when one reads it."""
    holder = await trace.holder_of(ctx, record.serial) if "holder" in needs else None
    profile = await members.member_profile(ctx, record.person_id) if "member" in needs and record.person_id else None
    ordinal = (
        await repo.codes_of_person(ctx.session, record.person_id) if "history" in needs and record.person_id else 1
    )
    return ScanContext(
        local_time=ctx.local(record.scanned_at),
        region_code=record.region_code,
        dealer_id=holder.dealer_id if holder else None,
        store_id=holder.store_id if holder else None,
        member_level=str(profile.level) if profile else None,
        member_tags=frozenset(profile.tags) if profile else frozenset(),
        scan_ordinal=ordinal,
        is_new=ordinal == 1,
    )


async def _phone(ctx: Ctx, person_id: int) -> str | None:
    """The person's verified phone, fetched only when a blacklisted phone could match it."""
    return await members.verified_phone(ctx, person_id) if await campaigns.risk_reads_phone(ctx) else None


async def _assess(
    ctx: Ctx, record: ScanRecord, device: str | None, diversion: DiversionCheck | None, sequential: int | None,
    counts: RiskCounts | None,
) -> RiskVerdict:  # fmt: skip
    assert record.person_id is not None
    outside_km = diversion.outside_km if diversion else None
    if diversion is None and record.region_code:  # located by the page after it was recorded: 窜货?
        found = await trace.check_diversion(
            ctx, record.serial, record.lat, record.lon, record.region_code, "consumer_scan", str(record.id)
        )
        outside_km = found.distance_km if found else None
    if sequential is None:
        since = record.scanned_at - rules.SEQUENCE_WINDOW
        sequential = await repo.sequential_recent(ctx.session, record, rules.SEQUENCE_SPAN, since)
    data = RiskInput(
        person_id=record.person_id,
        serial=record.serial,
        ip=ctx.ip,
        device=device,
        phone=await _phone(ctx, record.person_id),
        sequential_recent=sequential,
        outside_territory_km=outside_km,
    )
    if counts is None:  # not counted with the scan's insert
        return await campaigns.assess_risk(ctx, data)
    return await campaigns.grade_risk(ctx, data, counts)


async def _held_in(
    ctx: Ctx, matched: list[campaigns.LiveCampaign], role: Role, scan: ScanContext, serial: int
) -> tuple[rules.Outcome, campaigns.LiveCampaign | None]:
    """Where a scan risk control holds waits for its reviewer: the first matched campaign whose
    targeting it meets and in which the code can still win. A code that has won all it may in
    each of them (a rescan of an opened, paid cap) is answered ``already_awarded`` instead of
    queueing a scan a reviewer could only refuse."""
    spent = None
    for campaign in matched:
        if await campaigns.check_eligibility(ctx, campaign.id, role, scan):
            continue
        if await campaigns.code_can_win(ctx, campaign.id, serial, role):
            return "held", campaign
        spent = spent or campaign
    return ("already_awarded", spent) if spent else ("not_eligible", None)


async def draw_in(
    ctx: Ctx, record: ScanRecord, role: Role, matched: list[campaigns.LiveCampaign], scan: ScanContext,
    *, fallback_only: bool = False, new_scan: bool = False, saved_as: RiskVerdict | None = None,
) -> AwardRead | None:  # fmt: skip
    """Draw in the first matched campaign whose targeting the scan meets; sets the record's
    campaign and outcome. Each refusal leaves the campaign's counters as they were.
    ``new_scan``: the record was inserted in this transaction, so no award can name it yet.
    ``saved_as``: risk control's verdict on the record, whose outcome an award then writes with
    its own insert (``_saved_with_award``)."""
    assert record.person_id is not None
    for campaign in matched:
        saving = _saved_with_award(ctx, record, campaign.id, saved_as) if saved_as else None
        try:
            award = await campaigns.draw_prize(
                ctx, campaign.id, scan_ref(record), record.person_id, record.serial, role, scan=scan,
                fallback_only=fallback_only, new_scan=new_scan, with_award=saving,
            )  # fmt: skip
        except (NotEligible, NotRunning):
            continue
        except (AlreadyAwarded, PersonLimitReached, BudgetExhausted) as refused:
            record.campaign_id, record.outcome = campaign.id, REFUSALS[type(refused)]
            return None
        record.campaign_id, record.outcome, record.award_id = campaign.id, "awarded", award.id
        return award
    record.outcome = "not_eligible"
    return None


def _saved_with_award(
    ctx: Ctx, record: ScanRecord, campaign_id: int, verdict: RiskVerdict
) -> Callable[[int], direct.Deferred[None]]:
    """The record's outcome as draw_in and draw_for leave it once ``campaign_id`` awards it,
    written by the draw with the award's insert (one round trip on PostgreSQL)."""

    def saving(award_id: int) -> direct.Deferred[None]:
        outcome = repo.outcome_of(record) | {
            "campaign_id": campaign_id, "outcome": "awarded", "award_id": award_id,
            "risk_decision": verdict.decision, "risk_reasons": list(verdict.reasons),
        }  # fmt: skip
        return direct.Deferred(*repo.save_outcome_later(ctx.session, record.id, outcome), _ignored)

    return saving


async def _ignored(rows: direct.Rows) -> None:
    return None


async def draw_for(
    ctx: Ctx, unit: ResolvedCode, record: ScanRecord, device: str | None = None, *,
    new_scan: bool = False, diversion: DiversionCheck | None = None, sequential: int | None = None,
    counted: Counted | None = None,
) -> AwardRead | None:  # fmt: skip
    """The draw of a recorded scan whose person is known: match, grade, draw (or hold, or
    reject). The record carries the outcome; the award is returned when one was made. For a
    ``new_scan`` (inserted, outside the session) an award has written the outcome already; the
    caller writes any other (``scan_code``).
    ``diversion``: the diversion check record_scan made of the scan's own location;
    ``sequential``, ``counted``: risk control's count of neighbouring serials, and its counters
    with the campaigns they were counted for, when record_scan read them."""
    role = rules.draw_role(unit.level, unit.face)
    if role is None:
        return None
    if unit.state != "active":
        record.outcome = "not_active"
        return None
    matched = counted.awaiting if counted else await campaigns_awaiting(ctx, unit)
    if not matched:
        record.outcome = "no_campaign"
        return None
    verdict = await _assess(ctx, record, device, diversion, sequential, counted.counts if counted else None)
    needs = frozenset().union(*(c.needs for c in matched))
    scan = await scan_context(ctx, record, needs)
    award = None
    if verdict.decision == "reject":
        record.campaign_id, record.outcome = matched[0].id, "rejected"
    elif verdict.decision == "review":
        record.outcome, held = await _held_in(ctx, matched, role, scan, record.serial)  # type: ignore[arg-type]
        record.campaign_id = held.id if held else None
        record.review_state = "pending" if record.outcome == "held" else None
    else:
        lowered = verdict.decision == "fallback"
        award = await draw_in(
            ctx, record, role, matched, scan, fallback_only=lowered, new_scan=new_scan,  # type: ignore[arg-type]
            saved_as=verdict if new_scan else None,
        )  # fmt: skip
    # Set last, after every query: the record is then written once, by the caller's flush.
    record.risk_decision, record.risk_reasons = verdict.decision, list(verdict.reasons)
    return award


async def scan_code(
    ctx: Ctx, data: ScanCreate, visitor_token: str | None, client_key: str | None, user_agent: str | None
) -> ScanResult:
    """``POST /api/v1/scans``: the whole scan in one transaction — verify, record, draw. A retry
    with the same client key (Idempotency-Key) gets the first answer and makes nothing new."""
    await enter_brand(ctx, data.code)
    visit, unit = await _visit_and_unit(ctx, visitor_token, data.code)
    scanner = Scanner(person_id=visit.person_id, device=data.device_id, client_key=client_key)
    recorded = await record_scan(ctx, data.code, scanner, user_agent, data, unit)
    record = recorded.record
    page = await page_of(ctx, data.code, recorded)
    if recorded.fresh:
        award = await draw_for(
            ctx, unit, record, data.device_id, new_scan=True, diversion=recorded.diversion,
            sequential=recorded.sequential, counted=recorded.counted,
        )  # fmt: skip
        if award is None or award.replayed:  # an award made now wrote the outcome with it
            await repo.save_outcome(ctx.session, record)
    else:
        award = await award_of(ctx, record)
    draw = result_of(ctx, record, award)
    # The page and the draw are valid models already: not validated (nor dumped) again.
    return ScanResult.model_construct(
        **dict(page), draw=draw, visitor_token=visit.issued_token, replayed=not recorded.fresh
    )


async def award_of(ctx: Ctx, record: ScanRecord) -> AwardRead | None:
    """The award a scan made, if any (shown again on a replay or a reload)."""
    if record.campaign_id is None or record.award_id is None:
        return None
    return await campaigns.award_of_scan(ctx, record.campaign_id, scan_ref(record))


async def draw_scan(
    ctx: Ctx, code: str, scan_id: int, proof: str, visitor_token: str | None
) -> tuple[DrawResult, Visit]:
    """The code page's "draw" button (立即抽奖): draw for the scan the page recorded, as the
    visitor holding the page; a second press shows the first result."""
    record = await proven_scan(ctx, code, scan_id, proof)
    visit = await visit_of(ctx, visitor_token)
    if record.outcome != "verified":
        return result_of(ctx, record, await award_of(ctx, record)), visit
    record.person_id = record.person_id or visit.person_id
    award = await draw_for(ctx, await codes.describe(ctx, code), record)
    await ctx.session.flush()
    return result_of(ctx, record, award), visit
