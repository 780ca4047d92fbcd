"""Pure rules of the catalog: GS1 GTIN check digits, code faces per packaging level, image
types, change sets, and the spreadsheet's columns."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from yima.platform import sheets
from yima.platform.sheets import SheetColumn
from yima.platform.sheets import cell_text as cell_text  # re-exported
from yima.platform.sheets import first_occurrences as first_occurrences  # re-exported

# GTIN ----------------------------------------------------------------------------------------

GTIN_LENGTHS = (8, 12, 13, 14)


class GtinError(ValueError):
    """A GTIN that cannot be one; ``code`` says why (gtin_length, gtin_digits, gtin_check_digit)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of ``body`` (a GTIN without its last digit): weights 3, 1, 3, …
    from the right."""
    if not body.isdigit() or not body.isascii():
        raise ValueError(f"{body!r} is not all digits")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalise_gtin(value: str) -> str:
    """A GTIN-8/12/13/14 as the 14-digit GTIN (leading zeros), after checking its check digit.
    Spaces and hyphens between digit groups are ignored."""
    digits = re.sub(r"[\s-]", "", value)
    if not digits.isascii() or not digits.isdigit():
        raise GtinError("gtin_digits", "a GTIN has digits only")
    if len(digits) not in GTIN_LENGTHS:
        raise GtinError("gtin_length", f"a GTIN has 8, 12, 13 or 14 digits, not {len(digits)}")
    expected = gtin_check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise GtinError("gtin_check_digit", f"the check digit should be {expected}, not {digits[-1]}")
    if not digits.strip("0"):
        raise GtinError("gtin_digits", "a GTIN cannot be all zeros")
    return digits.zfill(14)


def is_valid_gtin(value: str) -> bool:
    try:
        normalise_gtin(value)
    except GtinError:
        return False
    return True


# Packaging levels and their code faces (DOMAIN §2) ------------------------------------------

Level = Literal["bottle", "case", "pallet"]
FACES = ("outer", "inner")
DEFAULT_FACES: Mapping[Level, tuple[str, ...]] = {
    "bottle": ("outer", "inner"),
    "case": ("outer", "inner"),
    "pallet": ("outer",),
}


def faces_problem(level: Level, faces: Sequence[str]) -> tuple[str, str] | None:
    """(code, message) when ``faces`` cannot be what ``level`` carries: every item carries at
    least one code (一物一码); a case may carry none (no aggregation); a pallet carries one at most."""
    unknown = [f for f in faces if f not in FACES]
    if unknown:
        return "unknown_face", f"faces are 'outer' or 'inner', not {unknown[0]!r}"
    if len(set(faces)) != len(faces):
        return "duplicate_face", "a face is listed twice"
    if level == "bottle" and not faces:
        return "bottle_needs_face", "a bottle carries at least one code"
    if level == "pallet" and len(faces) > 1:
        return "pallet_one_face", "a pallet carries one code at most"
    return None


def ordered_faces(faces: Iterable[str]) -> list[str]:
    """Faces in their canonical order (outer before inner)."""
    chosen = set(faces)
    return [f for f in FACES if f in chosen]


# Products ------------------------------------------------------------------------------------

ProductStatus = Literal["active", "discontinued"]
STATUSES: tuple[ProductStatus, ...] = ("active", "discontinued")


def changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[object]]:
    """{field: [old, new]} for every field of ``after`` whose value differs from ``before``."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


# Images --------------------------------------------------------------------------------------

MAX_IMAGE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ImageKind:
    extension: str
    media_type: str


_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", ImageKind("png", "image/png")),
    (b"\xff\xd8\xff", ImageKind("jpg", "image/jpeg")),
    (b"GIF87a", ImageKind("gif", "image/gif")),
    (b"GIF89a", ImageKind("gif", "image/gif")),
)
IMAGE_KINDS = {k.extension: k for _, k in _IMAGE_SIGNATURES} | {"webp": ImageKind("webp", "image/webp")}


def image_kind(head: bytes) -> ImageKind | None:
    """The image type from the file's first bytes (never from its name or declared type)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGE_KINDS["webp"]
    return next((kind for magic, kind in _IMAGE_SIGNATURES if head.startswith(magic)), None)


STORED_IMAGE = re.compile(r"^[0-9a-f]{64}\.(png|jpg|gif|webp)$")


# The products spreadsheet (import template, import, export) ---------------------------------
# The columns; reading and writing workbooks is platform.sheets'.

MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_BYTES = 5 * 1024 * 1024


IMPORT_COLUMNS = (
    SheetColumn("sku", "SKU", ("商品编码", "货号", "skucode"), required=True, width=18),
    SheetColumn("name", "名称 name", ("名称", "name", "商品名称", "品名", "productname"), required=True, width=36),
    SheetColumn("gtin", "GTIN", ("条码", "商品条码", "ean", "barcode"), width=18),
    SheetColumn("specification", "规格 specification", ("规格", "specification", "spec"), width=28),
    SheetColumn("category", "分类 category", ("分类", "category", "类别"), width=14),
    SheetColumn(
        "packaging_spec_code",
        "包装规格 packaging spec",
        ("包装规格", "packagingspec", "packagingspeccode", "包装"),
        width=18,
    ),
)
EXPORT_COLUMNS = (
    *IMPORT_COLUMNS,
    SheetColumn("status", "状态 status", width=12),
    SheetColumn("image_url", "图片 image URL", width=30),
    SheetColumn("updated_at", "更新时间 updated", width=18),
)


def match_headers(headers: Sequence[object]) -> dict[str, int]:
    """{field: column index} for the header cells that name one of IMPORT_COLUMNS."""
    return sheets.match_headers(headers, IMPORT_COLUMNS)
