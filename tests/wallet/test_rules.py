"""The wallet's pure rules, without a database."""

from __future__ import annotations

import pytest

from yima.wallet import rules
from yima.wallet.providers.base import BatchReport, DetailReport

LIMITS = rules.Limits(min_withdrawal_fen=10, max_transfer_fen=20_000, daily_cap_fen=50_000)


@pytest.mark.parametrize(
    ("amount", "bps", "fee", "charge"),
    [(10_000, 60, 60, 10_060), (1_000, 60, 6, 1_006), (83, 60, 0, 83), (84, 60, 1, 85), (250, 100, 3, 253),
     (249, 100, 2, 251), (1, 10_000, 1, 2), (12_345, 0, 0, 12_345)],
)  # fmt: skip
def test_the_charge_is_the_payout_times_one_plus_the_fee_rate(amount: int, bps: int, fee: int, charge: int) -> None:
    assert (rules.fee_of(amount, bps), rules.charge_of(amount, bps)) == (fee, charge)


@pytest.mark.parametrize(
    ("amount", "today", "code"),
    [(9, 0, "below_minimum"), (10, 0, None), (20_000, 0, None), (20_001, 0, "above_maximum"),
     (20_000, 30_000, None), (20_000, 30_001, "daily_cap_exceeded")],
)  # fmt: skip
def test_wechats_rules(amount: int, today: int, code: str | None) -> None:
    problem = rules.withdrawal_problem(amount, LIMITS, today)
    assert (problem[0] if problem else None) == code


def test_a_brand_may_not_go_below_wechats_minimum_nor_reach_the_real_name_threshold() -> None:
    assert rules.withdrawal_problem(5, rules.Limits(1, 100, 100), 0) == (
        "below_minimum",
        "a withdrawal is at least 0.10 yuan",
    )
    fields = [f for f, _ in rules.limits_problems(rules.Limits(5, 200_000, 1))]
    assert fields == ["min_withdrawal_fen", "max_transfer_fen", "daily_cap_fen"]
    assert rules.limits_problems(LIMITS) == []


def test_every_movement_balances_and_locks_in_one_order() -> None:
    for legs in (rules.fund_legs(5), rules.allocate_legs(1, 5), rules.award_legs(1, 2, 5),
                 rules.withdraw_legs(2, 500, 3), rules.paid_legs(500), rules.failed_legs(2, 500, 3)):  # fmt: skip
        ordered = rules.check_legs(legs)
        assert sum(leg.amount for leg in ordered) == 0
        assert [leg.rank for leg in ordered] == sorted(leg.rank for leg in ordered)
    assert [leg.kind for leg in rules.check_legs(rules.withdraw_legs(2, 500, 0))] == ["participant", "payout_transit"]
    with pytest.raises(ValueError, match="sum to zero"):
        rules.check_legs([rules.brand("brand_cash", 5), rules.budget(1, -4)])


def test_a_fingerprint_tells_a_retry_from_another_request() -> None:
    one = rules.fingerprint("award", rules.award_legs(1, 2, 5))
    assert one == rules.fingerprint("award", list(reversed(rules.award_legs(1, 2, 5))))
    assert one != rules.fingerprint("award", rules.award_legs(1, 3, 5))


def test_numbers_at_the_provider_come_from_our_ids() -> None:
    assert (rules.out_batch_no(3, 41), rules.out_detail_no(3, 907)) == ("YM3B41", "YM3D907")
    assert len(rules.out_batch_no(2**31, 2**62)) <= 32
    assert [len(c) for c in rules.chunks(list(range(2_345)))] == [1_000, 1_000, 345]


def test_the_payout_state_machine() -> None:
    assert rules.can_move("requested", "submitted") and rules.can_move("submitted", "failed")
    assert not rules.can_move("requested", "succeeded") and not rules.can_move("succeeded", "failed")
    assert not rules.can_move("failed", "succeeded")


def test_settlements_from_a_report() -> None:
    open_payouts = {"D1": 1, "D2": 2, "D3": 3}
    report = BatchReport(True, "FINISHED", "B", details=(
        DetailReport("D1", "SUCCESS"), DetailReport("D2", "FAIL", fail_reason="ACCOUNT_FROZEN"),
        DetailReport("D3", "PROCESSING"), DetailReport("D9", "SUCCESS"),
    ))  # fmt: skip
    assert [(s.payout_id, s.outcome, s.code) for s in rules.settlements(report, open_payouts)] == [
        (1, "succeeded", ""), (2, "failed", "ACCOUNT_FROZEN"),
    ]  # fmt: skip
    closed = BatchReport(True, "CLOSED", "B", close_reason="OVERDUE_CLOSE")
    assert {(s.outcome, s.code) for s in rules.settlements(closed, open_payouts)} == {("failed", "OVERDUE_CLOSE")}
    assert rules.settlements(BatchReport(False), open_payouts) == []


@pytest.mark.parametrize(("text", "fen"), [
    ("12", 1_200), ("12.5", 1_250), ("0.01", 1), ("¥1,234.56", 123_456), ("12,345,678", 1_234_567_800),
])  # fmt: skip
def test_yuan_to_fen(text: str, fen: int) -> None:
    assert rules.parse_yuan(text) == fen


# A decimal comma or a stray one is refused, never read as a hundred times the amount.
@pytest.mark.parametrize("text", ["1.234", "-1", "abc", "", "1e3", "1,50", "0,10", "1,0,0", "1000,000", ",100"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        rules.parse_yuan(text)


def test_fen_to_yuan() -> None:
    assert (rules.yuan(123_456), rules.yuan(5), rules.yuan(-1_000)) == ("1,234.56", "0.05", "-10.00")
