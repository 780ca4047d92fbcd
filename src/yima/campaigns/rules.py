"""Pure rules of scan-to-win campaigns (扫码活动): the state machine and what may change in each
state, eligibility of a scan against the targeting (天时 地利 人和), the draw (抽奖) by weight among
prizes still available with a guaranteed fallback (保底奖), cash amounts in integer fen, pacing.

No I/O: the service fetches, these decide, the repository writes. Deterministic when given a
seeded ``random.Random``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

State = Literal["draft", "scheduled", "running", "paused", "ended"]
Role = Literal["consumer", "store", "guide", "salesman"]
PrizeKind = Literal["cash", "points", "coupon", "product_coupon", "gift"]
Action = Literal["publish", "pause", "resume", "end"]

STATES: tuple[State, ...] = ("draft", "scheduled", "running", "paused", "ended")
ROLES: tuple[Role, ...] = ("consumer", "store", "guide", "salesman")
# What a cash award is called on its receiver's wallet statement, by the audience that drew it.
AWARD_MEMO: dict[str, str] = {
    "consumer": "扫码红包", "store": "开箱有礼", "guide": "导购奖励", "salesman": "业务员奖励",
}  # fmt: skip
PRIZE_KINDS: tuple[PrizeKind, ...] = ("cash", "points", "coupon", "product_coupon", "gift")
# Stored state → action → stored state. "scheduled" turns "running" by itself when the start
# arrives, and anything but a draft "ended" when the end passes (``effective_state``).
TRANSITIONS: dict[Action, dict[State, State]] = {
    "publish": {"draft": "scheduled"},
    "pause": {"running": "paused", "scheduled": "paused"},
    "resume": {"paused": "scheduled"},
    "end": {"draft": "ended", "scheduled": "ended", "running": "ended", "paused": "ended"},
}
# What may change once a campaign has been published and may have awarded (投放中可改项): never its
# scope, audience or prizes' kinds and amounts (awards already made were made under them).
EDITABLE_LIVE = frozenset({"name", "description", "ends_at", "targeting", "limits", "budget_fen", "daily_cap_fen"})


def effective_state(
    stored: State, starts_at: dt.datetime | None, ends_at: dt.datetime | None, now: dt.datetime
) -> State:
    """The state a campaign is in at ``now``: a scheduled one runs from its start; a published
    one has ended once its end has passed."""
    if stored in ("draft", "ended"):
        return stored
    if ends_at is not None and now >= ends_at:
        return "ended"
    if stored == "scheduled" and (starts_at is None or now >= starts_at):
        return "running"
    return stored


def transition(action: Action, current: State) -> State | None:
    """The stored state after ``action`` from the effective ``current`` one, or None (refused)."""
    return TRANSITIONS[action].get(current)


def locked_fields(state: State, sent: Collection[str]) -> list[str]:
    """The fields of an update that the campaign's state forbids changing."""
    if state in ("draft", "scheduled"):
        return []
    if state == "ended":
        return sorted(sent)
    return sorted(f for f in sent if f not in EDITABLE_LIVE)


# eligibility ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targeting:
    """Who may win, when and where. An empty collection means "no restriction"."""

    hours: frozenset[int] = frozenset()  # hours of the day, 0–23, tenant-local
    weekdays: frozenset[int] = frozenset()  # ISO weekdays, 1 = Monday
    holidays: frozenset[dt.date] = frozenset()
    holiday_mode: Literal["any", "only", "exclude"] = "any"
    regions: frozenset[str] = frozenset()  # GB/T 2260 codes at any level
    dealer_ids: frozenset[int] = frozenset()
    store_ids: frozenset[int] = frozenset()
    member_levels: frozenset[str] = frozenset()
    member_tags: frozenset[str] = frozenset()  # any one of them
    scanner: Literal["any", "new", "returning"] = "any"
    nth_scans: frozenset[int] = frozenset()  # the person's nth scan (1 = first)


@dataclass(frozen=True)
class ScanContext:
    """What the scan knows when it asks whether a campaign applies: gathered by the scans
    context (members fills level and tags, trace whose goods they are)."""

    local_time: dt.datetime  # in the tenant's time zone
    region_code: str | None = None
    dealer_id: int | None = None
    store_id: int | None = None
    member_level: str | None = None
    member_tags: frozenset[str] = frozenset()
    scan_ordinal: int = 1  # this is the nth code the person scanned (a cap scanned again counts once)
    is_new: bool = True


