"""The regions table: GB/T 2260 reference data, global (the same for every brand)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from yima.platform.db.base import Base


class Region(Base):
    """A province, city or district (county-level region) of GB/T 2260, keyed by its 6-digit code."""

    __tablename__ = "regions"
    __table_args__ = (Index("ix_regions_parent_code", "parent_code"), Index("ix_regions_level", "level"))

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(10))  # province | city | district
    parent_code: Mapped[str | None] = mapped_column(String(6), ForeignKey("regions.code"))
    province_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str | None] = mapped_column(String(6))
    full_name: Mapped[str] = mapped_column(String(200))  # "浙江省 杭州市 西湖区"
    # The centroid (the seat, in cpca's data); None for some placeholders and abolished regions.
    lon: Mapped[float | None]
    lat: Mapped[float | None]
