"""The draw (抽奖) in the database: what the scan calls, inside the scan's transaction.

All or nothing: the whole draw runs in a savepoint, so a refusal (already awarded, a person's
limit, not even the fallback fits) leaves no counter, stock or budget touched, and the caller's
transaction goes on (the scan is still recorded). A prize's stock, its budget, the campaign's
budget, the day's pacing cap and — for cash — the wallet posting are conditional writes; the
first that refuses undoes the others and the draw tries the next prize, then the fallback. The
first prize tried is undone with the whole draw's savepoint (then the draw starts again); each
one after it runs in a savepoint of its own. So the usual draw, whose first prize is taken,
sends one SAVEPOINT, not two. The campaign's spend is split in slices
(service/spend.py): a draw writes one slice of it. On PostgreSQL the first try sends the claims
with its prize's first statement, and for cash without a prize row, the spend and the award with
the wallet's last (docs/campaigns.md).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.exc import DBAPIError

from yima.campaigns import repository as repo
from yima.campaigns import rules
from yima.campaigns.errors import AlreadyAwarded, BudgetExhausted, NotEligible, NotRunning, PersonLimitReached
from yima.campaigns.models import CampaignAward
from yima.campaigns.schemas import AwardRead
from yima.campaigns.service import spend
from yima.campaigns.service.plans import DrawPlan, PlannedPrize, plan_of
from yima.geo import service as geo
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.platform.db.direct import Deferred
from yima.platform.db.errors import is_deadlock
from yima.platform.errors import AppError
from yima.wallet import service as wallet
from yima.wallet.errors import BUDGET_CANNOT_PAY, SliceFull
from yima.wallet.service import SliceMode, WithFirst, WithLast

_system_random = random.SystemRandom()
log = logging.getLogger(__name__)
DEADLOCK_RETRIES = 3
# The caller's statement that names an award, given the award's id (draw_prize's with_award).
WithAward = Callable[[int], Deferred[Any]]


class _Refused(Exception):
    """A conditional write found no room: undo this prize's savepoint, try the next one."""


def read_award(award: CampaignAward, *, replayed: bool = False) -> AwardRead:
    return AwardRead.model_validate(award).model_copy(update={"replayed": replayed})


def _ineligible(campaign: DrawPlan, role: str, scan: rules.ScanContext) -> list[str]:
    reasons = [] if campaign.audience == role else ["audience"]
    return reasons + rules.ineligible(campaign.targeting, scan, geo.in_territory)


async def check_eligibility(ctx: Ctx, campaign_id: int, role: rules.Role, scan: rules.ScanContext) -> list[str]:
    """Why the scan may not take part (empty: it may): the audience and the targeting."""
    return _ineligible(await plan_of(ctx, campaign_id), role, scan)


async def post_cash_award(
    ctx: Ctx, campaign: DrawPlan, person_id: int, amount_fen: int, reason: str, scan_ref: str,
    slices: SliceMode = "any", with_first: WithFirst = (), with_last: WithLast | None = None,
) -> int:  # fmt: skip
    """THE LEDGER SEAM: pay a cash award from the campaign's wallet budget into the person's
    wallet (奖励入账), in the caller's transaction; the journal id. The wallet refuses, moving
    nothing, when the budget cannot pay (``BUDGET_CANNOT_PAY``: the fallback is tried instead).
    Keyed by campaign and scan, so a replay pays once. The budget row stays locked until the
    transaction ends. ``slices``: which slices of the budget may pay; ``with_first``,
    ``with_last``: statements sent with the journal's first and last (``wallet.award``)."""
    assert campaign.budget_account_id is not None, "published campaigns have a wallet budget"
    key = f"campaigns:award:{campaign.id}:{scan_ref}"
    journal = await wallet.award(
        ctx, campaign.budget_account_id, person_id, amount_fen, reason, key, slices, with_first, with_last
    )
    return journal.id


class _Crowded(Exception):
    """The slice of the campaign's spend or of its wallet budget the draw picked had no room:
    retry with every slice."""