ScanFact = Literal["holder", "member", "history"]
# Which facts of the scan each targeting field reads: the scan fetches only what is targeted.
FACTS_OF_FIELD: dict[str, ScanFact] = {
    "dealer_ids": "holder",
    "store_ids": "holder",
    "member_levels": "member",
    "member_tags": "member",
    "scanner": "history",
    "nth_scans": "history",
}


def facts_needed(targeting: Mapping[str, object]) -> frozenset[ScanFact]:
    """The facts a targeting document (schemas.Targeting dumped) needs beyond time and place."""
    return frozenset(fact for name, fact in FACTS_OF_FIELD.items() if targeting.get(name) not in (None, [], "any"))


def ineligible(
    targeting: Targeting, scan: ScanContext, in_territory: Callable[[str, Collection[str]], bool]
) -> list[str]:
    """Why the scan falls outside the targeting (empty: eligible). ``in_territory`` is geo's
    region test, passed in to keep this module free of I/O."""
    t, local = targeting, scan.local_time
    checks = {
        "hour": not t.hours or local.hour in t.hours,
        "weekday": not t.weekdays or local.isoweekday() in t.weekdays,
        "holiday": t.holiday_mode == "any" or (local.date() in t.holidays) == (t.holiday_mode == "only"),
        "region": not t.regions or (scan.region_code is not None and in_territory(scan.region_code, t.regions)),
        "dealer": not t.dealer_ids or scan.dealer_id in t.dealer_ids,
        "store": not t.store_ids or scan.store_id in t.store_ids,
        "member_level": not t.member_levels or scan.member_level in t.member_levels,
        "member_tag": not t.member_tags or bool(t.member_tags & scan.member_tags),
        "scanner": t.scanner == "any" or scan.is_new == (t.scanner == "new"),
        "nth_scan": not t.nth_scans or scan.scan_ordinal in t.nth_scans,
    }
    return [name for name, ok in checks.items() if not ok]


# the draw ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrizeState:
    """A prize as the draw sees it: its configuration and what is left of it."""

    id: int
    kind: PrizeKind
    weight: int
    amount_fen: int | None = None  # cash, fixed
    min_fen: int | None = None  # cash, random range
    max_fen: int | None = None
    cost_fen: int = 0  # what one costs the budget when not cash (gift, coupon …)
    stock_left: int | None = None  # None: unlimited
    budget_left: int | None = None  # the prize's own budget; None: only the campaign's
    fallback: bool = False


def code_period(serial: int) -> str:
    """The person-count period of one code (campaign_person_counts.period)."""
    return f"code:{serial}"


def unit_cost_max(prize: PrizeState) -> int:
    """The most one award of the prize can cost the budget (fen)."""
    if prize.kind == "cash":
        return prize.amount_fen if prize.amount_fen is not None else int(prize.max_fen or 0)
    return prize.cost_fen


def unit_cost_min(prize: PrizeState) -> int:
    """The least one award of the prize can cost the budget (fen): below it, it cannot be paid."""
    if prize.kind == "cash":
        return prize.amount_fen if prize.amount_fen is not None else int(prize.min_fen or 0)
    return prize.cost_fen


def unit_cost_mean(prize: PrizeState) -> float:
    if prize.kind == "cash" and prize.amount_fen is None:
        return (int(prize.min_fen or 0) + int(prize.max_fen or 0)) / 2
    return float(unit_cost_max(prize))


def available(prize: PrizeState, budget_left: int | None) -> bool:
    """Can the prize still be given once at its highest cost, within stock and budgets?"""
    cost = unit_cost_max(prize)
    return (
        (prize.stock_left is None or prize.stock_left > 0)
        and (prize.budget_left is None or prize.budget_left >= cost)
        and (budget_left is None or budget_left >= cost)
    )


def prize_counted(prize: PrizeState) -> bool:
    """Must an award of the prize update the prize's row? Only when stock or a budget of its own
    limits it; otherwise its count and spend are read from the awards, and concurrent scans do
    not queue on its row."""
    return prize.stock_left is not None or prize.budget_left is not None


def pick_prize(prizes: Sequence[PrizeState], budget_left: int | None, rng: random.Random) -> PrizeState | None:
    """One prize by weight among those still available, the fallback included when it has a
    weight; None when none is (then the fallback, which a weight of 0 keeps for that case)."""
    pool = [p for p in prizes if p.weight > 0 and available(p, budget_left)]
    if not pool:
        return None
    point = rng.randrange(sum(p.weight for p in pool))
    for prize in pool:
        point -= prize.weight
        if point < 0:
            return prize
    raise AssertionError("unreachable: the weights were summed above")


