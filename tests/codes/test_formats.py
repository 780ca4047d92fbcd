"""Print files besides CSV: Excel, QR images (SVG and PNG in a ZIP), the PDF label sheet. Each is
built by the export job, opened with its key, and checked against the CSV and the resolver: a QR
symbol decodes (zxing-cpp) to exactly the printed URL, and that URL names the right unit."""

from __future__ import annotations

import csv
import io
import math
import os
import re
import zipfile

import pytest
from openpyxl import load_workbook
from PIL import Image

from tests.catalog.factories import create_product
from tests.codes.factories import create_batch
from tests.codes.qrtools import decode, svg_bitmap
from tests.identity.factories import create_tenant, system
from yima.codes import formats, printfiles, qrbatch
from yima.codes import service as codes
from yima.codes.labelsheet import PER_PAGE, LabelSheet
from yima.codes.package import open_package, parse_key
from yima.codes.schemas import BatchCreated, ExportCreate
from yima.codes.tokens import Face, TokenCodec
from yima.identity import service as identity
from yima.platform.db.session import Database
from yima.platform.errors import Invalid
from yima.platform.outbox.runner import Runner


async def _open(db: Database, slug: str, export_id: int, key: str) -> bytes:
    async with system(db, slug) as ctx:
        path, _ = await codes.download_export(ctx, export_id)
    with path.open("rb") as source:
        return b"".join(open_package(source, parse_key(key)))


async def _export(db: Database, slug: str, batch_id: int, fmt: str) -> bytes:
    """Request an export in ``fmt``, run its job, and open the package."""
    async with system(db, slug) as ctx:
        export = await codes.request_export(ctx, batch_id, ExportCreate(format=fmt))  # type: ignore[arg-type]
    await Runner(db, identity.tenant_info).drain()
    return await _open(db, slug, export.id, export.package_key)


async def _csv_rows(db: Database, slug: str, batch: BatchCreated) -> list[list[str]]:
    text = (await _open(db, slug, batch.export.id, batch.export.package_key)).decode()
    return list(csv.reader(io.StringIO(text)))[1:]


async def _check_symbols(db: Database, slug: str, content: bytes, kind: str, units: int) -> None:
    """Every face has a file that decodes to its manifest URL, which resolves to its unit."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
        assert sorted(archive.namelist()) == sorted([*(m["file"] for m in manifest), "manifest.csv"])
        images = {m["file"]: archive.read(m["file"]) for m in manifest}
    assert len(manifest) == units * 2
    sizes = set()
    async with system(db, slug) as ctx:
        brand = await codes.codec(ctx)
        for entry in manifest:
            assert entry["file"] == f"{entry['serial']}-{entry['face']}.{kind}"
            if kind == "png":
                image = Image.open(io.BytesIO(images[entry["file"]]))
                sizes.add(image.size)
                assert decode(image) == entry["url"]
            else:
                assert decode(svg_bitmap(images[entry["file"]])) == entry["url"]
            assert qrbatch.QrBatch(entry["url"]).mode == "alphanumeric"
            found = await codes.resolve(ctx, entry["url"])
            assert (found.serial, found.face) == (int(entry["serial"]), entry["face"])
            assert brand.serial_of_anti_fake(entry["anti_fake_code"]) == found.serial
    assert len(sizes) <= 1, "one batch, one symbol size"


async def test_excel_rows_are_the_csv_rows(db: Database) -> None:
    await create_tenant(db, "acme")
    batch = await create_batch(db, "acme", "bottle", 30)
    content = await _export(db, "acme", batch.id, "xlsx")
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["序列号 serial", "外码网址 outer_url", "外码 outer_token", "内码网址 inner_url",
                       "内码 inner_token", "防伪码 anti_fake_code"]  # fmt: skip
    assert rows[1:] == await _csv_rows(db, "acme", batch)
    assert all(isinstance(cell, str) for row in rows for cell in row)  # text: zeros and digits kept


async def test_png_zip_decodes_and_resolves(db: Database) -> None:
    await create_tenant(db, "acme")
    batch = await create_batch(db, "acme", "bottle", 6)
    await _check_symbols(db, "acme", await _export(db, "acme", batch.id, "qr_png_zip"), "png", 6)


async def test_svg_zip_of_digital_links_decodes_and_resolves(db: Database) -> None:
    await create_tenant(db, "acme")
    product = await create_product(db, "acme")
    batch = await create_batch(db, "acme", "case", 5, product_id=product.id)
    content = await _export(db, "acme", batch.id, "qr_svg_zip")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        manifest = archive.read("manifest.csv").decode()
    assert f"/01/{product.gtin}/21/" in manifest
    await _check_symbols(db, "acme", content, "svg", 5)


@pytest.mark.parametrize(("level", "units", "faces"), [("bottle", 13, 2), ("pallet", 25, 1)])
async def test_the_pdf_label_sheet_has_a_page_per_24_labels(db: Database, level: str, units: int, faces: int) -> None:
    await create_tenant(db, "acme")
    batch = await create_batch(db, "acme", level, units)
    content = await _export(db, "acme", batch.id, "pdf")
    assert content.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", content))
    assert pages == math.ceil(units * faces / PER_PAGE)


def _plan(units: int, faces: tuple[str, ...] = ("outer", "inner")) -> formats.Plan:
    prefix = printfiles.url_prefix("https://m.example.cn", None)
    return formats.Plan(batch_id=1, level="bottle", faces=list(faces), first=1, last=units, prefix=prefix)


def test_without_a_cjk_font_labels_are_printed_in_english() -> None:
    codec = TokenCodec("A7K", os.urandom(32))
    content = LabelSheet(_plan(3), font=None).render(formats.label_chunks(codec, _plan(3)))
    assert content.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page\b(?!s)", content)) == 1


def test_labels_run_by_serial_with_peers_together() -> None:
    codec = TokenCodec("A7K", os.urandom(32))
    labels = list(formats.labels(codec, _plan(2)))
    assert [(label.serial, label.face) for label in labels] == [
        ("000000000001", "outer"), ("000000000001", "inner"), ("000000000002", "outer"), ("000000000002", "inner"),
    ]  # fmt: skip
    assert labels[0].url == "HTTPS://M.EXAMPLE.CN/C/" + codec.encode(1, Face.OUTER)
    assert labels[1].url == "HTTPS://M.EXAMPLE.CN/C/" + codec.encode(1, Face.INNER)
    assert labels[0].anti_fake == labels[1].anti_fake == codec.anti_fake(1)


@pytest.mark.parametrize("fmt", ["xlsx", "qr_svg_zip", "qr_png_zip", "pdf"])
def test_each_format_refuses_a_batch_over_its_limit(fmt: str) -> None:
    codec = TokenCodec("A7K", os.urandom(32))
    with pytest.raises(ValueError, match="at most"):
        formats.render(fmt, codec, _plan(formats.limit(fmt) + 1))
    assert formats.limit("csv") >= formats.limit(fmt)


async def test_formats_refuse_batches_over_their_limit(db: Database) -> None:
    await create_tenant(db, "acme")
    batch = await create_batch(db, "acme", "bottle", formats.limit("pdf") + 1)
    async with system(db, "acme") as ctx:
        with pytest.raises(Invalid) as refused:
            await codes.request_export(ctx, batch.id, ExportCreate(format="pdf"))
    assert refused.value.details[0].field == "format"