@dataclass
class _Draw:
    """What every try of one draw shares: the campaign, the local day, the scan and person, the
    award's values that do not depend on the prize (the code's award number and, where the
    claims reserved it, its id, once claimed), the caller's statement to send with the award
    (``draw_prize``'s ``with_award``), and the claims while they are not yet made (``pending``:
    on PostgreSQL the first try sends them with the prize's first statement)."""

    campaign: DrawPlan
    day: str
    person_id: int
    scan_ref: str
    award: dict[str, Any]
    with_award: WithAward | None
    pending: Deferred[None] | None = None

    def note(self, claimed: repo.Claimed) -> None:
        """The claims made: a refusal raises (the draw's savepoint undoes what was counted)."""
        serial, campaign_id = self.award["code_serial"], self.campaign.id
        if claimed.seq is None:
            raise AlreadyAwarded(f"code {serial} has made every award it may in campaign {campaign_id}")
        if not claimed.person_ok:
            raise PersonLimitReached("the person has reached today's or the campaign's limit, or won on this code")
        self.award |= {"seq": claimed.seq} | ({} if claimed.award_id is None else {"id": claimed.award_id})
        self.pending = None

    def award_of(self, prize: PlannedPrize, amount: int, reason: str, journal: int | None) -> dict[str, Any]:
        state = prize.state
        return self.award | {
            "prize_id": state.id, "kind": state.kind, "prize_name": prize.name, "amount_fen": amount,
            "points": prize.points, "cost_fen": rules.cost_of(state, amount), "fallback": state.fallback,
            "reason": reason, "journal_id": journal,
        }  # fmt: skip


async def _written(
    ctx: Ctx, draw: _Draw, award: dict[str, Any], insert: Callable[[list[Deferred[Any]]], Awaitable[int | None]]
) -> dict[str, Any] | None:
    """``insert`` the award and send the caller's statement with it, in one round trip when the
    claims reserved its id (else the statement follows it): the award with its id; None when
    ``insert`` refused (the savepoint then undoes the caller's statement too)."""
    reserved = award.get("id")
    also = [draw.with_award(reserved)] if draw.with_award and reserved is not None else []
    award_id = await insert(also)
    if award_id is None:
        return None
    if draw.with_award and not also:
        await direct.run_together(ctx.session, [draw.with_award(award_id)])
    return award | {"id": award_id}


class _WithJournal:
    """The spend with the award, and the caller's statement, sent with the cash journal's last
    leg (one round trip on PostgreSQL, where the award's id was reserved): built once the
    journal's id is known. ``award``: the award written, None when a slice refused (or the
    wallet did not send them: ``sent``)."""

    def __init__(self, ctx: Ctx, draw: _Draw, prize: PlannedPrize, amount: int, reason: str, k: int) -> None:
        self.ctx, self.draw, self.prize, self.amount, self.reason, self.k = ctx, draw, prize, amount, reason, k
        self.sent = False
        self.award: dict[str, Any] | None = None

    def __call__(self, journal_id: int) -> list[Deferred[Any]]:
        draw, cost = self.draw, rules.cost_of(self.prize.state, self.amount)
        award = draw.award_of(self.prize, self.amount, self.reason, journal_id)
        spending = spend.spend_fast_later(self.ctx, draw.campaign, draw.day, cost, self.k, award)

        async def took(rows: direct.Rows) -> None:
            award_id = await spending.then(rows)
            self.award = None if award_id is None else award | {"id": award_id}

        parts: list[Deferred[Any]] = [replace(spending, then=took)]
        if draw.with_award:
            caller = draw.with_award(award["id"])

            async def then(rows: direct.Rows) -> None:
                if self.award is not None:  # a refusal is undone with the savepoint
                    await caller.then(rows)

            parts.append(replace(caller, then=then))
        self.sent = True
        return parts


