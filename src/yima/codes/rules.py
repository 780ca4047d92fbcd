"""Pure rules of codes: levels and faces, serial ranges, unit states, packing checks."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

from yima.platform.errors import FieldError

LEVELS = ("bottle", "case", "pallet")
CHILD_LEVEL = {"case": "bottle", "pallet": "case"}
DEFAULT_FACES = {"bottle": ["outer", "inner"], "case": ["outer", "inner"], "pallet": ["outer"]}
FACE_NAMES = ("outer", "inner")
MAX_BATCH = 10_000_000
BLOCK_KINDS = ("void", "blacklist")
BLOCK_REASONS = ("misprint", "stolen", "too_many_scans", "damaged", "other")
SUPPLIER_KINDS = ("cap_factory", "carton_printer", "production_line", "other")
T = TypeVar("T")


def runs(serials: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted, de-duplicated serials as contiguous (first, last) runs."""
    result: list[tuple[int, int]] = []
    for serial in sorted(set(serials)):
        if result and serial == result[-1][1] + 1:
            result[-1] = (result[-1][0], serial)
        else:
            result.append((serial, serial))
    return result


def merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or adjacent ranges joined into disjoint ones, in order."""
    result: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if result and low <= result[-1][1] + 1:
            result[-1] = (result[-1][0], max(result[-1][1], high))
        else:
            result.append((low, high))
    return result


def minus(run: tuple[int, int], pieces: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``run`` that none of ``pieces`` covers, in order."""
    result: list[tuple[int, int]] = []
    at = run[0]
    for low, high in merge(pieces):
        if high < at or low > run[1]:
            continue
        if low > at:
            result.append((at, low - 1))
        at = max(at, high + 1)
    if at <= run[1]:
        result.append((at, run[1]))
    return result


