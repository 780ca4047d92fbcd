"""What the codes context tells the others (past tense; published through the outbox).

Traceability records each as EPCIS 2.0 AggregationEvents; codes itself never imports it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitsPacked:
    """产线关联采集: children put into parents (only links that were not in place before)."""

    at: dt.datetime
    links: list[tuple[int, int]]  # (child serial, parent serial)
    by: str  # who packed: a staff member's or a line client's name


@dataclass(frozen=True)
class UnitsUnpacked:
    """拆箱: parents emptied; ``links`` are the (child, parent) pairs that were undone."""

    at: dt.datetime
    links: list[tuple[int, int]]
    by: str
