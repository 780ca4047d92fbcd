"""Analytics' answers: channel inventory (渠道库存), goods age (货龄), diversion counts (窜货)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Group = Literal["dealer", "store", "product", "region"]
RegionLevel = Literal["province", "city"]


class InventoryFilter(BaseModel):
    group: Group = "dealer"
    dealer_id: int | None = Field(default=None, ge=1, le=2**63 - 1, description="Only this dealer and its stores")
    product_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    region_level: RegionLevel = Field(default="city", description="For group=region")


class InventoryRow(BaseModel):
    """Bottles: ``stock = received − shipped − consumed``; ``age`` splits the stock by 货龄."""

    key: str = Field(description="dealer:{id}, store:{id}, product:{id} or region:{code}")
    kind: str
    id: int | None = None
    code: str | None = None
    name: str
    region_code: str | None = None
    received: int = 0
    shipped: int = 0
    consumed: int = 0
    stock: int = 0
    age: dict[str, int] = Field(default_factory=dict, description="bucket (0-30, 31-90, 91-180, 180+ days) → bottles")


class InventoryReport(BaseModel):
    group: Group
    buckets: list[str]
    rows: list[InventoryRow]
    total: InventoryRow
    consumption_current: bool = Field(
        default=True,
        description="False while consumer scans are still being taken in (a background job "
        "catches up): the consumed figures lag",
    )


class DiversionSummaryRow(BaseModel):
    key: str
    name: str
    open: int = 0
    confirmed: int = 0
    dismissed: int = 0
    total: int = 0


class DiversionSummary(BaseModel):
    group: Group
    rows: list[DiversionSummaryRow]
    total: DiversionSummaryRow