def spans(ranges: Iterable[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    """Ranges joined into a few spans, a new one where two are more than ``gap`` apart: what a
    request touches, each range wholly inside one span, to load batches and activations by."""
    result: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if result and low - result[-1][1] <= gap:
            result[-1] = (result[-1][0], max(result[-1][1], high))
        else:
            result.append((low, high))
    return result


class Disjoint(Generic[T]):
    """Ranges that do not overlap (batches, activations, merged blocks), each with a value:
    those meeting a range, found by bisection."""

    def __init__(self, items: Iterable[tuple[int, int, T]]) -> None:
        self._items = sorted(items, key=lambda item: item[0])
        self._starts = [item[0] for item in self._items]

    def within(self, low: int, high: int) -> list[tuple[int, int, T]]:
        at = bisect.bisect_right(self._starts, high)
        found: list[tuple[int, int, T]] = []
        while at > 0 and self._items[at - 1][1] >= low:  # disjoint: ends fall as starts do
            at -= 1
            found.append(self._items[at])
        return found[::-1]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def size(run: tuple[int, int]) -> int:
    return run[1] - run[0] + 1


def covered(run: tuple[int, int], ranges: Sequence[tuple[int, int]]) -> int:
    """How many serials of ``run`` fall inside ``ranges`` (which do not overlap each other)."""
    return sum(max(0, min(run[1], r[1]) - max(run[0], r[0]) + 1) for r in ranges)


@dataclass(frozen=True)
class UnitFacts:
    """What packing needs to know of one unit, gathered before any rule runs."""

    label: str  # where it came from in the request, for error messages
    serial: int | None  # None: the code did not resolve
    level: str | None = None
    state: str | None = None  # inactive | active | voided | blacklisted
    product_id: int | None = None
    parent_serial: int | None = None


class UnitBatch(NamedTuple):
    """The batch a unit belongs to, as its facts read it: read as columns, not as an ORM object
    (the consumer scan's hot path)."""

    id: int
    level: str
    faces: Sequence[str]
    product_id: int | None
    gtin: str | None  # printed in its Digital Links


class UnitActivation(NamedTuple):
    """The activation (空码赋值) covering a unit, as its facts read it."""

    product_id: int
    lot: str
    production_date: dt.date | None


class UnitBlock(NamedTuple):
    """A block (作废 or 拉黑) covering a unit, as its facts read it."""

    kind: str
    reason: str


def unit_state(active: bool, block_kind: str | None) -> str:
    if block_kind == "void":
        return "voided"
    if block_kind == "blacklist":
        return "blacklisted"
    return "active" if active else "inactive"


def pack_problems(
    where: str,
    parent: UnitFacts,
    children: Sequence[UnitFacts],
    expected_count: int | None,
    claimed_parents: Collection[int] = frozenset(),
    claimed_children: Collection[int] = frozenset(),
    other_children: int = 0,
) -> list[FieldError]:
    """Everything wrong with packing ``children`` into ``parent``; empty means it may go ahead.

    ``expected_count`` comes from the parent product's packaging spec (bottles per case, cases
    per pallet); ``claimed_parents`` / ``claimed_children`` hold serials used in those roles
    earlier in the same request (a case may be a parent in one operation and a child in a later
    one); ``other_children`` counts units the parent already holds that this operation does
    not name (a parent is filled once, or again with the same units)."""
    problems: list[FieldError] = []

    def fail(field: str, message: str, code: str) -> None:
        problems.append(FieldError(field, message, code))

    def usable(fact: UnitFacts, field: str) -> bool:
        if fact.serial is None:
            fail(field, f"{fact.label!r} is not a code of this brand", "unknown_code")
        elif fact.state != "active":
            fail(field, f"{fact.label!r} is {fact.state}, not active", "not_active")
        else:
            return True
        return False

    if usable(parent, f"{where}.parent"):
        if parent.serial in claimed_parents:
            fail(f"{where}.parent", f"{parent.label!r} appears twice in this request", "duplicate")
        if parent.level not in CHILD_LEVEL:
            fail(f"{where}.parent", f"a {parent.level} cannot contain anything", "wrong_level")
    child_level = CHILD_LEVEL.get(parent.level or "")
    seen: set[int] = set()
    for i, child in enumerate(children):
        field = f"{where}.children[{i}]"
        if not usable(child, field):
            continue
        assert child.serial is not None
        if child.serial in claimed_children or child.serial in seen:
            fail(field, f"{child.label!r} appears twice in this request", "duplicate")
            continue
        seen.add(child.serial)
        if child_level and child.level != child_level:
            fail(field, f"a {parent.level} holds {child_level}s, not a {child.level}", "wrong_level")
        if child.parent_serial is not None and child.parent_serial != parent.serial:
            fail(field, f"{child.label!r} is already packed elsewhere", "already_packed")
        if parent.product_id is not None and child.product_id != parent.product_id:
            fail(field, f"{child.label!r} is another product than its parent", "mixed_products")
    if other_children:
        fail(f"{where}.parent", f"it already holds {other_children} other units; unpack it first", "not_empty")
    if expected_count is not None and len(children) != expected_count:
        fail(f"{where}.children", f"the spec says {expected_count} per {parent.level}, got {len(children)}", "count")
    return problems


# legacy imports ------------------------------------------------------------------------------

LEGACY_CODE_MAX = 200
LEGACY_PROBLEMS_KEPT = 1000
FACE_WORDS = {"outer": "outer", "inner": "inner", "外码": "outer", "内码": "inner", "外": "outer", "内": "inner"}


def legacy_face(text: str, default: str) -> str | None:
    """The face a cell names (English or 外码/内码), the default when empty, None when unknown."""
    text = text.strip()
    return default if not text else FACE_WORDS.get(text.lower())


def legacy_code_problem(code: str, ours: str | None) -> tuple[str, str] | None:
    """(code, message) when a printed string cannot be kept as a legacy code. ``ours`` names
    what the string already is in this brand (``token`` or ``digital_link`` when the brand's key
    decodes it): a code of our own is never imported as someone else's. Strings merely shaped
    like ours (a /c/ URL, 12 digits) are kept: resolving tries the legacy table for them too."""
    if not code:
        return "empty", "the code is empty"
    if len(code) > LEGACY_CODE_MAX:
        return "too_long", f"the code is {len(code)} characters, at most {LEGACY_CODE_MAX}"
    if not code.isprintable():
        return "bad_characters", "the code contains control characters or line breaks"
    if ours is not None:
        return "not_legacy", f"this is already a yima {ours.replace('_', ' ')} of this brand"
    return None


def clusters(serials: Iterable[int], gap: int) -> list[tuple[int, int]]:
    """Serials grouped into ranges, a new one where two neighbours are more than ``gap`` apart:
    what a request touches, as a few ranges to load batches, activations and blocks by."""
    return spans(((serial, serial) for serial in serials), gap)
