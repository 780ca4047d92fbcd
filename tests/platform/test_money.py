"""The one fen → yuan formatter every console page, phone page, CLI and rules module uses."""

from __future__ import annotations

import pytest

from yima.platform.money import yuan


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (100, "1.00"),
        (123_456, "1,234.56"),
        (123_456_789, "1,234,567.89"),
        (-5, "-0.05"),  # not "-1.95" (floor division of a negative)
        (-250, "-2.50"),
        (-123_456, "-1,234.56"),
        (10**13, "100,000,000,000.00"),  # the largest amount the API takes, exactly
        (2**63 - 1, "92,233,720,368,547,758.07"),  # BIGINT's last fen: no float on the way
    ],
)
def test_integer_fen_is_formatted_exactly(fen: int, text: str) -> None:
    assert yuan(fen) == text


def test_no_amount_is_a_dash() -> None:
    assert yuan(None) == "—"


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (1234.4, "12.34"),
        (1234.6, "12.35"),
        (12.5, "0.12"),  # halves to even
        (13.5, "0.14"),
        (0.4, "0.00"),
        (-0.4, "0.00"),  # never "-0.00"
        (-1234.6, "-12.35"),
        (123_456_789.0, "1,234,567.89"),
    ],
)
def test_float_fen_is_rounded_to_the_nearest_fen(fen: float, text: str) -> None:
    assert yuan(fen) == text
