"""Resolve: any printed string → the unit, its face, level, product, batch, state and parents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from yima.catalog import service as catalog
from yima.codes import links, printfiles, rules
from yima.codes import repository as repo
from yima.codes.errors import BadCode, UnknownCode
from yima.codes.models import Assignment, CodeBatch, CodeBlock
from yima.codes.permissions import CODES_READ
from yima.codes.schemas import ProductBrief, ResolvedCode, UnitRef
from yima.codes.service.namespaces import brand_base_url, codec
from yima.codes.tokens import Face
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.platform.errors import FieldError


@dataclass(frozen=True)
class Located:
    """A printed string pinned to a serial (and a face, unless it was a 防伪码)."""

    kind: str
    serial: int
    face: Face | None
    gtin: str | None = None


async def locate(ctx: Ctx, text: str, field: str = "code") -> Located:
    """Which serial a printed string names in this brand, or UnknownCode / BadCode.

    Our own tokens and Digital Links are decoded first. Anything else — including a previous
    vendor's string merely shaped like ours (a /c/ URL, 12 digits) — is looked up among the
    imported legacy codes before being read as a 防伪码."""
    try:
        printed = links.parse_printed(text)
    except links.LinkError as exc:
        if (legacy := await repo.legacy_code(ctx.session, text.strip())) is not None:
            return Located("legacy", legacy.serial, Face[legacy.face.upper()])
        raise BadCode(str(exc), [FieldError(field, str(exc), "bad_digital_link")]) from exc
    brand = await codec(ctx)
    if printed.kind in ("token", "digital_link"):
        decoded = brand.decode(printed.value)
        if decoded is not None:
            return Located(printed.kind, decoded.serial, decoded.face, printed.gtin)
    if (legacy := await repo.legacy_code(ctx.session, text.strip())) is not None:
        return Located("legacy", legacy.serial, Face[legacy.face.upper()])
    if printed.kind == "anti_fake":
        serial = brand.serial_of_anti_fake(printed.value)
        # Any 12 digits decrypt to a serial: only one of a batch we printed (a previous vendor's
        # units carry no 防伪码) names a unit.
        batch = await repo.batch_for_serial(ctx.session, serial) if serial is not None else None
        if serial is not None and batch is not None and not batch.legacy:
            return Located("anti_fake", serial, None)
    if printed.kind in ("token", "digital_link"):
        raise UnknownCode("not a valid code of this brand", [FieldError(field, "invalid code", "invalid")])
    raise UnknownCode("no such code in this brand", [FieldError(field, "unknown code", "unknown")])


@dataclass(frozen=True)
class UnitFactsRow:
    batch: rules.UnitBatch
    assignment: rules.UnitActivation | None
    state: str
    block_reason: str | None


def _facts(
    batch: rules.UnitBatch, assignment: rules.UnitActivation | None, blocks: Sequence[rules.UnitBlock]
) -> UnitFactsRow:
    block = next((b for b in blocks if b.kind == "void"), None) or (blocks[0] if blocks else None)
    state = rules.unit_state(assignment is not None, block.kind if block else None)
    return UnitFactsRow(batch, assignment, state, block.reason if block else None)


def _facts_of_models(batch: CodeBatch, assignment: Assignment | None, blocks: Sequence[CodeBlock]) -> UnitFactsRow:
    """``unit_rows_of`` loads ORM objects: their values as ``unit_rows`` reads them, so that both
    give equal facts."""
    return _facts(
        rules.UnitBatch(batch.id, batch.level, batch.faces, batch.product_id, batch.gtin),
        rules.UnitActivation(assignment.product_id, assignment.lot, assignment.production_date) if assignment else None,
        [rules.UnitBlock(b.kind, b.reason) for b in blocks],
    )


def _known(
    serial: int,
    batch: rules.UnitBatch | None,
    assignment: rules.UnitActivation | None,
    blocks: Sequence[rules.UnitBlock],
) -> UnitFactsRow:
    """The facts of a unit as read; UnknownCode if it lies in no batch."""
    if batch is None:
        raise UnknownCode(f"serial {serial} belongs to no batch", [FieldError("code", "unknown", "unknown")])
    return _facts(batch, assignment, blocks)


async def unit_facts(ctx: Ctx, serial: int) -> UnitFactsRow:
    return _known(serial, *await repo.unit_rows(ctx.session, serial))


async def unit_facts_of(ctx: Ctx, serials: Iterable[int]) -> dict[int, UnitFactsRow]:
    """``unit_facts`` of many units in one query: serial → facts. Serials in no batch are left
    out (where ``unit_facts`` raises UnknownCode), so a caller decides what an unknown one means."""
    rows = await repo.unit_rows_of(ctx.session, list(serials))
    return {serial: _facts_of_models(*row) for serial, row in rows.items()}


async def resolve(ctx: Ctx, text: str) -> ResolvedCode:
    ctx.require(CODES_READ.name)
    return await describe(ctx, text)


async def describe(ctx: Ctx, text: str) -> ResolvedCode:
    """``resolve`` without the permission check, for contexts that show a code to its scanner
    (the public code page) and decide themselves what to reveal."""
    described: ResolvedCode = (await direct.run_together(ctx.session, [await describe_later(ctx, text)]))[0]
    return described


async def describe_later(ctx: Ctx, text: str) -> direct.Deferred[ResolvedCode]:
    """``describe`` with its statement not yet sent: the scan sends it together with other
    contexts' (``direct.run_together``). A code no brand's codec reads raises here, one whose
    unit is unknown when run."""
    located = await locate(ctx, text)

    async def then(found: direct.Rows) -> ResolvedCode:
        return await _described(ctx, located, repo.unit_rows_and_chain_in(found))

    # The unit's facts and the units it sits in, in one round trip: every consumer scan reads both.
    return direct.Deferred(*repo.unit_rows_and_chain_later(ctx.session, located.serial, 3), then)


async def _described(ctx: Ctx, located: Located, found: repo.UnitRowsAndChain) -> ResolvedCode:
    batch, assignment, blocks, chain = found
    facts = _known(located.serial, batch, assignment, blocks)
    if located.face is not None and located.face.name.lower() not in facts.batch.faces:
        raise UnknownCode("this batch prints no such face", [FieldError("code", "wrong face", "unknown")])
    product = await catalog.lookup_product(ctx, facts.assignment.product_id) if facts.assignment else None
    # A Digital Link names a product: the GTIN printed on the batch, or the assigned product's.
    if located.gtin is not None and located.gtin not in {facts.batch.gtin, product.gtin if product else None}:
        raise BadCode(
            "the Digital Link's GTIN is not this unit's product", [FieldError("code", "GTIN mismatch", "gtin")]
        )
    parents = [
        UnitRef(serial=serial, level=level, packed_at=below[3])
        for below, (serial, level, _, _) in pairwise(chain)
        if serial != located.serial
    ]
    face = located.face or (Face.INNER if "inner" in facts.batch.faces else Face.OUTER)
    return ResolvedCode(
        input_kind=located.kind,
        serial=located.serial,
        face=located.face.name.lower() if located.face is not None else None,
        level=facts.batch.level,
        batch_id=facts.batch.id,
        state=facts.state,
        block_reason=facts.block_reason,
        product=ProductBrief(id=product.id, sku=product.sku, name=product.name, gtin=product.gtin) if product else None,
        lot=facts.assignment.lot if facts.assignment else None,
        production_date=facts.assignment.production_date if facts.assignment else None,
        parents=parents,
        children_count=0 if facts.batch.level == "bottle" else await repo.count_children(ctx.session, located.serial),
        url=printfiles.url_prefix(await brand_base_url(ctx), facts.batch.gtin)
        + (await codec(ctx)).encode(located.serial, face),
    )
