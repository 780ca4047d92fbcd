"""What the trace context tells the others (past tense; published through the outbox)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DiversionFound:
    """窜货: a unit found outside the territory of the dealer it was shipped to. The regional
    managers of the region are alerted; rebates withhold the rebates of these goods."""

    diversion_id: int
    serial: int
    dealer_id: int
    region_code: str
    distance_km: float | None
    source: str
    found_at: dt.datetime


@dataclass(frozen=True)
class GoodsReceived:
    """收货 / 签收: a dealer or a store took the units in (pallets, cases or bottles as scanned).
    ``dealer_id`` is, for a store's receipt, the dealer answerable for the goods (the shipper,
    else the store's own). Rebates hold and release the dealers' Bb rebates on it."""

    event_id: str
    receiver_kind: str
    receiver_id: int
    dealer_id: int | None
    serials: list[int]
    received_at: dt.datetime
