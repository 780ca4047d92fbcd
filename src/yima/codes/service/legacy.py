"""Legacy imports: codes printed by a previous vendor keep their printed strings and map to units.

The file (CSV or XLSX; columns ``code`` and optionally ``face``) is stored, then a job reads it
twice, streaming, never holding it in memory:

1. check every row — malformed (empty, too long, bad face, a string a scan would read as one of
   our own codes), repeated within the file (8-byte digests in NumPy arrays, ~12 bytes a row),
   already imported — and count. Any problem fails the import with the problems by line (the
   first 1,000 kept, all counted) and nothing is applied. This pass writes nothing but progress.
2. allocate one legacy batch and insert every code (serial = first + row index) in ONE
   transaction, so a crash applies nothing. The import is marked done in that same transaction.

A retried job (its worker died) starts again from the pass it was in; a finished or failed
import never runs again; the unique (brand, code) key guards against anything else.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import shutil
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from yima.codes import links, rules
from yima.codes import repository as repo
from yima.codes.models import CodeBatch, LegacyImport
from yima.codes.permissions import CODES_READ, CODES_WRITE
from yima.codes.schemas import LegacyImportCreate, LegacyImportRead
from yima.codes.service.namespaces import codec, ensure_namespace
from yima.codes.service.suppliers import load_supplier
from yima.codes.tokens import MAX_SERIAL, TokenCodec
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Invalid, NotFound
from yima.platform.outbox import registry
from yima.platform.outbox import service as jobs
from yima.settings import get_settings

JOB = "codes.import_legacy"
CHUNK = 20_000  # rows read, checked and inserted at a time
MAX_UPLOAD_BYTES = 4 << 30
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive; anything else is read as CSV
RUNNING = ("validating", "importing")


def upload_path(tenant_id: int, import_id: int) -> Path:
    return get_settings().data_dir / "imports" / str(tenant_id) / str(import_id)


def _store(source: BinaryIO, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
        return target.tell()


async def start_legacy_import(ctx: Ctx, data: LegacyImportCreate, file_name: str, source: BinaryIO) -> LegacyImportRead:
    """Store the uploaded file and queue its import; follow it at …/legacy-imports/{id}."""
    ctx.require(CODES_WRITE.name)
    supplier = await load_supplier(ctx, data.supplier_id)
    imported = LegacyImport(
        tenant_id=ctx.tenant_id,
        file_name=file_name[-200:] or "upload",
        stored_path="",
        level=data.level,
        supplier_id=supplier.id,
        default_face=data.face,
        created_by=ctx.actor.name,
    )
    repo.add(ctx.session, imported)
    await ctx.session.flush()
    path = upload_path(ctx.tenant_id, imported.id)
    size = await asyncio.to_thread(_store, source, path)
    if not 0 < size <= MAX_UPLOAD_BYTES:
        path.unlink(missing_ok=True)
        raise Invalid("the file is empty or too large", [FieldError("file", f"{size:,} bytes", "size")])
    imported.stored_path = str(path)
    imported.job_id = (await jobs.enqueue_job(ctx, JOB, {"import_id": imported.id})).id
    await ctx.session.flush()
    identity.record_audit(
        ctx, "legacy_import.requested", "code_legacy_import", imported.id, {"file": file_name, "bytes": size}
    )
    return await _read(ctx, imported)


async def _read(ctx: Ctx, imported: LegacyImport) -> LegacyImportRead:
    read = LegacyImportRead.model_validate(imported)
    if imported.state in RUNNING and imported.job_id is not None:
        job = await jobs.get_job(ctx, imported.job_id)  # progress lives on the job while it runs
        read = read.model_copy(update={"rows_done": job.done})
    return read


async def get_legacy_import(ctx: Ctx, import_id: int) -> LegacyImportRead:
    ctx.require(CODES_READ.name)
    imported = await repo.get_legacy_import(ctx.session, import_id)
    if imported is None:
        raise NotFound(f"legacy import {import_id} not found")
    return await _read(ctx, imported)


# reading the file ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    code: str
    face: str


class FileProblem(Exception):
    """The file as a whole cannot be read (not a table, no ``code`` column…)."""


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # spreadsheets keep numeric codes as numbers
    return str(cell)


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Chinese Excel writes as 'CSV')."""
    with path.open("rb") as source:
        head = source.read(1 << 16)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            return "gb18030"
    return "utf-8-sig"


