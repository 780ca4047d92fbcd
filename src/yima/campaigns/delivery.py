"""The shapes of physical gifts' delivery (实物奖品发货), beside schemas.py to keep that file
short. Other contexts import them from ``yima.campaigns.service.gifts``, which re-exports them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from yima.geo.schemas import RegionCode
from yima.platform.types import MAX_ID, RequestBody

GiftState = Literal["pending", "shipped"]
Mobile = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^1[3-9][0-9]{9}$")]
Line = r"^[^\x00-\x1f\x7f]*$"  # one line of text: no control characters (PostgreSQL refuses NUL)


class GiftAddress(RequestBody):
    """收货地址 for a gift won: recipient, mainland mobile number, the region (GB/T 2260, a
    district best) when the page offers one, and the rest of the address."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "recipient_name": "张三",
                    "phone": "13800138000",
                    "region_code": "510104",
                    "address": "春熙路 1 号 2 栋 301",
                }
            ]
        },
    )

    recipient_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=Line)]
    phone: Mobile = Field(description="11-digit mainland mobile number")
    region_code: RegionCode | None = Field(default=None, description="GB/T 2260 region (district), optional")
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=200, pattern=Line)] = (
        Field(description="street, building, room")
    )


class GiftShipment(RequestBody):
    """发货: the carrier's tracking number (and the carrier's name)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"tracking_no": "SF1234567890", "carrier": "顺丰"}]})

    tracking_no: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]{4,40}$")]
    carrier: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=Line)] | None = None


class GiftDeliveryRead(BaseModel):
    """A gift's delivery: the address given (personal information: for the winner and the staff
    who ship it) and its shipping. Times in the brand's time zone."""

    id: int
    award_id: int
    campaign_id: int
    prize_name: str
    recipient_name: str
    phone: str
    region_code: str | None
    region_name: str | None
    address: str
    state: GiftState
    carrier: str | None
    tracking_no: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    shipped_at: dt.datetime | None
    shipped_by: str | None


class GiftStatus(BaseModel):
    """A gift the person won, as their wallet shows it: ``address_needed`` until they give the
    address, then ``pending`` (to be shipped; the address may still be corrected), ``shipped``."""

    award_id: int
    prize_name: str
    won_at: dt.datetime
    state: Literal["address_needed", "pending", "shipped"]
    delivery: GiftDeliveryRead | None = None


class GiftDeliveryFilter(BaseModel):
    state: GiftState = "pending"
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)
