"""Print-file formats besides CSV, for small batches: Excel, QR images (ZIP of SVG or PNG) and
a PDF label sheet. Pure: codes in, file bytes out.

Every format prints exactly what the CSV prints (``printfiles``): the same upper-case URLs, so each
QR symbol is in alphanumeric mode, the densest one a small cap code can use. All symbols of a
batch share one QR version and error level (their URLs have one length), so they print one size.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np
from openpyxl import Workbook

from yima.codes import printfiles, qrbatch
from yima.codes.rules import MAX_BATCH
from yima.codes.tokens import MAX_SERIAL, Face, TokenCodec

# The most units a batch may have for each format. Measured on 2 busy cores, 10,000 bottles (20,000
# symbols) take about 2 s as Excel, 8 s as SVG, 10 s as PNG (9 MB) and 60 s as a PDF (19 MB).
LIMITS = {"csv": MAX_BATCH, "xlsx": 100_000, "qr_svg_zip": 100_000, "qr_png_zip": 50_000, "pdf": 10_000}
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "qr_svg_zip": "application/zip",
    "qr_png_zip": "application/zip",
    "pdf": "application/pdf",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "qr_svg_zip": "zip", "qr_png_zip": "zip", "pdf": "pdf"}
# The CSV's columns with their Chinese names, for the Excel header.
COLUMNS = [
    ("序列号", "serial"),
    ("外码网址", "outer_url"),
    ("外码", "outer_token"),
    ("内码网址", "inner_url"),
    ("内码", "inner_token"),
    ("防伪码", "anti_fake_code"),
]
MANIFEST_HEADER = ["file", "serial", "face", "url", "anti_fake_code"]
QR_ERROR = "m"
QR_SCALE, QR_BORDER = 8, 2  # PNG: 8 pixels a module (≈ 300 dpi for 0.7 mm modules), 2-module margin
_CHUNK = 10_000
_SERIAL_DIGITS = len(str(MAX_SERIAL))


@dataclass(frozen=True)
class Plan:
    """What a print file covers: a batch's serials, faces and URL prefix."""

    batch_id: int
    level: str
    faces: list[str]
    first: int
    last: int
    prefix: str

    @property
    def units(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Label:
    """One printed face of a unit: what its QR symbol carries, and the unit's 防伪码."""

    serial: str  # zero-padded as in the CSV, so files sort in print order
    face: str
    url: str
    anti_fake: str


def limit(fmt: str) -> int:
    """The most units a batch may have to be exported in ``fmt``."""
    return LIMITS[fmt]


def file_name(plan: Plan, fmt: str) -> tuple[str, str]:
    return f"batch-{plan.batch_id}-{plan.level}-{plan.first}-{plan.last}.{EXTENSIONS[fmt]}", CONTENT_TYPES[fmt]


def render(fmt: str, codec: TokenCodec, plan: Plan) -> bytes:
    """The whole print file in ``fmt`` (not csv: that one is streamed by the export job)."""
    if fmt not in _RENDERERS:
        raise ValueError(f"no renderer for {fmt!r}")
    if plan.units > limit(fmt):
        raise ValueError(f"{fmt} is for batches of at most {limit(fmt):,} codes")
    return _RENDERERS[fmt](codec, plan)


def _serial_chunks(plan: Plan) -> Iterator[np.ndarray]:
    for start in range(plan.first, plan.last + 1, _CHUNK):
        yield np.arange(start, min(start + _CHUNK, plan.last + 1), dtype=np.uint64)


def labels(codec: TokenCodec, plan: Plan) -> Iterator[Label]:
    """Every printed face in print order: by serial, the outer code before the inner (peers
    stay side by side)."""
    faces = [f for f in (Face.OUTER, Face.INNER) if f.name.lower() in plan.faces]
    for serials in _serial_chunks(plan):
        padded = [f"{s:0{_SERIAL_DIGITS}d}" for s in serials.tolist()]  # as the CSV pads them
        anti_fake = [row.tobytes().decode() for row in codec.anti_fake_many(serials)]
        tokens = {f: [row.tobytes().decode() for row in codec.encode_many(serials, f)] for f in faces}
        for i, serial in enumerate(padded):
            for face in faces:
                yield Label(serial, face.name.lower(), plan.prefix + tokens[face][i], anti_fake[i])


# Excel ---------------------------------------------------------------------------------------


def render_xlsx(codec: TokenCodec, plan: Plan) -> bytes:
    """One row a unit, the CSV's rows cell for cell (all text: Excel would drop the zeros of a
    serial and show a 12-digit 防伪码 as 1.23E+11)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"码包 {plan.batch_id}")
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEF", (15, 52, 24, 52, 24, 15), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([f"{zh} {en}" for zh, en in COLUMNS])
    for serials in _serial_chunks(plan):
        text = bytes(printfiles.csv_rows(codec, serials, plan.faces, plan.prefix)).decode()
        for line in text.splitlines():
            sheet.append(line.split(","))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# QR images -----------------------------------------------------------------------------------


def label_chunks(codec: TokenCodec, plan: Plan, size: int = 2000) -> Iterator[list[Label]]:
    """``labels`` a few thousand at a time (QR symbols are made a chunk at once)."""
    every = labels(codec, plan)
    while chunk := list(islice(every, size)):
        yield chunk


def _render_zip(codec: TokenCodec, plan: Plan, kind: str) -> bytes:
    out = io.BytesIO()
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(MANIFEST_HEADER)
    # SVG text shrinks a lot; PNG is compressed already.
    method = zipfile.ZIP_DEFLATED if kind == "svg" else zipfile.ZIP_STORED
    draw = qrbatch.svgs if kind == "svg" else qrbatch.pngs
    with zipfile.ZipFile(out, "w", compression=method, compresslevel=6) as archive:
        symbols: qrbatch.QrBatch | None = None
        for chunk in label_chunks(codec, plan):
            symbols = symbols or qrbatch.QrBatch(chunk[0].url, QR_ERROR)
            files = draw(symbols.make([label.url for label in chunk]), QR_BORDER, QR_SCALE)
            for label, content in zip(chunk, files, strict=True):
                name = f"{label.serial}-{label.face}.{kind}"
                archive.writestr(name, content)
                writer.writerow([name, label.serial, label.face, label.url, label.anti_fake])
        archive.writestr("manifest.csv", manifest.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def render_svg_zip(codec: TokenCodec, plan: Plan) -> bytes:
    return _render_zip(codec, plan, "svg")


def render_png_zip(codec: TokenCodec, plan: Plan) -> bytes:
    return _render_zip(codec, plan, "png")


def render_pdf(codec: TokenCodec, plan: Plan) -> bytes:
    from yima.codes.labelsheet import LabelSheet  # fpdf2 loads only when a PDF is asked for

    return LabelSheet(plan).render(label_chunks(codec, plan))


_RENDERERS: dict[str, Callable[[TokenCodec, Plan], bytes]] = {
    "xlsx": render_xlsx,
    "qr_svg_zip": render_svg_zip,
    "qr_png_zip": render_png_zip,
    "pdf": render_pdf,
}
