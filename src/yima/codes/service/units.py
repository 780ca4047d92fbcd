"""Read-only facts about units for other contexts (traceability): their canonical EPC, the
parents they currently sit in, and what they hold. No permission of their own: the caller's use
case has checked what it needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from yima.codes import repository as repo
from yima.codes.schemas import ResolvedCode
from yima.codes.service.namespaces import brand_base_url, codec
from yima.codes.tokens import Face
from yima.platform.ctx import Ctx

MAX_DEPTH = 3  # bottle → case → pallet (→ one more, for a mixed pallet in a container)


@dataclass(frozen=True)
class Ancestor:
    """A unit's parent (or grand-parent…): ``since`` is when the unit below it was put in."""

    serial: int
    level: str
    since: dt.datetime | None


async def unit_epcs(ctx: Ctx, serials: Sequence[int]) -> dict[int, str]:
    """serial → the unit's canonical EPC in the events yima writes: ``{base URL}/c/{outer token}``."""
    brand = await codec(ctx)
    base = (await brand_base_url(ctx)).rstrip("/")
    unique = sorted(set(serials))
    tokens = brand.encode_many(np.array(unique, dtype=np.uint64), Face.OUTER)  # one AES call for all
    return {serial: f"{base}/c/{token.tobytes().decode()}" for serial, token in zip(unique, tokens, strict=True)}


async def unit_epc(ctx: Ctx, serial: int) -> str:
    return (await unit_epcs(ctx, [serial]))[serial]


async def ancestors(ctx: Ctx, serial: int) -> list[Ancestor]:
    """The units ``serial`` currently sits in, nearest first (at most MAX_DEPTH), each with
    when the unit below it was put in."""
    chain = await repo.unit_chain(ctx.session, serial, MAX_DEPTH)
    found: list[Ancestor] = []
    seen = {serial}
    for (_, _, _, packed_at), (parent, level, _, _) in pairwise(chain):
        if parent in seen:
            break  # a cycle cannot be packed, but never loop on one
        found.append(Ancestor(parent, level, packed_at))
        seen.add(parent)
    return found


def ancestors_of(unit: ResolvedCode) -> list[Ancestor]:
    """The parents ``describe`` already found, as ``ancestors`` gives them (no query)."""
    return [Ancestor(p.serial, p.level, p.packed_at) for p in unit.parents]


async def children_of(ctx: Ctx, serials: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """What each of ``serials`` holds now, as (serial, level) in serial order, in one query; a
    unit holding nothing is left out."""
    found: dict[int, list[tuple[int, str]]] = {}
    for unit in await repo.children_of(ctx.session, sorted(set(serials))):
        if unit.parent_serial is not None:
            found.setdefault(unit.parent_serial, []).append((unit.serial, unit.level))
    return found


async def children_sample(
    ctx: Ctx, serial: int, limit: int = 20, count: int | None = None
) -> tuple[int, list[tuple[int, str]]]:
    """(how many units ``serial`` holds, the first ``limit`` of them as (serial, level));
    ``count`` when the caller knows it already."""
    count = await repo.count_children(ctx.session, serial) if count is None else count
    if not count:
        return 0, []
    children = await repo.first_children(ctx.session, serial, limit)
    return count, [(u.serial, u.level) for u in children]
