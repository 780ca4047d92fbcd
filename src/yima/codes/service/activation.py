"""Assignment (空码赋值) and blocking: give codes their product and make them active, or void
and blacklist them. All or nothing, with every problem listed."""

from __future__ import annotations

from yima.catalog import service as catalog
from yima.codes import repository as repo
from yima.codes import rules
from yima.codes.errors import UnknownCode
from yima.codes.models import Assignment, CodeBlock
from yima.codes.permissions import CODES_WRITE
from yima.codes.schemas import ActivationCreate, AssignmentRead, BlockCreate, BlockRead, CodeSelection
from yima.codes.service.resolve import locate
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, FieldError, Invalid


async def selected_runs(ctx: Ctx, selection: CodeSelection) -> list[tuple[int, int]]:
    """The serial runs a selection names; every code that does not resolve is reported."""
    if selection.range is not None:
        return [(selection.range.serial_from, selection.range.serial_to)]
    problems: list[FieldError] = []
    serials: list[int] = []
    for i, text in enumerate(selection.codes or []):
        try:
            serials.append((await locate(ctx, text, f"codes[{i}]")).serial)
        except AppError as exc:
            problems.extend(exc.details)
    if problems:
        raise Invalid("some codes are not codes of this brand", problems)
    return rules.runs(serials)


async def _batch_of_run(ctx: Ctx, run: tuple[int, int], where: str, problems: list[FieldError]) -> int | None:
    batches = await repo.batches_for_range(ctx.session, *run)
    if len(batches) != 1 or batches[0].first_serial > run[0] or batches[0].last_serial < run[1]:
        problems.append(FieldError(where, f"serials {run[0]}–{run[1]} are not inside one batch", "outside_batch"))
        return None
    if batches[0].state == "voided":
        problems.append(FieldError(where, f"batch {batches[0].id} is voided", "voided"))
        return None
    return batches[0].id


async def activate(ctx: Ctx, data: ActivationCreate) -> list[AssignmentRead]:
    ctx.require(CODES_WRITE.name)
    product = await catalog.lookup_product(ctx, data.product_id)
    problems: list[FieldError] = []
    if product.status != "active":
        problems.append(FieldError("product_id", "the product is discontinued", "discontinued"))
    planned: list[tuple[tuple[int, int], int]] = []
    for i, run in enumerate(await selected_runs(ctx, data)):
        where = "range" if data.range else f"codes (run {i + 1})"
        batch_id = await _batch_of_run(ctx, run, where, problems)
        for existing in await repo.assignments_in_range(ctx.session, *run):
            problems.append(
                FieldError(
                    where, f"serials {existing.serial_from}–{existing.serial_to} are already activated", "active"
                )
            )
        for block in await repo.blocks_in_range(ctx.session, *run):
            problems.append(
                FieldError(where, f"serials {block.serial_from}–{block.serial_to} are {block.kind}ed", block.kind)
            )
        if batch_id is not None:
            planned.append((run, batch_id))
    if problems:
        raise Invalid("nothing was activated", problems)
    rows = [
        Assignment(
            tenant_id=ctx.tenant_id,
            batch_id=batch_id,
            serial_from=run[0],
            serial_to=run[1],
            product_id=product.id,
            lot=data.lot,
            production_date=data.production_date,
            line=data.line,
            source=data.source,
            activated_by=ctx.actor.name,
        )
        for run, batch_id in planned
    ]
    repo.add(ctx.session, *rows)
    await ctx.session.flush()
    identity.record_audit(
        ctx,
        "codes.activated",
        "code_batch",
        ",".join(sorted({str(b) for _, b in planned})),
        {"runs": [list(r) for r, _ in planned], "product_id": product.id, "lot": data.lot},
    )
    return [AssignmentRead.model_validate(r) for r in rows]


async def block(ctx: Ctx, data: BlockCreate) -> list[BlockRead]:
    """Void (作废) or blacklist (拉黑) codes; a blocked code never pays and says why."""
    ctx.require(CODES_WRITE.name)
    problems: list[FieldError] = []
    runs = await selected_runs(ctx, data)
    for i, run in enumerate(runs):
        if not await repo.batches_for_range(ctx.session, *run):
            problems.append(FieldError("range" if data.range else f"codes (run {i + 1})", "no such serials", "unknown"))
    if problems:
        raise UnknownCode("nothing was blocked", problems)
    rows = [
        CodeBlock(
            tenant_id=ctx.tenant_id,
            serial_from=run[0],
            serial_to=run[1],
            kind=data.kind,
            reason=data.reason,
            note=data.note,
            created_by=ctx.actor.name,
        )
        for run in runs
    ]
    repo.add(ctx.session, *rows)
    await ctx.session.flush()
    identity.record_audit(
        ctx,
        f"codes.{data.kind}ed",
        "code_block",
        ",".join(str(r.id) for r in rows),
        {"runs": [list(r) for r in runs], "reason": data.reason},
    )
    return [BlockRead.model_validate(r) for r in rows]