def fallback_of(prizes: Sequence[PrizeState]) -> PrizeState:
    [found] = [p for p in prizes if p.fallback]
    return found


def cash_amount(prize: PrizeState, rng: random.Random) -> int:
    """The amount of one award in fen: the fixed amount, or uniform in min..max inclusive; 0
    for prizes that are not cash."""
    if prize.kind != "cash":
        return 0
    if prize.amount_fen is not None:
        return prize.amount_fen
    return rng.randint(int(prize.min_fen or 0), int(prize.max_fen or 0))


def cost_of(prize: PrizeState, amount_fen: int) -> int:
    """What one award costs the budget: its cash amount, or the prize's unit cost."""
    return amount_fen if prize.kind == "cash" else prize.cost_fen


def within_pacing(spent_today: int, cost: int, daily_cap: int | None) -> bool:
    """Does the day's pacing cap (每日预算上限) leave room for ``cost``?"""
    return daily_cap is None or spent_today + cost <= daily_cap


def within_limit(count: int, limit: int | None) -> bool:
    """Another award allowed when ``count`` have been made against ``limit`` (None: unlimited)."""
    return limit is None or count < limit


def draw(prizes: Sequence[PrizeState], budget_left: int | None, rng: random.Random) -> tuple[PrizeState, int]:
    """The whole draw against a snapshot: (prize, amount in fen). Refuses nothing: the
    fallback is returned even when it does not fit (the caller's conditional write decides)."""
    chosen = pick_prize(prizes, budget_left, rng) or fallback_of(prizes)
    return chosen, cash_amount(chosen, rng)


def day_key(local: dt.datetime) -> str:
    """The tenant-local day a counter belongs to (ISO date)."""
    return local.date().isoformat()


def config_problems(prizes: Sequence[Mapping[str, object]]) -> list[tuple[str, str, str]]:
    """(field, message, code) for a prize pool that cannot be published: none, or not exactly
    one fallback."""
    fallbacks = [i for i, p in enumerate(prizes) if p.get("fallback")]
    if not prizes:
        return [("prizes", "a campaign needs prizes", "no_prizes")]
    if len(fallbacks) != 1:
        return [("prizes", "exactly one prize must be the guaranteed fallback (保底奖)", "fallback_count")]
    return []


Problem = tuple[str, str, str]  # (field, message, code): a platform FieldError's arguments
COUPON_KINDS = frozenset({"coupon", "product_coupon"})


def _least_cost_field(prize: Mapping[str, object]) -> str:
    """The field holding the least a prize costs: ``amount_fen``, ``min_fen`` or ``cost_fen``."""
    if prize.get("kind") != "cash":
        return "cost_fen"
    return "amount_fen" if prize.get("amount_fen") is not None else "min_fen"


def payable_problems(prizes: Sequence[Mapping[str, Any]], budget_fen: int) -> list[Problem]:
    """Prizes that can never be given: a coupon that names no coupon (``coupon_ref``); a fallback
    (保底奖) whose least cost is above the campaign's budget or its own — then no scan is ever
    paid, though the pool looks complete."""
    problems: list[Problem] = []
    for i, prize in enumerate(prizes):
        if prize.get("kind") in COUPON_KINDS and not str(prize.get("coupon_ref") or "").strip():
            problems.append((f"prizes.{i}.coupon_ref", "a coupon prize names the coupon it gives", "missing"))
        if not prize.get("fallback"):
            continue
        field = _least_cost_field(prize)
        least, own = int(prize.get(field) or 0), prize.get("budget_fen")
        if least > budget_fen:
            problems.append((f"prizes.{i}.{field}", f"the fallback costs {least} fen, more than the campaign's "
                             f"budget_fen ({budget_fen})", "above_budget"))  # fmt: skip
        if own is not None and own < least:
            problems.append((f"prizes.{i}.budget_fen", f"below what one fallback costs ({least} fen)", "below_cost"))
    return problems


def period_problems(
    starts_at: dt.datetime | None, ends_at: dt.datetime | None, now: dt.datetime | None
) -> list[Problem]:
    """The end must follow the start; with ``now`` (an edit that moves the end) it must not have
    passed either: a published campaign whose end passed has ended for good."""
    if ends_at is None:
        return []
    if starts_at is not None and ends_at <= starts_at:
        return [("ends_at", "must be after starts_at", "order")]
    if now is not None and ends_at < now:
        return [("ends_at", "must not be in the past (a passed end ends the campaign for good)", "past")]
    return []


