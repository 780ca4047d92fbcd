"""The campaigns' errors: each leaves the draw's counters, stock and budget as they were."""

from __future__ import annotations

from yima.platform.errors import Conflict, FieldError


class WrongState(Conflict):
    """The campaign's state does not allow this (publish a running one, edit an ended one)."""

    code = "campaign_state"


class NotRunning(Conflict):
    """The campaign is not running now (draft, scheduled, paused or ended)."""

    code = "campaign_not_running"


class NotEligible(Conflict):
    """The scan is outside the campaign's audience or targeting; details name each reason."""

    code = "not_eligible"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            f"the scan is outside the campaign's targeting: {', '.join(reasons)}",
            [FieldError(r, "outside the targeting", "not_targeted") for r in reasons],
        )


class AlreadyAwarded(Conflict):
    """This code has made all the awards it may for this role (一码一奖 / 一码多扫 N 次)."""

    code = "already_awarded"


class PersonLimitReached(Conflict):
    """The person has won as often as the campaign allows today or in total."""

    code = "person_limit"


class BudgetExhausted(Conflict):
    """Not even the fallback prize fits the budget or today's pacing cap (预算已用完)."""

    code = "budget_exhausted"