async def _try(
    ctx: Ctx, draw: _Draw, prize: PlannedPrize, amount: int, reason: str, k: int | None, *, own_savepoint: bool = True
) -> dict[str, Any]:
    """Take one of ``prize`` and write the award (savepoint): the award's values with its id;
    _Refused when the wallet, stock, a budget or the pacing cap has no room. ``k``: the slice of
    the campaign's spend to count it in, and a random slice of its wallet budget to pay from
    (_Crowded when either has no room: the savepoint's rollback then frees the slice rows it
    took, so the retry takes all of them in order holding none); None: any slice, all of them
    locked (service/spend.py, the wallet's ``slices="all"``). A slice row is so locked at most
    once per attempt.

    The rows scans share — the wallet budget, a limited prize's stock, the campaign's spend
    slices — are written last and in that order (the lock order), so each is locked for as
    few round trips as possible before COMMIT; the award is written with the spend (one
    statement on PostgreSQL; for cash with no prize row to update, with the journal's last leg
    too: _WithJournal). A prize of unlimited stock and no budget of its own has no row to
    update (its count and spend are read from the awards).
    ``own_savepoint`` False: the caller's savepoint undoes a refusal (the draw's first try)."""
    campaign, cost, session = draw.campaign, rules.cost_of(prize.state, amount), ctx.session
    try:
        async with direct.savepoint(session) if own_savepoint else nullcontext():  # all direct statements
            journal = None
            if k is not None and prize.state.kind == "cash" and not spend.fits_slice(campaign, k, cost):
                raise _Crowded  # before anything is written
            with_journal = None  # cash without a prize row, on PostgreSQL: the rest goes with the wallet's
            cash_alone = prize.state.kind == "cash" and not rules.prize_counted(prize.state)
            if k is not None and cash_alone and direct.on_postgres(session):
                with_journal = _WithJournal(ctx, draw, prize, amount, reason, k)
            if draw.pending is not None and with_journal is None:
                await direct.run_together(session, [draw.pending])  # the claims, alone
            if prize.state.kind == "cash":
                memo = f"{rules.AWARD_MEMO[campaign.audience]} {prize.name}"
                journal = await post_cash_award(
                    ctx, campaign, draw.person_id, amount, memo, draw.scan_ref, "all" if k is None else "one",
                    [draw.pending] if draw.pending else (), with_journal,
                )  # fmt: skip
                if with_journal and with_journal.sent:
                    if with_journal.award is None:
                        raise _Crowded
                    return with_journal.award
            if rules.prize_counted(prize.state) and not await repo.take_prize(session, prize.state.id, cost):
                raise _Refused
            award = draw.award_of(prize, amount, reason, journal)
            if k is None:
                if not await spend.spend_exact(ctx, campaign, draw.day, cost):
                    raise _Refused
                written = await _written(ctx, draw, award, lambda also: repo.insert_award(session, award, also))
            else:
                written = await _written(
                    ctx, draw, award, lambda also: spend.spend_fast(ctx, campaign, draw.day, cost, k, award, also)
                )
            if written is None:
                raise _Crowded
            return written
    except SliceFull as exc:
        raise _Crowded from exc
    except AppError as exc:
        if exc.code in BUDGET_CANNOT_PAY:
            raise _Refused from exc
        raise


class _Retry(Exception):
    """The draw's first try, made without a savepoint of its own, was refused: the draw's
    savepoint has undone it all. Draw again carefully (a savepoint a prize), from ``states``."""

    def __init__(self, states: list[rules.PrizeState], reason: str) -> None:
        super().__init__("the first prize tried was refused")
        self.states, self.reason = states, reason


async def _take(
    ctx: Ctx, draw: _Draw, prize: PlannedPrize, amount: int, reason: str, rng: random.Random, careful: bool
) -> dict[str, Any]:
    """_try in a random slice, then, if that one was full, in all of them. Not ``careful``: the
    random slice only, in the caller's savepoint (_Crowded when full). Nearly every draw's
    first try takes its prize, so it saves a SAVEPOINT round trip while the rows are locked."""
    k = rng.randrange(rules.MAX_SLICES)
    if not careful:
        return await _try(ctx, draw, prize, amount, reason, k, own_savepoint=False)
    try:
        return await _try(ctx, draw, prize, amount, reason, k)
    except _Crowded:
        return await _try(ctx, draw, prize, amount, reason, None)


def _periods(draw: _Draw) -> dict[str, int | None]:
    """The person's limits the award counts against: the day's, the campaign's and — where a
    code awards several times (一码多扫: the guests at a banquet table) — one award a person on
    each code, so one guest cannot take the table's."""
    limits = draw.campaign.limits
    periods = {draw.day: limits.per_person_day, "total": limits.per_person_total}
    if limits.scans_per_code > 1:
        periods[rules.code_period(draw.award["code_serial"])] = 1
    return periods


async def _claim_now(ctx: Ctx, draw: _Draw) -> None:
    """The code's award number and the person's counts, claimed (one round trip on PostgreSQL,
    where the award's id is reserved with them); a refusal raises (``_Draw.note``)."""
    award, periods = draw.award, _periods(draw)
    draw.note(await repo.claim_limits(
        ctx.session, ctx.tenant_id, draw.campaign.id, award["code_serial"], award["role"],
        draw.campaign.limits.scans_per_code, draw.person_id, periods,
    ))  # fmt: skip