def is_member_level(level: str) -> bool:
    """Member levels are integers (VIP0 = ``"0"`` …), as schemas.Targeting normalises them."""
    return level.isascii() and level.isdigit() and str(int(level)) == level


def document_problems(
    budget_fen: int, daily_cap_fen: int | None, scope: Mapping[str, Any], targeting: Mapping[str, Any],
    limits: Mapping[str, Any],
) -> list[Problem]:  # fmt: skip
    """What the budget, scope, targeting and limits (schemas' documents dumped) say that no
    campaign can mean: a daily cap above the budget, overlapping serial ranges, a holiday-only
    campaign without holidays (never eligible), member levels that are not levels, more awards a
    day than in total."""
    problems: list[Problem] = []
    if daily_cap_fen is not None and daily_cap_fen > budget_fen:
        problems.append(("daily_cap_fen", f"above budget_fen ({budget_fen})", "above_budget"))
    ranges = sorted((r["first"], r["last"], i) for i, r in enumerate(scope.get("serial_ranges", ())))
    reach: tuple[int, int] | None = None  # the furthest last serial so far, and its range
    for first, last, i in ranges:
        if reach is not None and first <= reach[0]:
            problems.append((f"scope.serial_ranges.{i}", f"overlaps serial_ranges.{reach[1]}", "overlap"))
        if reach is None or last > reach[0]:
            reach = (last, i)
    if targeting.get("holiday_mode") == "only" and not targeting.get("holidays"):
        problems.append(("targeting.holidays", "holiday_mode 'only' needs the holidays", "missing"))
    problems += [
        (f"targeting.member_levels.{i}", f"'{level}' is not a member level (an integer: 0 for VIP0 …)", "not_level")
        for i, level in enumerate(targeting.get("member_levels", ()))
        if not is_member_level(str(level))
    ]
    day, total = limits.get("per_person_day"), limits.get("per_person_total")
    if day is not None and total is not None and day > total:
        problems.append(("limits.per_person_day", f"above per_person_total ({total})", "above_total"))
    return problems


# budget slices ----------------------------------------------------------------------------------

MAX_SLICES = 32  # a campaign's spend counters are split in at most this many
SLICE_FEN = 100_000  # and each slice holds at least 1,000 yuan of the budget (small budgets: one row)


def slice_count(budget_fen: int) -> int:
    """How many slices a campaign of ``budget_fen`` has (fixed when it is published)."""
    return max(1, min(MAX_SLICES, budget_fen // SLICE_FEN))


def quotas(cap: int | None, n: int) -> list[int | None]:
    """A period's cap split evenly in ``n`` slice quotas (the remainder to the first slices)."""
    return [None if cap is None else cap // n + (1 if k < cap % n else 0) for k in range(n)]


def requota(slices: Sequence[tuple[int | None, int]], cost: int) -> tuple[int, list[int | None]] | None:
    """Which slice of (quota, spent) takes ``cost``, and the slices' new quotas: the one with the
    most room left gets ``cost`` more than an even share of the room left, the others an even
    share; the quotas' sum does not change. None when together they have less room than
    ``cost``. Uncapped slices (quota None) stay so (the first takes it)."""
    if any(cap is None for cap, _ in slices):
        return 0, [cap for cap, _ in slices]
    room = [int(cap or 0) - spent for cap, spent in slices]
    first = max(range(len(slices)), key=lambda k: room[k])
    left = sum(room) - cost
    if left < 0:
        return None
    even = quotas(left, len(slices))
    order = [first, *(k for k in range(len(slices)) if k != first)]
    new: list[int | None] = [0] * len(slices)
    for rank, k in enumerate(order):
        new[k] = slices[k][1] + int(even[rank] or 0) + (cost if rank == 0 else 0)
    return first, new


def resized(slices: Sequence[tuple[int | None, int]], cap: int | None) -> list[int | None]:
    """Quotas of slices of (quota, spent) after their period's cap became ``cap`` (None: no cap):
    each keeps what it spent and an even share of the room left (none when the cap is below
    what was spent: nothing more is taken)."""
    if cap is None:
        return [None] * len(slices)
    even = quotas(max(cap - sum(spent for _, spent in slices), 0), len(slices))
    return [spent + int(share or 0) for (_, spent), share in zip(slices, even, strict=True)]
