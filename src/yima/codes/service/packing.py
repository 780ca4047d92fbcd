"""产线关联采集 (line aggregation): pack bottles into cases and cases onto pallets; unpack.

A request is all or nothing. Every printed string is decoded first (pure computation); what
packing needs to know — batches, activations, blocks, existing units, legacy strings — is then
loaded with a few set-based queries; every problem is found in memory (rules.pack_problems); only
then are the links written, with bulk statements whose conditions make a concurrent claim of the
same child lose (Conflict) rather than move it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from yima.catalog import service as catalog
from yima.catalog.schemas import ProductRead
from yima.codes import links, printfiles, rules
from yima.codes import repository as repo
from yima.codes.events import UnitsPacked, UnitsUnpacked
from yima.codes.models import Assignment, CodeBatch
from yima.codes.permissions import CODES_READ, PACKING_WRITE
from yima.codes.schemas import (
    ChildUnit,
    PackRequest,
    PackResult,
    UnitChildren,
    UnpackRequest,
    UnpackResult,
)
from yima.codes.service.namespaces import base_url, codec, ensure_namespace
from yima.codes.tokens import Face
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Invalid, NotFound
from yima.platform.outbox import service as outbox

MAX_CODES = 50_000  # printed strings in one request: a line reports in pieces
CLUSTER_GAP = 10_000  # serials this close are loaded as one range
# A bare token or a token URL (…/C/{token}): tried first, without the general parser.
_TOKEN = re.compile(r"^\s*(?:[hH][tT][tT][pP][sS]?://[^/?#\s]+/[cC]/)?([0-9A-Za-z]{20})/?\s*$")
_FACE_NAMES = {face: face.name.lower() for face in Face}
T = TypeVar("T")


@dataclass(frozen=True)
class Pinned:
    """A printed string pinned to a serial (face None for a 防伪码), before its facts are known."""

    serial: int
    face: str | None
    gtin: str | None = None


@dataclass(frozen=True)
class Plan:
    """What a valid request will write, and what changes (for the traceability events to come)."""

    parents: list[tuple[int, str]]  # (serial, level)
    links: list[tuple[int, str, int]]  # (child serial, child level, parent serial)
    fields: dict[int, str]  # child serial → where it is in the request
    expected: dict[int, int]  # parent serial → how many children it must end with
    new_links: list[tuple[int, int]]  # (child, parent) not in place before


class _Ranges(Generic[T]):
    """Disjoint serial ranges, each with a value, found by bisection (neighbours in a request
    mostly fall in the range found last, so that one is tried first)."""

    def __init__(self, items: Iterable[tuple[int, int, T]]) -> None:
        self._items = sorted(items, key=lambda item: item[0])
        self._starts = [item[0] for item in self._items]
        self._last: tuple[int, int, T | None] = (1, 0, None)

    def find(self, serial: int) -> T | None:
        low, high, value = self._last
        if low <= serial <= high:
            return value
        at = bisect.bisect_right(self._starts, serial) - 1
        if at >= 0 and self._items[at][1] >= serial:
            self._last = self._items[at]
            return self._items[at][2]
        return None


async def _pin_all(ctx: Ctx, entries: Sequence[tuple[str, str]]) -> tuple[dict[str, list[Pinned]], dict[str, str]]:
    """field → candidate serials (a 防伪码 may also be a legacy string: both are kept, the facts
    decide), and field → why it was refused outright."""
    brand = await codec(ctx)
    candidates: dict[str, list[Pinned]] = {}
    refused: dict[str, str] = {}
    legacy: dict[str, list[str]] = {}
    for field, text in entries:
        quick = _TOKEN.match(text)
        decoded = brand.decode(quick.group(1)) if quick else None
        if decoded is not None:  # the usual case, a token or token URL: no general parsing
            candidates[field] = [Pinned(decoded.serial, _FACE_NAMES[decoded.face])]
            continue
        try:
            printed = links.parse_printed(text)
        except links.LinkError as exc:
            refused[field] = str(exc)
            legacy.setdefault(text.strip(), []).append(field)  # unless a previous vendor printed it
            continue
        if printed.kind in ("token", "digital_link"):
            decoded = brand.decode(printed.value)
            if decoded is not None:
                candidates[field] = [Pinned(decoded.serial, decoded.face.name.lower(), printed.gtin)]
            else:  # perhaps a previous vendor's code shaped like ours
                legacy.setdefault(text.strip(), []).append(field)
            continue
        if printed.kind == "anti_fake":
            serial = brand.serial_of_anti_fake(printed.value)
            candidates[field] = [Pinned(serial, None)] if serial is not None else []
        legacy.setdefault(text.strip(), []).append(field)
    for code, (serial, face) in (await repo.legacy_codes(ctx.session, list(legacy))).items():
        for field in legacy[code]:
            candidates.setdefault(field, []).insert(0, Pinned(serial, face))  # as resolve: legacy first
            refused.pop(field, None)
    return candidates, refused


class _Facts:
    """Everything packing needs to know of the serials a request names, loaded set-wise."""

    @classmethod
    async def load(cls, ctx: Ctx, serials: set[int], holders: Iterable[int] = ()) -> _Facts:
        """``holders``: serials that may be parents, whose current contents are wanted too."""
        facts = cls()
        ranges = rules.clusters(serials, CLUSTER_GAP)
        batches = await repo.batches_overlapping(ctx.session, ranges)
        facts.batches = _Ranges((b.first_serial, b.last_serial, b) for b in batches)
        found = await repo.assignments_overlapping(ctx.session, ranges)
        facts.assignments = _Ranges((a.serial_from, a.serial_to, a) for a in found)
        blocks = await repo.blocks_overlapping(ctx.session, ranges)
        facts.blocked = {
            kind: _Ranges(
                (low, high, kind)
                for low, high in rules.merge((b.serial_from, b.serial_to) for b in blocks if b.kind == kind)
            )
            for kind in rules.BLOCK_KINDS
        }
        facts.parents, facts.contents = await repo.parents_and_contents(ctx.session, sorted(serials), sorted(holders))
        product_ids = {a.product_id for a in found} | {b.product_id for b in batches if b.product_id}
        facts.products = {pid: await catalog.lookup_product(ctx, pid) for pid in product_ids}
        return facts

    batches: _Ranges[CodeBatch]
    assignments: _Ranges[Assignment]
    blocked: dict[str, _Ranges[str]]
    parents: dict[int, int | None]
    contents: list[tuple[int, int]]  # (child, parent) now inside the holders
    products: dict[int, ProductRead]

    def unit(self, label: str, pinned: Sequence[Pinned]) -> tuple[rules.UnitFacts, str | None]:
        """The facts of the first candidate that is a unit of this brand (None if none is), or
        why a string that decoded is still refused (a face or GTIN its batch does not print)."""
        why: str | None = None
        for pin in pinned:
            batch = self.batches.find(pin.serial)
            if batch is None or (pin.face is None and batch.legacy):
                continue  # a previous vendor's units have no 防伪码: 12 digits naming one name nothing
            if pin.face is not None and pin.face not in batch.faces:
                why = f"batch {batch.id} prints no {pin.face} code"
                continue
            assignment = self.assignments.find(pin.serial)
            product_id = assignment.product_id if assignment else batch.product_id
            if pin.gtin is not None and (product_id is None or self.products[product_id].gtin != pin.gtin):
                why = "the Digital Link's GTIN is not this unit's product"
                continue
            block = self.blocked["void"].find(pin.serial) or self.blocked["blacklist"].find(pin.serial)
            fact = rules.UnitFacts(
                label=label,
                serial=pin.serial,
                level=batch.level,
                state=rules.unit_state(assignment is not None, block),
                product_id=assignment.product_id if assignment else None,
                parent_serial=self.parents.get(pin.serial),
            )
            return fact, None
        return rules.UnitFacts(label=label, serial=None), why


async def _expected_counts(ctx: Ctx, facts: _Facts, parents: Iterable[rules.UnitFacts]) -> dict[int, int]:
    """parent serial → children its product's packaging spec says it holds (no spec: no check)."""
    specs: dict[int, tuple[int, int]] = {}
    expected: dict[int, int] = {}
    for parent in parents:
        if parent.serial is None or parent.product_id is None or parent.level not in rules.CHILD_LEVEL:
            continue
        spec_id = facts.products[parent.product_id].packaging_spec_id
        if spec_id is None:
            continue
        if spec_id not in specs:
            spec = await catalog.lookup_spec(ctx, spec_id)
            specs[spec_id] = (spec.bottles_per_case, spec.cases_per_pallet)
        expected[parent.serial] = specs[spec_id][0 if parent.level == "case" else 1]
    return expected