def _claims_later(ctx: Ctx, draw: _Draw) -> Deferred[None]:
    """``_claim_now``'s statement on PostgreSQL, not run: the draw's first try sends it with its
    prize's first statement."""
    award, periods = draw.award, _periods(draw)
    statement, params = repo.claim_limits_later(
        ctx.tenant_id, draw.campaign.id, award["code_serial"], award["role"], draw.campaign.limits.scans_per_code,
        draw.person_id, periods,
    )  # fmt: skip

    async def then(rows: direct.Rows) -> None:
        draw.note(repo.claimed_in(rows, len(periods)))

    return Deferred(statement, params, then)


def _prize_states(campaign: DrawPlan, fallback_only: bool) -> tuple[list[rules.PrizeState], str]:
    """The prizes a draw picks from, and why it would get the one it picks."""
    states = [p.state for p in campaign.prizes]
    if fallback_only:  # risk control lowered the scan to the minimum prize (降级为保底奖)
        return [s if s.fallback else replace(s, weight=0) for s in states], "fallback: risk control"
    return states, "drawn"


async def _pick_and_take(
    ctx: Ctx, draw: _Draw, rng: random.Random, states: list[rules.PrizeState], reason: str, *, careful: bool,
    fallback_only: bool,
) -> dict[str, Any]:  # fmt: skip
    prizes = {p.state.id: p for p in draw.campaign.prizes}
    while True:
        picked = rules.pick_prize(states, None, rng)  # the spend slices' conditional writes hold the budget
        chosen = picked or rules.fallback_of(states)
        amount = rules.cash_amount(chosen, rng)
        why = reason if picked or fallback_only else "fallback"
        try:
            return await _take(ctx, draw, prizes[chosen.id], amount, why, rng, careful)
        except _Crowded:
            if careful:  # a careful try is never left crowded (it ends with every slice)
                raise
            raise _Retry(states, reason) from None
        except _Refused:
            if picked is None:
                raise BudgetExhausted("not even the fallback prize fits the budget or today's cap") from None
            # Seen empty by this draw: keep it out of the next pick (a zero weight does that).
            states = [replace(s, weight=0) if s.id == chosen.id and not s.fallback else s for s in states]
            if chosen.fallback:
                states = [replace(s, weight=0) if s.fallback else s for s in states]
            if not fallback_only:  # risk control's reason stays
                reason = "redrawn"  # a prize ran dry; "fallback" when nothing else is left
            if not careful:
                raise _Retry(states, reason) from None


async def draw_prize(
    ctx: Ctx,
    campaign_id: int,
    scan_ref: str,
    person_id: int,
    code_serial: int,
    role: rules.Role = "consumer",
    *,
    scan: rules.ScanContext | None = None,
    rng: random.Random | None = None,
    fallback_only: bool = False,
    new_scan: bool = False,
    with_award: WithAward | None = None,
) -> AwardRead:
    """Draw a prize for one valid scan (the scans context calls it in its transaction).

    ``scan_ref`` identifies the scan: the same one again returns the first award (``replayed``).
    Raises NotRunning, NotEligible (when ``scan`` is given and falls outside the audience or
    targeting), AlreadyAwarded (the code and role have made all their awards; the losers of a
    race get it), PersonLimitReached, BudgetExhausted — each leaving nothing written.
    ``fallback_only``: risk control's "lower to the minimum prize" (only the fallback is drawn).
    ``new_scan``: the caller made the scan in this transaction, so no award names it yet (the
    lookup for a replay is skipped; a raced duplicate still meets the award's unique key).
    ``with_award``: the caller's statement naming the award, given its id (the scan record's
    outcome), run in the draw whenever it makes an award: on PostgreSQL in the same round trip
    as the award's insert, its follow-up once the award is written. Not run for a replay."""
    session = ctx.session
    found = None if new_scan else await repo.award_by_scan(session, campaign_id, scan_ref)
    if found is not None:
        return read_award(found, replayed=True)
    campaign = await plan_of(ctx, campaign_id)
    now = ctx.now()
    state = rules.effective_state(campaign.state, campaign.starts_at, campaign.ends_at, now)  # type: ignore[arg-type]
    if state != "running":
        raise NotRunning(f"campaign {campaign_id} is {state}")
    if scan is not None and (reasons := _ineligible(campaign, role, scan)):
        raise NotEligible(reasons)
    day = rules.day_key(ctx.local(now))
    for attempt in range(1, DEADLOCK_RETRIES + 2):
        try:
            return await _draw_once(
                ctx, campaign, scan_ref, person_id, code_serial, role, day, scan, rng, fallback_only, with_award
            )
        except DBAPIError as exc:
            # Concurrent draws meeting on budget slices can deadlock (PostgreSQL aborts one);
            # the draw's savepoint undid everything it wrote: draw again.
            if not is_deadlock(exc) or attempt > DEADLOCK_RETRIES:
                raise
            log.info("draw retried after a deadlock", extra={"campaign_id": campaign_id, "attempt": attempt})
        except AlreadyAwarded:
            replay = await repo.award_by_scan(session, campaign_id, scan_ref)  # the same scan, raced
            if replay is not None:
                return read_award(replay, replayed=True)
            raise
    raise AssertionError("unreachable: the last attempt returns or raises")


