"""Geo's request and response shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from yima.geo.rules import Level
from yima.platform.types import RequestBody

RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class RegionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description="GB/T 2260 code, 6 digits")
    name: str
    level: Level
    parent_code: str | None
    province_code: str
    city_code: str | None = Field(description="the city-level code (a placeholder such as 市辖区 in municipalities)")
    full_name: str = Field(description="province, city and region names, placeholders left out")
    lon: float | None = Field(description="centroid longitude; null for some placeholders")
    lat: float | None


class RegionFilter(BaseModel):
    parent: RegionCode | None = Field(default=None, description="children of this region")
    level: Level | None = None
    # No control characters: PostgreSQL refuses a NUL in text, and no region name has one.
    q: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$")
        ]
        | None
    ) = Field(default=None, description="part of the name or full name, e.g. 西湖")


class RegionRef(BaseModel):
    code: str
    name: str


class Located(BaseModel):
    lat: float
    lon: float
    region: RegionRead | None = Field(
        description="the county-level region whose centroid is nearest (a district, or a city or SAR without "
        "districts); null outside China: outside its bounding box or over 500 km from every county seat"
    )
    distance_km: float | None = Field(description="from the point to the region's centroid")


class AddressQuery(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"address": "浙江省杭州市西湖区文三路 90 号"}]})

    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ParsedAddress(BaseModel):
    address: str
    code: str | None = Field(description="the most specific region found")
    level: Level | None
    full_name: str | None
    province: RegionRef | None
    city: RegionRef | None
    district: RegionRef | None
    detail: str = Field(description="the rest of the address after the last region name")
    named: list[Level] = Field(description="levels named in the text itself; the others are inferred")
    confidence: float = Field(
        ge=0,
        le=1,
        description="1.0: the region and a level above it were named; 0.8: named alone, unique name; "
        "0.6: inferred only; 0.5: named alone, a name several regions share; 0: nothing found",
    )


class LoadResult(BaseModel):
    total: int
    inserted: int
    updated: int
    unchanged: int
