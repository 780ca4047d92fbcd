"""Batches: allocate a range of serials (one row), and build its print file as a job."""

from __future__ import annotations

from yima.catalog import service as catalog
from yima.codes import repository as repo
from yima.codes import rules
from yima.codes.models import CodeBatch, CodeBlock
from yima.codes.permissions import CODES_READ, CODES_WRITE
from yima.codes.schemas import BatchCounts, BatchCreate, BatchCreated, BatchFilter, BatchRead
from yima.codes.service.exports import start_export
from yima.codes.service.namespaces import ensure_namespace
from yima.codes.service.suppliers import load_supplier
from yima.codes.tokens import MAX_SERIAL
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Invalid, NotFound


async def create_batch(ctx: Ctx, data: BatchCreate) -> BatchCreated:
    """Reserve ``quantity`` serials and start building the print file for the supplier; the
    answer carries the package key, shown this once."""
    ctx.require(CODES_WRITE.name)
    supplier = await load_supplier(ctx, data.supplier_id)
    if not supplier.is_active:
        raise Invalid("the supplier is disabled", [FieldError("supplier_id", "disabled", "inactive")])
    printed_for = await catalog.lookup_product(ctx, data.product_id) if data.product_id is not None else None
    faces = list(dict.fromkeys(data.faces or rules.DEFAULT_FACES[data.level]))
    await ensure_namespace(ctx)
    first = await repo.allocate_serials(ctx.session, data.quantity)
    last = first + data.quantity - 1
    if last > MAX_SERIAL:
        raise Conflict("the brand has used up its serial numbers", [FieldError("quantity", "too many", "exhausted")])
    batch = CodeBatch(
        tenant_id=ctx.tenant_id,
        level=data.level,
        faces=faces,
        quantity=data.quantity,
        first_serial=first,
        last_serial=last,
        supplier_id=supplier.id,
        product_id=data.product_id,
        gtin=printed_for.gtin if printed_for else None,
        note=data.note,
        created_by=ctx.actor.name,
    )
    repo.add(ctx.session, batch)
    await ctx.session.flush()
    export = await start_export(ctx, batch, supplier.id, "csv")
    batch.job_id = export.job_id
    identity.record_audit(
        ctx,
        "batch.created",
        "code_batch",
        batch.id,
        {"level": data.level, "quantity": data.quantity, "serials": [first, last], "supplier_id": supplier.id},
    )
    return BatchCreated(**BatchRead.model_validate(batch).model_dump(), export=export)


async def load_batch(ctx: Ctx, batch_id: int) -> CodeBatch:
    batch = await repo.get_batch(ctx.session, batch_id)
    if batch is None:
        raise NotFound(f"code batch {batch_id} not found")
    return batch


async def batch_counts(ctx: Ctx, batch: CodeBatch) -> BatchCounts:
    blocks = await repo.blocks_in_range(ctx.session, batch.first_serial, batch.last_serial)
    run = (batch.first_serial, batch.last_serial)

    def blocked(kind: str) -> int:
        return rules.covered(run, rules.merge([(b.serial_from, b.serial_to) for b in blocks if b.kind == kind]))

    return BatchCounts(
        activated=await repo.activated_count(ctx.session, batch.id),
        voided=blocked("void"),
        blacklisted=blocked("blacklist"),
        packed=await repo.count_packed(ctx.session, batch.first_serial, batch.last_serial),
    )


async def get_batch(ctx: Ctx, batch_id: int) -> BatchRead:
    ctx.require(CODES_READ.name)
    batch = await load_batch(ctx, batch_id)
    return BatchRead.model_validate(batch).model_copy(update={"counts": await batch_counts(ctx, batch)})


async def list_batches(ctx: Ctx, filters: BatchFilter, limit: int, before_id: int | None) -> list[BatchRead]:
    """Up to ``limit + 1`` batches, newest first, each with its counts."""
    ctx.require(CODES_READ.name)
    batches = await repo.list_batches(ctx.session, filters, limit + 1, before_id)
    return [BatchRead.model_validate(b).model_copy(update={"counts": await batch_counts(ctx, b)}) for b in batches]


async def mark_received(ctx: Ctx, batch_id: int) -> BatchRead:
    """The supplier confirmed it has the file (and printed it)."""
    ctx.require(CODES_WRITE.name)
    batch = await load_batch(ctx, batch_id)
    if batch.state not in ("generated", "exported"):
        raise Conflict(f"a {batch.state} batch cannot be marked received", [FieldError("state", batch.state, "state")])
    batch.state, batch.received_at = "received", ctx.now()
    identity.record_audit(ctx, "batch.received", "code_batch", batch.id)
    return await get_batch(ctx, batch.id)


async def void_batch(ctx: Ctx, batch_id: int, reason: str) -> BatchRead:
    """Void a whole batch (lost at the printer, misprinted): none of its codes pays anything."""
    ctx.require(CODES_WRITE.name)
    batch = await load_batch(ctx, batch_id)
    if batch.state == "voided":
        raise Conflict("the batch is already voided", [FieldError("state", "voided", "state")])
    repo.add(
        ctx.session,
        CodeBlock(
            tenant_id=ctx.tenant_id,
            serial_from=batch.first_serial,
            serial_to=batch.last_serial,
            kind="void",
            reason=reason,
            note=f"batch {batch.id} voided",
            created_by=ctx.actor.name,
        ),
    )
    batch.state, batch.voided_at, batch.void_reason = "voided", ctx.now(), reason
    await ctx.session.flush()
    identity.record_audit(ctx, "batch.voided", "code_batch", batch.id, {"reason": reason})
    return await get_batch(ctx, batch.id)
