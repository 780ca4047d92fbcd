"""Exports: encrypted packages of a batch for one supplier, built by a job, key shown once."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any, BinaryIO

from yima.codes import formats, printfiles, printwork
from yima.codes import repository as repo
from yima.codes.models import CodeBatch, CodeExport
from yima.codes.package import PackageWriter, Sealer, format_key, new_key
from yima.codes.permissions import CODES_READ, CODES_WRITE
from yima.codes.schemas import ExportCreate, ExportCreated, ExportRead
from yima.codes.service.namespaces import base_url, ensure_namespace, key_material
from yima.codes.service.suppliers import load_supplier
from yima.codes.tokens import TokenCodec
from yima.identity import service as identity
from yima.platform import crypto
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Invalid, NotFound
from yima.platform.outbox import registry
from yima.platform.outbox import service as jobs
from yima.settings import get_settings

JOB = "codes.build_export"


def _wrap_label(export: CodeExport) -> str:
    return f"code-export/{export.tenant_id}/{export.id}"


def package_path(tenant_id: int, export_id: int) -> Path:
    return get_settings().data_dir / "exports" / str(tenant_id) / f"{export_id}.ymp"


async def start_export(ctx: Ctx, batch: CodeBatch, supplier_id: int, fmt: str) -> ExportCreated:
    """Record the export and queue its job; the key is returned once and kept only wrapped
    (under the master secret) until the job has sealed the package."""
    if fmt != "csv" and batch.quantity > formats.limit(fmt):
        raise Invalid(
            f"{fmt} is for batches of at most {formats.limit(fmt):,} codes; use csv",
            [FieldError("format", "batch too large for this format", "too_large")],
        )
    key = new_key()
    export = CodeExport(
        tenant_id=ctx.tenant_id, batch_id=batch.id, supplier_id=supplier_id, format=fmt, created_by=ctx.actor.name
    )
    repo.add(ctx.session, export)
    await ctx.session.flush()
    export.wrapped_key = crypto.wrap(get_settings().resolved_secret_key(), key, _wrap_label(export))
    job = await jobs.enqueue_job(ctx, JOB, {"export_id": export.id}, total=batch.quantity)
    export.job_id = job.id
    await ctx.session.flush()
    identity.record_audit(
        ctx,
        "export.requested",
        "code_export",
        export.id,
        {"batch_id": batch.id, "format": fmt, "supplier_id": supplier_id},
    )
    return ExportCreated(**ExportRead.model_validate(export).model_dump(), package_key=format_key(key))


async def request_export(ctx: Ctx, batch_id: int, data: ExportCreate) -> ExportCreated:
    ctx.require(CODES_WRITE.name)
    batch = await repo.get_batch(ctx.session, batch_id)
    if batch is None:
        raise NotFound(f"code batch {batch_id} not found")
    if batch.state in ("voided", "generating", "failed"):
        raise Conflict(f"a {batch.state} batch cannot be exported", [FieldError("state", batch.state, "state")])
    supplier = await load_supplier(ctx, data.supplier_id or batch.supplier_id)
    if not supplier.is_active:  # a supplier cut off (codes leaked, contract ended) gets no more codes
        raise Invalid(f"supplier {supplier.name} is disabled", [FieldError("supplier_id", "disabled", "inactive")])
    return await start_export(ctx, batch, supplier.id, data.format)


async def list_exports(ctx: Ctx, batch_id: int) -> list[ExportRead]:
    ctx.require(CODES_READ.name)
    if await repo.get_batch(ctx.session, batch_id) is None:
        raise NotFound(f"code batch {batch_id} not found")
    return [ExportRead.model_validate(e) for e in await repo.list_exports(ctx.session, batch_id)]


async def download_export(ctx: Ctx, export_id: int) -> tuple[Path, str]:
    """The sealed package's path and a file name; every download is audited."""
    ctx.require(CODES_WRITE.name)
    export = await repo.get_export(ctx.session, export_id)
    if export is None:
        raise NotFound(f"export {export_id} not found")
    if export.state != "ready":
        raise Conflict(f"the export is {export.state}", [FieldError("state", export.state, "not_ready")])
    export.downloads += 1
    batch = await repo.get_batch(ctx.session, export.batch_id)
    if batch is not None and batch.state == "generated":
        batch.state, batch.exported_at = "exported", ctx.now()
    identity.record_audit(ctx, "export.downloaded", "code_export", export.id, {"downloads": export.downloads})
    return package_path(ctx.tenant_id, export.id), f"{export.file_name}.ymp"


