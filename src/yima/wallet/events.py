"""What the wallet publishes (other contexts may tell the person, or count)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PayoutSucceeded:
    payout_id: int
    person_id: int
    amount_fen: int


@dataclass(frozen=True)
class PayoutFailed:
    payout_id: int
    person_id: int
    amount_fen: int
    reason: str