def _only_specific(problems: list[FieldError], refused: dict[str, str]) -> list[FieldError]:
    """A string refused for a reason of its own says that reason, not 'unknown code'."""
    out = [p for p in problems if not (p.code == "unknown_code" and p.field in refused)]
    out.extend(FieldError(field, why, "unknown_code") for field, why in refused.items())
    return sorted(out, key=lambda p: [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", p.field)])


async def plan_packing(ctx: Ctx, data: PackRequest) -> Plan:
    """Check the whole request; Invalid listing every problem, or the plan to write."""
    ctx.require(PACKING_WRITE.name)
    entries: list[tuple[str, str]] = []
    for i, op in enumerate(data.operations):
        entries.append((f"operations[{i}].parent", op.parent))
        entries.extend((f"operations[{i}].children[{j}]", text) for j, text in enumerate(op.children))
    if len(entries) > MAX_CODES:
        raise Invalid(
            f"at most {MAX_CODES:,} codes a request", [FieldError("operations", "too many codes", "too_many")]
        )
    candidates, refused = await _pin_all(ctx, entries)
    holders = {pin.serial for field, pins in candidates.items() if field.endswith(".parent") for pin in pins}
    facts = await _Facts.load(ctx, {pin.serial for pins in candidates.values() for pin in pins}, holders)
    known: dict[str, rules.UnitFacts] = {}
    for field, text in entries:
        known[field], why = facts.unit(text, candidates.get(field, []))
        if why is not None and known[field].serial is None:
            refused[field] = why
    parents = [known[f"operations[{i}].parent"] for i in range(len(data.operations))]
    expected = await _expected_counts(ctx, facts, parents)
    inside: dict[int, set[int]] = {}
    for held, holder in facts.contents:
        inside.setdefault(holder, set()).add(held)
    problems: list[FieldError] = []
    claimed_parents: set[int] = set()
    claimed_children: set[int] = set()
    plan = Plan(parents=[], links=[], fields={}, expected={}, new_links=[])
    for i, (op, parent) in enumerate(zip(data.operations, parents, strict=True)):
        children = [known[f"operations[{i}].children[{j}]"] for j in range(len(op.children))]
        named = {c.serial for c in children if c.serial is not None}
        others = len(inside.get(parent.serial, set()) - named) if parent.serial is not None else 0
        where = f"operations[{i}]"
        count = expected.get(parent.serial) if parent.serial is not None else None
        problems += rules.pack_problems(where, parent, children, count, claimed_parents, claimed_children, others)
        claimed_children |= named
        if parent.serial is None:
            continue
        claimed_parents.add(parent.serial)
        if problems:
            continue  # the request is refused: only the problems matter now
        plan.parents.append((parent.serial, parent.level or ""))
        plan.expected[parent.serial] = len(children)
        for j, child in enumerate(children):
            assert child.serial is not None
            plan.links.append((child.serial, child.level or "", parent.serial))
            plan.fields[child.serial] = f"{where}.children[{j}]"
            if child.parent_serial != parent.serial:
                plan.new_links.append((child.serial, parent.serial))
    problems = _only_specific(problems, refused)
    if problems:
        raise Invalid(f"nothing was packed: {len(problems)} problem(s)", problems)
    return plan


async def apply_packing(ctx: Ctx, plan: Plan) -> PackResult:
    """Write a checked plan. A child another request packed since the check, or a parent it
    filled, makes the whole request a Conflict (the edge rolls it back)."""
    now = ctx.now()
    units: dict[int, tuple[str, int | None]] = {serial: (level, None) for serial, level in plan.parents}
    units.update({child: (level, parent) for child, level, parent in plan.links})  # a case may be both
    placed = [(serial, level, parent) for serial, (level, parent) in units.items()]
    lost = [
        FieldError(plan.fields[child], "packed elsewhere meanwhile", "already_packed")
        for child in await repo.place_units(ctx.session, ctx.tenant_id, placed, now)
    ]
    counts = await repo.child_counts(ctx.session, list(plan.expected))
    lost += [
        FieldError(f"parent {serial}", "filled by another request meanwhile", "not_empty")
        for serial, count in plan.expected.items()
        if counts.get(serial, 0) > count  # fewer: a child was lost, reported above
    ]
    if lost:
        raise Conflict("nothing was packed: another request packed some of these units at the same time", lost)
    if plan.new_links:
        outbox.publish(ctx, UnitsPacked(at=now, links=plan.new_links, by=ctx.actor.name))
    return PackResult(parents=len(plan.parents), links=len(plan.links), new_links=len(plan.new_links))


async def pack(ctx: Ctx, data: PackRequest) -> PackResult:
    """产线关联采集: put each operation's children into its parent, all or nothing. Packing a
    child into the parent it is already in changes nothing, so a retried request succeeds."""
    return await apply_packing(ctx, await plan_packing(ctx, data))


async def units_of(ctx: Ctx, codes: Sequence[str], name: str, refusal: str) -> list[rules.UnitFacts]:
    """The unit each printed string names, in order, read the way packing reads them (a face or
    GTIN its batch does not print names nothing); Invalid(``refusal``) listing every string that
    names no unit of this brand, as ``{name}[i]``. A few queries, however many strings."""
    entries = [(f"{name}[{i}]", text) for i, text in enumerate(codes)]
    candidates, refused = await _pin_all(ctx, entries)
    facts = await _Facts.load(ctx, {pin.serial for pins in candidates.values() for pin in pins})
    units: list[rules.UnitFacts] = []
    problems: list[FieldError] = []
    for field, text in entries:
        fact, why = facts.unit(text, candidates.get(field, []))
        if fact.serial is None:
            problems.append(
                FieldError(field, why or refused.get(field) or f"{text!r} is not a code of this brand", "unknown_code")
            )
        units.append(fact)
    if problems:
        raise Invalid(f"{refusal}: {len(problems)} unknown code(s)", problems)
    return units


async def unpack(ctx: Ctx, data: UnpackRequest) -> UnpackResult:
    """Empty the given parents (拆箱): their children no longer sit in anything. A bottle holds
    nothing, so naming one (as if it could be taken out by itself) refuses the request."""
    ctx.require(PACKING_WRITE.name)
    units = await units_of(ctx, data.codes, "codes", "nothing was unpacked")
    wrong = [
        FieldError(
            f"codes[{i}]", f"{unit.label!r} is a {unit.level}: it holds nothing; unpack what it is in", "wrong_level"
        )
        for i, unit in enumerate(units)
        if unit.level not in rules.CHILD_LEVEL
    ]
    if wrong:
        raise Invalid(f"nothing was unpacked: {len(wrong)} code(s) hold nothing", wrong)
    parents = sorted({unit.serial for unit in units if unit.serial is not None})
    removed = await repo.child_links(ctx.session, parents)
    now = ctx.now()
    await repo.unlink_children(ctx.session, parents, now)
    if removed:
        outbox.publish(ctx, UnitsUnpacked(at=now, links=removed, by=ctx.actor.name))
    return UnpackResult(parents=len(parents), links_removed=len(removed))


async def unit_children(ctx: Ctx, serial: int) -> UnitChildren:
    """What a case or pallet holds, each with the code printed on its outer face."""
    ctx.require(CODES_READ.name)
    batch = await repo.batch_for_serial(ctx.session, serial)
    if batch is None:
        raise NotFound(f"unit {serial} not found")
    children = [child for child, _ in await repo.child_links(ctx.session, [serial])]
    batches = _Ranges(
        (b.first_serial, b.last_serial, b)
        for b in await repo.batches_overlapping(ctx.session, rules.clusters(children, CLUSTER_GAP))
    )
    legacy = await repo.legacy_codes_of(ctx.session, [c for c in children if (b := batches.find(c)) and b.legacy])
    brand, base = await codec(ctx), base_url(await ensure_namespace(ctx))
    prefixes: dict[int, str] = {}
    listed: list[ChildUnit] = []
    for child in children:
        of = batches.find(child)
        if of is None:
            listed.append(ChildUnit(serial=child, level="", face=None, url=None))
            continue
        face = "outer" if "outer" in of.faces else of.faces[0]
        if of.legacy:
            face = "outer" if (child, "outer") in legacy else "inner"
            listed.append(ChildUnit(serial=child, level=of.level, face=face, url=legacy.get((child, face))))
            continue
        if of.id not in prefixes:
            prefixes[of.id] = printfiles.url_prefix(base, of.gtin)
        url = prefixes[of.id] + brand.encode(child, Face[face.upper()])
        listed.append(ChildUnit(serial=child, level=of.level, face=face, url=url))
    return UnitChildren(serial=serial, level=batch.level, children=listed)