def _cells(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every row, the header included, streaming."""
    with path.open("rb") as probe:
        is_xlsx = probe.read(4) == ZIP_MAGIC
    if not is_xlsx:
        with path.open(encoding=_encoding(path), newline="") as text:
            reader = csv.reader(text)
            for cells in reader:
                yield reader.line_num, cells
        return
    with path.open("rb") as source:  # a file object: openpyxl judges a path by its (missing) suffix
        try:
            book = load_workbook(source, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken archive
            raise FileProblem(f"not a readable .xlsx workbook: {exc}") from exc
        try:
            for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
                yield number, [_text(v) for v in values]
        finally:
            book.close()


def read_rows(path: Path) -> Generator[Row]:
    """The data rows, streaming; FileProblem when the header lacks ``code``."""
    cells = _cells(path)
    try:
        _, header = next(cells)
    except StopIteration:
        raise FileProblem("the file is empty") from None
    names = [name.strip().lower() for name in header]
    if "parent_code" in names:
        raise FileProblem("parent_code is not imported yet: import, activate, then pack with /codes/packing")
    if "code" not in names:
        raise FileProblem("the first row must name the columns: code, and optionally face")
    at_code, at_face = names.index("code"), names.index("face") if "face" in names else None
    for line, row in cells:
        if not any(c.strip() for c in row):
            continue  # blank rows (spreadsheets end with some)
        code = row[at_code].strip() if at_code < len(row) else ""
        face = row[at_face] if at_face is not None and at_face < len(row) else ""
        yield Row(line, code, face)


def _take(rows: Iterator[Row], count: int) -> list[Row]:
    return list(islice(rows, count))


# pass 1: check -------------------------------------------------------------------------------


@dataclass
class Check:
    rows: int = 0
    count: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    digests: list[np.ndarray] = field(default_factory=list)
    lines: list[np.ndarray] = field(default_factory=list)

    def add(self, line: int, column: str, message: str, code: str) -> None:
        self.count += 1
        if len(self.problems) < rules.LEGACY_PROBLEMS_KEPT:
            self.problems.append({"line": line, "field": column, "message": message, "code": code})

    def remember(self, valid: list[Row]) -> None:
        digest = hashlib.blake2b
        self.digests.append(
            np.fromiter(
                (int.from_bytes(digest(r.code.encode(), digest_size=8).digest()) for r in valid),
                dtype=np.uint64,
                count=len(valid),
            )
        )
        self.lines.append(np.fromiter((r.line for r in valid), dtype=np.uint32, count=len(valid)))

    def repeats(self) -> None:
        """Report every row whose code an earlier row already had. One sorted copy of the digests
        finds the repeated values (~20 bytes a row at the peak, never the rows themselves); a
        second walk, chunk by chunk in file order, names their lines. Two different codes share
        an 8-byte digest about once in 10^6 files of ten million rows."""
        if not self.digests:
            return
        ordered = np.concatenate(self.digests)
        ordered.sort()
        repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        del ordered
        first: dict[int, int] = {}
        for digests, lines in zip(self.digests, self.lines, strict=True):
            if not repeated.size:
                break
            at = np.searchsorted(repeated, digests).clip(max=repeated.size - 1)
            hits = np.flatnonzero(repeated[at] == digests)
            for digest, line in zip(digests[hits].tolist(), lines[hits].tolist(), strict=True):
                if digest in first:
                    self.add(line, "code", f"repeats line {first[digest]}", "duplicate")
                else:
                    first[digest] = line
        self.digests, self.lines = [], []


def _ours(brand: TokenCodec, code: str) -> str | None:
    """What ``code`` already is in this brand: a token or Digital Link its key decodes."""
    try:
        printed = links.parse_printed(code)
    except links.LinkError:
        return None  # a broken Digital Link is not ours: resolving looks it up as a legacy code
    if printed.kind in ("token", "digital_link") and brand.decode(printed.value) is not None:
        return printed.kind
    return None


def _check_row(row: Row, default_face: str, check: Check, brand: TokenCodec) -> bool:
    problem = rules.legacy_code_problem(row.code, _ours(brand, row.code) if row.code else None)
    if problem is not None:
        check.add(row.line, "code", problem[1], problem[0])
    if rules.legacy_face(row.face, default_face) is None:
        check.add(row.line, "face", f"{row.face!r} is not outer or inner (外码/内码)", "bad_face")
        return False
    return problem is None


async def _check(run: registry.JobRun, path: Path, default_face: str) -> Check:
    check = Check()
    async with run.open_ctx() as ctx:
        any_imported = await repo.has_legacy_codes(ctx.session)
        brand = await codec(ctx)
    try:
        with closing(read_rows(path)) as rows:
            while chunk := await asyncio.to_thread(_take, rows, CHUNK):
                valid = [row for row in chunk if _check_row(row, default_face, check, brand)]
                check.rows += len(chunk)
                check.remember(valid)
                if any_imported and valid:
                    async with run.open_ctx() as ctx:
                        known = await repo.existing_legacy_codes(ctx.session, [r.code for r in valid])
                    for row in (r for r in valid if r.code in known):
                        check.add(row.line, "code", "already imported", "exists")
                del chunk, valid  # before the next chunk is read: one chunk of rows alive at a time
                await run.progress(check.rows, None)
    except FileProblem as exc:
        check.add(1, "file", str(exc), "file")
    except UnicodeDecodeError as exc:
        check.add(0, "file", f"not UTF-8 or GB18030 text: {exc.reason}", "encoding")
    check.repeats()
    if check.count == 0 and check.rows == 0:
        check.add(0, "file", "the file has no codes", "empty")
    if check.rows > rules.MAX_BATCH:
        check.add(0, "file", f"{check.rows:,} rows; at most {rules.MAX_BATCH:,} a file", "too_many")
    check.problems.sort(key=lambda p: p["line"])
    return check


async def _finish_check(ctx: Ctx, import_id: int, check: Check) -> str:
    imported = await repo.get_legacy_import(ctx.session, import_id)
    assert imported is not None
    imported.rows_total, imported.rows_done = check.rows, check.rows
    imported.problems, imported.problem_count = check.problems, check.count
    imported.state = "failed" if check.count else "importing"
    imported.finished_at = ctx.now() if check.count else None
    return imported.state


# pass 2: apply -------------------------------------------------------------------------------


async def _apply(run: registry.JobRun, import_id: int) -> dict[str, Any]:
    """Everything in one transaction: the batch, every code, and the mark that it is done."""
    async with run.open_ctx() as ctx:
        imported = await repo.get_legacy_import(ctx.session, import_id, lock=True)
        if imported is None or imported.state != "importing":
            return {"state": imported.state if imported else None}  # another worker finished it
        await ensure_namespace(ctx)
        first = await repo.allocate_serials(ctx.session, imported.rows_total)
        if first + imported.rows_total - 1 > MAX_SERIAL:
            raise Conflict("the brand has used up its serial numbers")
        batch = CodeBatch(
            tenant_id=ctx.tenant_id,
            level=imported.level,
            faces=[imported.default_face],
            quantity=imported.rows_total,
            first_serial=first,
            last_serial=first + imported.rows_total - 1,
            supplier_id=imported.supplier_id,
            state="received",
            legacy=True,
            note=f"legacy import {imported.id}: {imported.file_name}"[:500],
            created_by=imported.created_by,
            generated_at=ctx.now(),
            received_at=ctx.now(),
        )
        repo.add(ctx.session, batch)
        await ctx.session.flush()
        done, faces = 0, set()
        report = repo.concurrent_writers(ctx.session)  # SQLite: one writer, so no progress until the end
        with closing(read_rows(Path(imported.stored_path))) as rows:
            while chunk := await asyncio.to_thread(_take, rows, CHUNK):
                values: list[tuple[str, int, str]] = []
                for row in chunk:
                    face = rules.legacy_face(row.face, imported.default_face)
                    if face is None or rules.legacy_code_problem(row.code, None):
                        raise RuntimeError(f"line {row.line} changed since the file was checked")
                    values.append((row.code, first + done + len(values), face))
                    faces.add(face)
                await repo.insert_legacy_codes(ctx.session, ctx.tenant_id, values)
                done += len(values)
                del chunk, values  # one chunk of rows alive at a time
                if report:
                    await run.progress(done, imported.rows_total)
        if done != imported.rows_total:
            raise RuntimeError(f"the file has {done} rows now, {imported.rows_total} when checked")
        batch.faces = [f for f in rules.FACE_NAMES if f in faces]
        imported.state, imported.batch_id, imported.rows_done = "done", batch.id, done
        imported.finished_at = ctx.now()
        identity.record_audit(
            ctx, "legacy_import.done", "code_legacy_import", imported.id, {"batch_id": batch.id, "rows": done}
        )
        return {"state": "done", "batch_id": batch.id, "rows": done, "first_serial": first}


async def _fail(run: registry.JobRun, import_id: int, message: str, code: str) -> None:
    async with run.open_ctx() as ctx:
        imported = await repo.get_legacy_import(ctx.session, import_id)
        if imported is not None and imported.state != "done":
            imported.state, imported.finished_at = "failed", ctx.now()
            imported.problems = [{"line": 0, "field": "file", "message": message[:500], "code": code}]
            imported.problem_count = 1


async def import_legacy(run: registry.JobRun, params: dict[str, Any]) -> dict[str, Any]:
    """The job: check, then apply; safe to run again at any point."""
    import_id = int(params["import_id"])
    async with run.open_ctx() as ctx:
        imported = await repo.get_legacy_import(ctx.session, import_id)
        if imported is None:
            raise RuntimeError(f"legacy import {import_id} not found")
        state, path, face, rows = imported.state, Path(imported.stored_path), imported.default_face, imported.rows_total
        if state in ("done", "failed"):
            return {"state": state}  # a finished import never runs again
        if state == "queued":
            imported.state = state = "validating"
    try:
        if state == "validating":  # pass 1 writes nothing: after a crash it simply starts over
            check = await _check(run, path, face)
            async with run.open_ctx() as ctx:
                state = await _finish_check(ctx, import_id, check)
            if state == "failed":
                return {"state": state, "problems": check.count}
            rows = check.rows
        await run.progress(0, rows)  # pass 2 counts from zero (on SQLite it can only report at the end)
        result = await _apply(run, import_id)
        await run.progress(rows, rows)
        return result
    except IntegrityError:
        await _fail(run, import_id, "some of these codes were imported meanwhile by another import", "exists")
        return {"state": "failed"}
    except Exception as exc:
        await _fail(run, import_id, f"the import stopped: {exc}", "error")
        raise
