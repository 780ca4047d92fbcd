"""The wallet's pure rules: accounts and the legs of each movement, fee maths, WeChat's payout
rules, the payout state machine, settling from a provider's report, reconciliation, yuan ↔ fen.

No I/O: the service fetches the facts and writes what these functions decide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from yima.platform.money import yuan as yuan  # re-exported: wallet's edges and service write ``rules.yuan``
from yima.wallet.providers.base import BatchReport, DetailReport

# accounts ------------------------------------------------------------------------------------

CNY = "CNY"  # fen (分); the only currency wallet opens accounts in (points stay in members)
Kind = Literal["funding", "brand_cash", "budget", "participant", "payout_transit", "paid_out", "fee_income"]
KINDS: tuple[Kind, ...] = (
    "funding",  # 充值来源: the far side of the brand's deposits; negative = all it ever paid in
    "brand_cash",  # 品牌资金余额: the brand's prepaid balance, not yet given to a budget
    "budget",  # 预算: one per campaign or rebate policy (owner_kind/owner_ref)
    "participant",  # 参与者钱包: a person's winnings, until withdrawn
    "payout_transit",  # 提现在途: withdrawals handed to the provider, not yet settled
    "paid_out",  # 已付出: money that left through a provider
    "fee_income",  # 平台服务费收入: the platform's service fees
)
SINGLETONS: frozenset[str] = frozenset({"funding", "brand_cash", "payout_transit", "paid_out", "fee_income"})
NEGATIVE_ALLOWED: frozenset[str] = frozenset({"funding"})
# Every journal updates its accounts in this order (then by id): two journals never wait on each
# other's rows in opposite orders, so PostgreSQL never has to break a deadlock.
# The order a journal's entries are written and shown in.
ENTRY_RANK = {kind: rank for rank, kind in enumerate(
    ("budget", "participant", "brand_cash", "funding", "payout_transit", "fee_income", "paid_out")
)}  # fmt: skip
# The order accounts are locked in: a person's wallet before a budget, so an award locks the
# budget, which every scan of a campaign shares, one statement later (one round trip less).
LOCK_RANK = {kind: rank for rank, kind in enumerate(
    ("participant", "budget", "brand_cash", "funding", "payout_transit", "fee_income", "paid_out")
)}  # fmt: skip
PERSON = "person"
JournalKind = Literal[
    "fund", "allocate", "release", "award", "merge", "withdraw", "payout_paid", "payout_failed", "rebalance"
]
MAX_SLICES = 32  # more slices: fewer scans in flight queue on one row; more cost the slow path a longer sweep


@dataclass(frozen=True)
class Leg:
    """One side of a movement: ``amount`` signed fen on an account named either by id (a
    budget) or by its natural key (kind + owner: the brand-level accounts, a person's wallet)."""

    kind: str
    amount: int
    account_id: int | None = None
    owner_kind: str = ""
    owner_ref: str = ""
    # A debit of a budget's slice: the budget's slices that may take it, in the order tried,
    # ``account_id`` first; on PostgreSQL the first one no other transaction holds (SKIP LOCKED).
    alternatives: tuple[int, ...] = ()

    @property
    def guarded(self) -> bool:
        """A debit of an account that may not go negative: written only if the money is there."""
        return self.amount < 0 and self.kind not in NEGATIVE_ALLOWED

    @property
    def rank(self) -> tuple[int, int, str]:
        return LOCK_RANK[self.kind], self.account_id or 0, self.owner_ref

    def label(self) -> str:
        return f"{self.kind}:{self.account_id or ''}:{self.owner_kind}:{self.owner_ref}"


def brand(kind: Kind, amount: int) -> Leg:
    return Leg(kind, amount)


def budget(account_id: int, amount: int) -> Leg:
    return Leg("budget", amount, account_id=account_id)


def person(person_id: int, amount: int) -> Leg:
    return Leg("participant", amount, owner_kind=PERSON, owner_ref=str(person_id))


def check_legs(legs: Sequence[Leg]) -> list[Leg]:
    """The legs in lock order, without zero legs; refuses a movement that does not balance."""
    kept = [leg for leg in legs if leg.amount != 0]
    if len(kept) < 2 or sum(leg.amount for leg in kept) != 0:
        raise ValueError(f"a journal's entries must sum to zero: {[(leg.label(), leg.amount) for leg in legs]}")
    if any(leg.kind not in LOCK_RANK for leg in kept):
        raise ValueError("unknown account kind")
    return sorted(kept, key=lambda leg: leg.rank)


def fingerprint(kind: str, legs: Sequence[Leg], ref: str = "") -> str:
    """What a retry must repeat exactly: kind, accounts, amounts and reference."""
    text = "|".join([kind, ref, *(f"{leg.label()}={leg.amount}" for leg in sorted(legs, key=lambda g: g.rank))])
    return hashlib.sha256(text.encode()).hexdigest()


def fund_legs(amount: int) -> list[Leg]:
    return [brand("funding", -amount), brand("brand_cash", amount)]


def allocate_legs(budget_id: int, amount: int) -> list[Leg]:
    return [brand("brand_cash", -amount), budget(budget_id, amount)]


def release_legs(budget_id: int, amount: int) -> list[Leg]:
    return [budget(budget_id, -amount), brand("brand_cash", amount)]


def award_legs(budget_id: int, person_id: int, amount: int) -> list[Leg]:
    return [budget(budget_id, -amount), person(person_id, amount)]


def share(total: int, n: int, k: int) -> int:
    """Slice ``k``'s part of ``total`` split in ``n`` (equal parts, the remainder to the first)."""
    return total // n + (1 if k < total % n else 0)


def spread(held: Sequence[int], need: int) -> list[int] | None:
    """What each of the slices holding ``held`` should hold so that the first can pay ``need``
    and the rest stay even: the total does not change. None when together they hold less."""
    total = sum(held)
    if total < need:
        return None
    rest = total - need
    return [share(rest, len(held), k) + (need if k == 0 else 0) for k in range(len(held))]


def merge_legs(from_person_id: int, into_person_id: int, amount: int) -> list[Leg]:
    return [person(from_person_id, -amount), person(into_person_id, amount)]


def withdraw_legs(person_id: int, amount: int, fee: int) -> list[Leg]:
    """The person's money goes in transit; the brand pays the fee from its cash balance."""
    return [person(person_id, -amount), brand("payout_transit", amount), brand("brand_cash", -fee),
            brand("fee_income", fee)]  # fmt: skip


def paid_legs(amount: int) -> list[Leg]:
    return [brand("payout_transit", -amount), brand("paid_out", amount)]


def failed_legs(person_id: int, amount: int, fee: int) -> list[Leg]:
    """A failed payout undoes its request: the money back in the wallet, the fee back to the brand."""
    return [Leg(leg.kind, -leg.amount, leg.account_id, leg.owner_kind, leg.owner_ref)
            for leg in withdraw_legs(person_id, amount, fee)]  # fmt: skip


# fees and WeChat's rules ----------------------------------------------------------------------

MIN_TRANSFER_FEN = 10  # WeChat: at least 0.10 yuan a transfer
MAX_BATCH = 1000  # at most 1,000 transfers a batch
NAME_REQUIRED_FEN = 200_000  # from 2,000 yuan WeChat needs the payee's real name, which we do not collect
MAX_FEE_BPS = 10_000
SCENE_CASH_MARKETING = "1000"  # 现金营销
MAX_TEXT = 32  # batch name, batch remark and transfer remark: at most 32 characters


def fee_of(amount: int, fee_bps: int) -> int:
    """The platform's service fee on a payout, rounded half up to the fen (四舍五入)."""
    return (amount * fee_bps + 5_000) // 10_000


def charge_of(amount: int, fee_bps: int) -> int:
    """What a payout costs the brand: ``payout × (1 + fee rate)``."""
    return amount + fee_of(amount, fee_bps)


@dataclass(frozen=True)
class Limits:
    min_withdrawal_fen: int
    max_transfer_fen: int
    daily_cap_fen: int


def withdrawal_problem(amount: int, limits: Limits, withdrawn_today: int) -> tuple[str, str] | None:
    """Why a withdrawal of ``amount`` fen may not be made, as (code, message), or None.
    ``withdrawn_today`` counts the person's payouts of the brand's local day, failed ones excluded."""
    low = max(limits.min_withdrawal_fen, MIN_TRANSFER_FEN)
    if amount < low:
        return "below_minimum", f"a withdrawal is at least {yuan(low)} yuan"
    if amount > limits.max_transfer_fen:
        return "above_maximum", f"a withdrawal is at most {yuan(limits.max_transfer_fen)} yuan"
    if withdrawn_today + amount > limits.daily_cap_fen:
        left = max(limits.daily_cap_fen - withdrawn_today, 0)
        return "daily_cap_exceeded", f"at most {yuan(limits.daily_cap_fen)} yuan a day; {yuan(left)} yuan left today"
    return None


def limits_problems(limits: Limits) -> list[tuple[str, str]]:
    """(field, message) for settings that break WeChat's rules or each other."""
    problems = []
    if limits.min_withdrawal_fen < MIN_TRANSFER_FEN:
        problems.append(("min_withdrawal_fen", f"WeChat transfers are at least {MIN_TRANSFER_FEN} fen"))
    if limits.max_transfer_fen >= NAME_REQUIRED_FEN:
        problems.append(("max_transfer_fen", f"must stay below {NAME_REQUIRED_FEN} fen (WeChat then needs real names)"))
    if limits.max_transfer_fen < limits.min_withdrawal_fen:
        problems.append(("max_transfer_fen", "must not be below the minimum withdrawal"))
    if limits.daily_cap_fen < limits.min_withdrawal_fen:
        problems.append(("daily_cap_fen", "must not be below the minimum withdrawal"))
    return problems


def out_batch_no(tenant_id: int, batch_id: int) -> str:
    """The batch's number at the provider ([A-Za-z0-9], ≤ 32): the same on every retry."""
    return f"YM{tenant_id}B{batch_id}"


def out_detail_no(tenant_id: int, payout_id: int) -> str:
    return f"YM{tenant_id}D{payout_id}"


def chunks(ids: Sequence[int], size: int = MAX_BATCH) -> list[Sequence[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# the payout state machine ---------------------------------------------------------------------

PayoutStatus = Literal["requested", "submitted", "succeeded", "failed"]
PAYOUT_STATUSES: tuple[PayoutStatus, ...] = ("requested", "submitted", "succeeded", "failed")
PAYOUT_TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"submitted"}),
    "submitted": frozenset({"succeeded", "failed"}),
    "succeeded": frozenset(),
    "failed": frozenset(),
}
BatchState = Literal["submitting", "accepted", "finished", "closed", "rejected"]
# Refusals that mean the provider holds nothing: the payouts fail (their money goes back).
DEFINITIVE_REJECTIONS = frozenset({"PARAM_ERROR", "INVALID_REQUEST"})
SYNC_DELAY = dt.timedelta(seconds=60)


