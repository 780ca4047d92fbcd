"""Scans' request and response shapes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class ScanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    serial: int
    face: str | None
    level: str
    input_kind: str
    role: str
    state: str
    scanned_at: dt.datetime
    user_agent: str | None
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    region_code: str | None
    located_at: dt.datetime | None


class ScanFilter(BaseModel):
    code: str | None = Field(None, max_length=500, description="Any printed form of one code")


class ScanLocation(BaseModel):
    """Where the phone was, sent by the code page right after the scan (with the scanner's consent)."""

    code: str = Field(min_length=1, max_length=500, description="the code as scanned (its URL)")
    scan: int = Field(ge=1, le=2**62)
    proof: str = Field(min_length=16, max_length=64, pattern=r"^[0-9a-f]+$")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0, le=100_000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "https://example.cn/c/A7K0000000000000000",
                    "scan": 1,
                    "proof": "0" * 32,
                    "lat": 31.23,
                    "lon": 121.47,
                    "accuracy_m": 30,
                }
            ]
        }
    )


class Notice(BaseModel):
    code: str
    text: str


class CodePage(BaseModel):
    """What the public code page shows (防伪查询): the verdict and why to be careful."""

    verdict: str
    product_name: str | None
    product_sku: str | None
    level: str
    lot: str | None
    production_date: dt.date | None
    scan_count: int
    first_scanned_at: dt.datetime | None  # in the brand's time zone
    first_region: str | None
    warnings: list[Notice]
    scan_id: int
    proof: str
    brand_name: str
    code: str  # as scanned, for the location report