async def _draw_once(
    ctx: Ctx, campaign: DrawPlan, scan_ref: str, person_id: int, code_serial: int, role: rules.Role, day: str,
    scan: rules.ScanContext | None, rng: random.Random | None, fallback_only: bool, with_award: WithAward | None,
) -> AwardRead:  # fmt: skip
    """One attempt at the draw, all in one savepoint; its first prize tried without one of its
    own (nearly always taken), then, if refused, again from the start with one a prize."""
    session, now = ctx.session, ctx.now()
    fixed = {
        "tenant_id": ctx.tenant_id, "campaign_id": campaign.id, "scan_ref": scan_ref, "person_id": person_id,
        "code_serial": code_serial, "role": role, "day": day, "local_hour": ctx.local(now).hour,
        "region_code": scan.region_code if scan else None, "created_at": now,
    }  # fmt: skip
    states, reason = _prize_states(campaign, fallback_only)
    careful = False
    while True:
        try:
            async with direct.savepoint(session):  # its writes are all direct statements
                draw = _Draw(campaign, day, person_id, scan_ref, dict(fixed), with_award)
                if careful or not direct.on_postgres(session):
                    await _claim_now(ctx, draw)
                else:  # sent by the first try, with its prize's first statement
                    draw.pending = _claims_later(ctx, draw)
                award = await _pick_and_take(
                    ctx, draw, rng or _system_random, states, reason, careful=careful, fallback_only=fallback_only
                )
            return AwardRead.model_validate(award)
        except _Retry as retry:
            states, reason, careful = retry.states, retry.reason, True


async def awards_of_code(
    ctx: Ctx, campaign_id: int, code_serial: int, role: rules.Role = "consumer"
) -> list[AwardRead]:
    """The awards a code made for a role (the scan page shows "already won …"); no permission
    of its own."""
    return [read_award(a) for a in await repo.awards_of_code(ctx.session, campaign_id, code_serial, role)]


async def code_can_win(ctx: Ctx, campaign_id: int, code_serial: int, role: rules.Role = "consumer") -> bool:
    """May the code still award the role in the campaign: has it made fewer awards than the
    campaign's scans per code (1, or the count of 一码多扫)? No permission of its own."""
    limit = (await plan_of(ctx, campaign_id)).limits.scans_per_code
    return await repo.code_awards(ctx.session, campaign_id, code_serial, role) < limit


async def award_of_scan(ctx: Ctx, campaign_id: int, scan_ref: str) -> AwardRead | None:
    """The award a scan made in a campaign (a replayed scan shows it again); no permission."""
    found = await repo.award_by_scan(ctx.session, campaign_id, scan_ref)
    return read_award(found) if found else None


async def awards_of_person(ctx: Ctx, person_ids: list[int], limit: int = 50) -> list[AwardRead]:
    """A person's awards, newest first (their wallet page; ``person_ids`` includes the persons
    merged into them); no permission of its own."""
    return [read_award(a) for a in await repo.awards_of_person(ctx.session, person_ids, limit)]


async def repoint_awards(ctx: Ctx, from_person_id: int, into_person_id: int) -> None:
    """One ID merged two persons: the merged one's awards are the survivor's (their "my prizes"
    list). The counters behind per-person limits stay as counted. No permission of its own."""
    await repo.repoint_awards(ctx.session, from_person_id, into_person_id)