def can_move(current: str, target: str) -> bool:
    return target in PAYOUT_TRANSITIONS.get(current, frozenset())


def backoff(attempts: int) -> dt.timedelta:
    """How long before a batch without a trustworthy answer is tried again (after ``attempts``)."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3_600))


@dataclass(frozen=True)
class Settlement:
    payout_id: int
    outcome: Literal["succeeded", "failed"]
    code: str = ""
    message: str = ""
    detail_id: str | None = None


def settlements(report: BatchReport, open_payouts: dict[str, int]) -> list[Settlement]:
    """What a provider's report settles among the batch's unsettled payouts (``out_detail_no`` →
    payout id): a closed batch fails them all; a final detail settles its own payout."""
    if not report.found:
        return []
    if report.status == "CLOSED":
        reason = report.close_reason or "BATCH_CLOSED"
        return [Settlement(pid, "failed", reason, "the provider closed the batch") for pid in open_payouts.values()]
    found = []
    for detail in report.details:
        payout_id = open_payouts.get(detail.out_detail_no)
        if payout_id is None or detail.status == "PROCESSING":
            continue
        if detail.status == "SUCCESS":
            found.append(Settlement(payout_id, "succeeded", detail_id=detail.detail_id))
        else:
            reason = detail.fail_reason or "FAIL"
            found.append(Settlement(payout_id, "failed", reason, "the provider could not pay", detail.detail_id))
    return found


# reconciliation -------------------------------------------------------------------------------

Verdict = Literal["matched", "missing", "amount_mismatch", "status_mismatch", "pending", "unexpected"]


@dataclass(frozen=True)
class OurPayout:
    payout_id: int
    out_detail_no: str
    amount: int
    status: str


@dataclass(frozen=True)
class Line:
    verdict: Verdict
    out_detail_no: str
    payout_id: int | None
    ours_amount: int | None
    theirs_amount: int | None
    ours_status: str | None
    theirs_status: str | None


_EXPECTED = {"succeeded": "SUCCESS", "failed": "FAIL"}


def reconcile_batch(ours: Sequence[OurPayout], report: BatchReport) -> list[Line]:
    """Each of our payouts in a batch against the provider's report of it: matched, missing at
    the provider, another amount, another outcome, still pending on one side; and any detail the
    provider holds that we do not know (unexpected)."""
    theirs = {d.out_detail_no: d for d in report.details}
    lines = [_line(p, theirs.get(p.out_detail_no), report) for p in ours]
    known = {p.out_detail_no for p in ours}
    lines += [
        Line("unexpected", d.out_detail_no, None, None, d.amount, None, d.status)
        for d in report.details
        if d.out_detail_no not in known
    ]
    return lines


def _line(ours: OurPayout, theirs: DetailReport | None, report: BatchReport) -> Line:
    def make(verdict: Verdict) -> Line:
        return Line(verdict, ours.out_detail_no, ours.payout_id, ours.amount,
                    theirs.amount if theirs else None, ours.status, theirs.status if theirs else None)  # fmt: skip

    if theirs is None:
        # Ours failed (its money back in the wallet) and the provider holds no such transfer: a
        # batch it closed, or refused for good (it holds nothing): nobody was paid on either side.
        unfinished = report.found and report.status != "FINISHED"
        return make("matched" if ours.status == "failed" else "pending" if unfinished else "missing")
    if theirs.amount is not None and theirs.amount != ours.amount:
        return make("amount_mismatch")
    if theirs.status == "PROCESSING" or ours.status not in _EXPECTED:
        return make("pending")
    return make("matched" if _EXPECTED[ours.status] == theirs.status else "status_mismatch")


def tally(lines: Iterable[Line]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.verdict] = counts.get(line.verdict, 0) + 1
    return counts


# yuan and fen ---------------------------------------------------------------------------------

# Thousands separators only where they belong: "1,000.50" is 1000.50 yuan; "1,50" (a decimal
# comma) is refused, not read as 150 yuan.
_YUAN = re.compile(r"^\s*¥?\s*(\d{1,12}|\d{1,3}(?:,\d{3}){1,3})(?:\.(\d{1,2}))?\s*$")


def parse_yuan(text: str | float | Decimal) -> int:
    """ "12.5" → 1250 fen; refuses more than two decimals, negatives and junk (ValueError)."""
    if isinstance(text, float | Decimal):
        try:
            value = Decimal(str(text))
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {text!r}") from exc
        if value < 0 or value != value.quantize(Decimal("0.01")):
            raise ValueError(f"not an amount in yuan with at most two decimals: {text!r}")
        return int(value * 100)
    match = _YUAN.match(text)
    if not match:
        raise ValueError(f"not an amount in yuan with at most two decimals: {text!r}")
    return int(match.group(1).replace(",", "")) * 100 + int((match.group(2) or "0").ljust(2, "0"))