async def build_export(run: registry.JobRun, params: dict[str, Any]) -> dict[str, Any]:
    export_id = int(params["export_id"])
    async with run.open_ctx() as ctx:
        export = await repo.get_export(ctx.session, export_id)
        if export is None or export.wrapped_key is None:
            raise RuntimeError(f"export {export_id} has no key (already built?)")
        batch = await repo.get_batch(ctx.session, export.batch_id)
        assert batch is not None
        namespace = await ensure_namespace(ctx)
        codec = TokenCodec(namespace.prefix, await key_material(ctx.session, ctx.tenant_id))
        key = crypto.unwrap(get_settings().resolved_secret_key(), export.wrapped_key, _wrap_label(export))
        plan = formats.Plan(
            batch_id=batch.id,
            level=batch.level,
            faces=list(batch.faces),
            first=batch.first_serial,
            last=batch.last_serial,
            prefix=printfiles.url_prefix(base_url(namespace), batch.gtin),
        )
        export.state, fmt = "running", export.format
    path = package_path(run.tenant_id, export_id)
    try:
        digest, size, name = await _write_package(run, codec, key, plan, fmt, path)
    except Exception as exc:
        async with run.open_ctx() as ctx:
            await _finish(ctx, export_id, state="failed", error=str(exc)[:2000])
        path.unlink(missing_ok=True)
        raise
    async with run.open_ctx() as ctx:
        await _finish(ctx, export_id, state="ready", file_name=name, size_bytes=size, sha256=digest)
    return {"export_id": export_id, "size_bytes": size, "sha256": digest}


async def _write_package(
    run: registry.JobRun, codec: TokenCodec, key: bytes, plan: formats.Plan, fmt: str, path: Path
) -> tuple[str, int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    name, content_type = formats.file_name(plan, fmt)
    total = plan.last - plan.first + 1
    if fmt == "csv":
        job = printwork.CsvJob(
            token_prefix=codec.prefix,
            token_key=await _token_key(run),
            package_key=key,
            header=Sealer.new(key, name, content_type).header,
            first=plan.first,
            last=plan.last,
            faces=tuple(plan.faces),
            url_prefix=plan.prefix,
        )

        async def progress(done: int) -> None:
            await run.progress(done, total)

        digest, size = await printwork.write_csv_package(job, partial, progress)
    else:
        with partial.open("wb") as file:
            out = _HashingSink(file)
            writer = PackageWriter(out, key, name, content_type)
            writer.write(await asyncio.to_thread(formats.render, fmt, codec, plan))
            await asyncio.to_thread(writer.close)
        digest, size = out.digest.hexdigest(), out.size
        await run.progress(total, total)
    partial.replace(path)
    return digest, size, name


async def _token_key(run: registry.JobRun) -> bytes:
    async with run.open_ctx() as ctx:
        return await key_material(ctx.session, ctx.tenant_id)


class _HashingSink:
    """The package file, hashed as it is written (no second pass over gigabytes)."""

    def __init__(self, file: BinaryIO) -> None:
        self.file, self.digest, self.size = file, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.file.write(data)


async def _finish(ctx: Ctx, export_id: int, **values: Any) -> None:
    export = await repo.get_export(ctx.session, export_id)
    assert export is not None
    for key, value in values.items():
        setattr(export, key, value)
    export.wrapped_key = None  # the key leaves the system: only the operator has it now
    export.finished_at = ctx.now()
    batch = await repo.get_batch(ctx.session, export.batch_id)
    if batch is not None and batch.state == "generating":
        batch.state = "generated" if values["state"] == "ready" else "failed"
        batch.generated_at = ctx.now() if values["state"] == "ready" else None
    await ctx.session.flush()
