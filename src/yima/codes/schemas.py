"""Codes' request and response shapes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from yima.codes.rules import MAX_BATCH
from yima.platform.types import RefId, RequestBody

Level = Literal["bottle", "case", "pallet"]
FaceName = Literal["outer", "inner"]
ExportFormat = Literal["csv", "xlsx", "qr_svg_zip", "qr_png_zip", "pdf"]
BlockKind = Literal["void", "blacklist"]
BlockReason = Literal["misprint", "stolen", "too_many_scans", "damaged", "other"]
SupplierKind = Literal["cap_factory", "carton_printer", "production_line", "other"]
Text120 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Serial = Annotated[int, Field(ge=1, le=10**12 - 1)]
PrintedCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SupplierCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "茅台镇瓶盖厂", "kind": "cap_factory", "contact": "王经理 13800000000"}]
        }
    )

    name: Text120
    kind: SupplierKind
    contact: Annotated[str, StringConstraints(max_length=120)] = ""


class SupplierUpdate(RequestBody):
    name: Text120 | None = None
    contact: Annotated[str, StringConstraints(max_length=120)] | None = None
    is_active: bool | None = None


class SupplierRead(ReadModel):
    id: int
    name: str
    kind: str
    contact: str
    is_active: bool


class BatchCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"level": "bottle", "quantity": 1000, "supplier_id": 1, "note": "2026 春节批次"}]
        }
    )

    level: Level
    quantity: Annotated[int, Field(ge=1, le=MAX_BATCH)]
    supplier_id: RefId
    faces: list[FaceName] | None = Field(default=None, min_length=1, description="Defaults by level")
    product_id: RefId | None = Field(
        default=None, description="The intended product, when known at print time: enables Digital Link URLs"
    )
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class BatchCounts(BaseModel):
    activated: int
    voided: int
    blacklisted: int
    packed: int


class BatchRead(ReadModel):
    id: int
    level: str
    faces: list[str]
    quantity: int
    first_serial: int
    last_serial: int
    supplier_id: int
    product_id: int | None
    gtin: str | None = Field(default=None, description="the GTIN its Digital Links carry (fixed when it was made)")
    state: str
    job_id: int | None
    note: str
    legacy: bool
    created_by: str
    created_at: dt.datetime
    generated_at: dt.datetime | None
    exported_at: dt.datetime | None
    received_at: dt.datetime | None
    voided_at: dt.datetime | None
    void_reason: str | None
    counts: BatchCounts | None = None


class BatchFilter(BaseModel):
    level: Level | None = None
    state: str | None = Field(default=None, max_length=20)
    supplier_id: RefId | None = None


class BatchVoid(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "印刷厂丢失整批标签 lost at the printer"}]})

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ExportCreate(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"format": "csv"}]})

    format: ExportFormat = "csv"
    supplier_id: RefId | None = Field(default=None, description="Defaults to the batch's")


class ExportRead(ReadModel):
    id: int
    batch_id: int
    supplier_id: int
    format: str
    state: str
    file_name: str
    size_bytes: int
    sha256: str
    job_id: int | None
    downloads: int
    error: str | None
    created_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ExportCreated(ExportRead):
    package_key: str = Field(description="Opens the package. Shown once, never stored once the package is built.")


class BatchCreated(BatchRead):
    export: ExportCreated


class SerialRange(RequestBody):
    serial_from: Serial
    serial_to: Serial

    @model_validator(mode="after")
    def _ordered(self) -> SerialRange:
        if self.serial_to < self.serial_from:
            raise ValueError("serial_to is before serial_from")
        return self


class CodeSelection(RequestBody):
    """Which codes: a serial range, or a list of printed codes (tokens, URLs, legacy codes)."""

    range: SerialRange | None = None
    codes: list[PrintedCode] | None = Field(default=None, min_length=1, max_length=100_000)

    @model_validator(mode="after")
    def _one_way(self) -> CodeSelection:
        if (self.range is None) == (self.codes is None):
            raise ValueError("give either range or codes")
        return self


class ActivationCreate(CodeSelection):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "range": {"serial_from": 1, "serial_to": 100},
                    "product_id": 1,
                    "lot": "L20261123",
                    "production_date": "2026-11-23",
                    "line": "灌装一线",
                }
            ]
        }
    )

    product_id: RefId
    lot: Annotated[str, StringConstraints(max_length=60)] = ""
    production_date: dt.date | None = None
    line: Annotated[str, StringConstraints(max_length=60)] = ""
    source: Literal["line", "shipment", "api"] = "api"


class AssignmentRead(ReadModel):
    id: int
    batch_id: int
    serial_from: int
    serial_to: int
    product_id: int
    lot: str
    production_date: dt.date | None
    line: str
    source: str
    activated_by: str
    activated_at: dt.datetime


class BlockCreate(CodeSelection):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"range": {"serial_from": 5, "serial_to": 9}, "kind": "void", "reason": "misprint"}]
        }
    )

    kind: BlockKind
    reason: BlockReason
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class BlockRead(ReadModel):
    id: int
    serial_from: int
    serial_to: int
    kind: str
    reason: str
    note: str
    created_by: str
    created_at: dt.datetime


class ProductBrief(BaseModel):
    id: int
    sku: str
    name: str
    gtin: str | None


class UnitRef(BaseModel):
    serial: int
    level: str
    packed_at: dt.datetime | None = Field(None, description="when the unit below was put into this one")


class ResolvedCode(BaseModel):
    """Everything the code system knows of one printed code."""

    input_kind: str
    serial: int
    face: str | None
    level: str
    batch_id: int
    state: str
    block_reason: str | None
    product: ProductBrief | None
    lot: str | None
    production_date: dt.date | None
    parents: list[UnitRef]
    children_count: int
    url: str | None


class PackOperation(RequestBody):
    parent: PrintedCode
    children: list[PrintedCode] = Field(min_length=1, max_length=1000)


class PackRequest(RequestBody):
    """产线关联采集: what a line's equipment reports — parents, each with the children packed into
    it, as the printed strings it scanned (token, URL, Digital Link, legacy code)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "operations": [
                        {
                            "parent": "https://m.brand.cn/C/A7K0E3RTW9XG5H2M8D4Q",
                            "children": ["A7K3FQ8ZD1N6VJ0T2CWR", "A7K9M2XK4H7PB5S0G8ET"],
                        }
                    ]
                }
            ]
        }
    )

    operations: list[PackOperation] = Field(min_length=1, max_length=2000)


class UnpackRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"codes": ["https://m.brand.cn/C/A7K0E3RTW9XG5H2M8D4Q"]}]}
    )

    codes: list[PrintedCode] = Field(min_length=1, max_length=10_000, description="Parents to empty")


class PackResult(BaseModel):
    parents: int
    links: int
    new_links: int = Field(default=0, description="Links this request made; the others were in place already")


class UnpackResult(BaseModel):
    parents: int
    links_removed: int


class ChildUnit(BaseModel):
    serial: int
    level: str
    face: str | None = Field(description="The face ``url`` is printed on: outer when the unit has one")
    url: str | None = Field(description="What is printed on that face: the token URL, or the legacy code")


class UnitChildren(BaseModel):
    serial: int
    level: str
    children: list[ChildUnit]


# legacy imports ------------------------------------------------------------------------------


class LegacyImportCreate(BaseModel):
    level: Level
    supplier_id: RefId
    face: FaceName = Field(default="inner", description="The face of rows whose face column is empty or missing")


class LegacyProblem(BaseModel):
    line: int = Field(description="Line (CSV) or row (XLSX) of the file; 0 for the file as a whole")
    field: str
    message: str
    code: str


class LegacyImportRead(ReadModel):
    id: int
    file_name: str
    level: str
    supplier_id: int
    default_face: str
    state: str = Field(description="queued, validating, validated, importing, done or failed")
    rows_total: int
    rows_done: int
    problem_count: int = Field(description="All problems found; ``problems`` keeps the first 1,000")
    problems: list[LegacyProblem]
    batch_id: int | None
    job_id: int | None
    created_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
