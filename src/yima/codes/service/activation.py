"""Assignment (空码赋值) and blocking: give codes their product and make them active, or void
and blacklist them. All or nothing, with every problem listed where it is (``range``, or the
``codes[i]`` it concerns), and read set-wise: a few queries however many codes a list names."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from yima.catalog import service as catalog
from yima.catalog.schemas import ProductRead
from yima.codes import repository as repo
from yima.codes import rules
from yima.codes.errors import UnknownCode
from yima.codes.models import Assignment, CodeBatch, CodeBlock
from yima.codes.permissions import CODES_WRITE
from yima.codes.schemas import ActivationCreate, AssignmentRead, BlockCreate, BlockRead, CodeSelection
from yima.codes.service.packing import CLUSTER_GAP, units_of
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Invalid, NotFound

Run = tuple[int, int]


class _Selected:
    """The serial runs a selection names and, for a list, where each serial is in it."""

    def __init__(self, runs: list[Run], positions: dict[int, list[int]] | None) -> None:
        self.runs, self._positions = runs, positions
        self._serials = sorted(positions) if positions is not None else []

    @property
    def is_list(self) -> bool:
        return self._positions is not None

    def fields(self, piece: Run) -> list[str]:
        """Where the serials of ``piece`` are in the request: ``range``, or each ``codes[i]``."""
        if self._positions is None:
            return ["range"]
        low = bisect.bisect_left(self._serials, piece[0])
        high = bisect.bisect_right(self._serials, piece[1])
        return [f"codes[{i}]" for serial in self._serials[low:high] for i in self._positions[serial]]


async def _selected(ctx: Ctx, selection: CodeSelection, refusal: str) -> _Selected:
    if selection.range is not None:
        return _Selected([(selection.range.serial_from, selection.range.serial_to)], None)
    units = await units_of(ctx, selection.codes or [], "codes", refusal)
    positions: dict[int, list[int]] = {}
    for i, unit in enumerate(units):
        assert unit.serial is not None
        positions.setdefault(unit.serial, []).append(i)
    return _Selected(rules.runs(positions), positions)


async def selected_runs(ctx: Ctx, selection: CodeSelection) -> list[Run]:
    """The serial runs a selection names; every code that does not resolve is reported."""
    return (await _selected(ctx, selection, "some codes are not codes of this brand")).runs


@dataclass(frozen=True)
class _Known:
    """The batches, activations and blocks meeting the runs of a request, loaded set-wise."""

    batches: rules.Disjoint[CodeBatch]
    assignments: rules.Disjoint[Assignment]
    blocked: dict[str, rules.Disjoint[str]]

    @classmethod
    async def load(cls, ctx: Ctx, runs: Sequence[Run]) -> _Known:
        spans = rules.spans(runs, CLUSTER_GAP)
        batches = await repo.batches_overlapping(ctx.session, spans)
        assignments = await repo.assignments_overlapping(ctx.session, spans)
        blocks = await repo.blocks_overlapping(ctx.session, spans)
        return cls(
            rules.Disjoint((b.first_serial, b.last_serial, b) for b in batches),
            rules.Disjoint((a.serial_from, a.serial_to, a) for a in assignments),
            {
                kind: rules.Disjoint(
                    (low, high, kind)
                    for low, high in rules.merge((b.serial_from, b.serial_to) for b in blocks if b.kind == kind)
                )
                for kind in rules.BLOCK_KINDS
            },
        )

    def by_batch(self, run: Run) -> list[Run]:
        """``run`` cut where one batch ends and the next begins (serials of a list may be
        neighbours across two batches: a bottle batch's last, the next case batch's first)."""
        pieces = [(max(low, run[0]), min(high, run[1])) for low, high, _ in self.batches.within(*run)]
        return pieces or [run]


def _problems(fields: list[str], message: str, code: str) -> list[FieldError]:
    return [FieldError(field, message, code) for field in fields]


def _span(low: int, high: int) -> str:
    return f"serial {low}" if low == high else f"serials {low}–{high}"


def _batch_of(known: _Known, run: Run, fields: list[str], problems: list[FieldError]) -> CodeBatch | None:
    batches = known.batches.within(*run)
    if len(batches) != 1 or batches[0][0] > run[0] or batches[0][1] < run[1]:
        problems += _problems(fields, f"{_span(*run)}: not inside one batch", "outside_batch")
        return None
    batch = batches[0][2]
    if batch.state == "voided":
        problems += _problems(fields, f"batch {batch.id} is voided", "voided")
        return None
    return batch


def _same(existing: Assignment, product_id: int, data: ActivationCreate) -> bool:
    """Is ``existing`` what ``data`` asks for? Then a retried request finds it done."""
    asked = (product_id, data.lot, data.production_date, data.line)
    return (existing.product_id, existing.lot, existing.production_date, existing.line) == asked


async def _printed_for(ctx: Ctx, batch: CodeBatch, product: ProductRead, problems: list[FieldError]) -> None:
    """A batch printed for a product carries its GTIN in every Digital Link: another product's
    activation would make each printed code contradict what it is, and no longer resolve."""
    if batch.product_id is None or batch.product_id == product.id or batch.gtin in (None, product.gtin):
        return
    printed = await catalog.lookup_product(ctx, batch.product_id)
    problems.append(
        FieldError(
            "product_id",
            f"batch {batch.id} is printed for {printed.sku} (GTIN {batch.gtin} in its Digital Links), "
            f"not {product.sku}",
            "product_mismatch",
        )
    )


async def activate(ctx: Ctx, data: ActivationCreate) -> list[AssignmentRead]:
    """Activate the selected codes as ``data`` says, all or nothing. Codes already activated
    exactly so (product, lot, production date, line) stay as they are, so a retried request
    succeeds; codes activated otherwise, blocked or outside one batch refuse the request."""
    ctx.require(CODES_WRITE.name)
    product = await catalog.lookup_product(ctx, data.product_id)
    problems: list[FieldError] = []
    if product.status != "active":
        problems.append(FieldError("product_id", "the product is discontinued", "discontinued"))
    chosen = await _selected(ctx, data, "nothing was activated")
    known = await _Known.load(ctx, chosen.runs)
    planned: list[tuple[Run, int]] = []
    kept: dict[int, Assignment] = {}
    checked: set[int] = set()
    # A range must lie in one batch; a list's codes each lie in one, however they neighbour.
    runs = [piece for run in chosen.runs for piece in known.by_batch(run)] if chosen.is_list else chosen.runs
    for run in runs:
        batch = _batch_of(known, run, chosen.fields(run), problems)
        done: list[Run] = []
        for low, high, existing in known.assignments.within(*run):
            piece = (max(low, run[0]), min(high, run[1]))
            if _same(existing, product.id, data):
                done.append(piece)
                kept[existing.id] = existing
                continue
            message = f"{_span(*piece)}: already activated (product {existing.product_id}, lot {existing.lot!r})"
            problems += _problems(chosen.fields(piece), message, "active")
        for kind, blocked in known.blocked.items():
            for low, high, _ in blocked.within(*run):
                piece = (max(low, run[0]), min(high, run[1]))
                problems += _problems(chosen.fields(piece), f"{_span(*piece)}: {kind}ed", kind)
        if batch is not None:
            if batch.id not in checked:
                checked.add(batch.id)
                await _printed_for(ctx, batch, product, problems)
            planned.extend((piece, batch.id) for piece in rules.minus(run, done))
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
    if rows:
        repo.add(ctx.session, *rows)
        await ctx.session.flush()
        identity.record_audit(
            ctx,
            "codes.activated",
            "code_batch",
            ",".join(sorted({str(b) for _, b in planned})),
            {"runs": [list(r) for r, _ in planned], "product_id": product.id, "lot": data.lot},
        )
    return [AssignmentRead.model_validate(r) for r in sorted([*rows, *kept.values()], key=lambda r: r.serial_from)]


async def block(ctx: Ctx, data: BlockCreate) -> list[BlockRead]:
    """Void (作废) or blacklist (拉黑) codes; a blocked code never pays and says why. Only
    serials of existing batches: a range reaching past them would block codes not yet made."""
    ctx.require(CODES_WRITE.name)
    chosen = await _selected(ctx, data, "nothing was blocked")
    known = await _Known.load(ctx, chosen.runs)
    problems: list[FieldError] = []
    for run in chosen.runs:
        inside = [(low, high) for low, high, _ in known.batches.within(*run)]
        for piece in rules.minus(run, inside):
            problems += _problems(chosen.fields(piece), f"{_span(*piece)}: in no batch", "unknown")
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
        for run in chosen.runs
    ]
    repo.add(ctx.session, *rows)
    await ctx.session.flush()
    identity.record_audit(
        ctx,
        f"codes.{data.kind}ed",
        "code_block",
        ",".join(str(r.id) for r in rows),
        {"runs": [list(r) for r in chosen.runs], "reason": data.reason},
    )
    return [BlockRead.model_validate(r) for r in rows]


async def lift_blacklist(ctx: Ctx, block_id: int) -> None:
    """Take codes off the blacklist (解除拉黑: a false alarm, stock found again): they answer as
    their activation says once more. A void is final (作废: a misprint, destroyed stock): 409
    ``void_is_final``. Audited with what was lifted, the only trace kept of the block."""
    ctx.require(CODES_WRITE.name)
    found = await repo.get_block(ctx.session, block_id)
    if found is None:
        raise NotFound(f"block {block_id} not found")
    if found.kind != "blacklist":
        raise Conflict(
            "a void is final; only a blacklist is lifted",
            [FieldError("block_id", "voided codes stay void", "void_is_final")],
            code="void_is_final",
        )
    lifted = {"runs": [[found.serial_from, found.serial_to]], "reason": found.reason, "note": found.note,
              "blacklisted_by": found.created_by, "blacklisted_at": found.created_at.isoformat()}  # fmt: skip
    await repo.delete_block(ctx.session, found)
    identity.record_audit(ctx, "codes.blacklist_lifted", "code_block", found.id, lifted)
