"""Channel stock (analytics, read-only): what dealers and stores received, shipped on and hold,
grouped in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, case, false, func, literal, or_, select, union_all
from sqlalchemy import column as sql_column
from sqlalchemy import values as sql_values
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from yima.platform.db import direct
from yima.trace.models import EpcisEvent, EpcisEventEpc


def _packing_links() -> Any:
    """(parent serial, child serial) of every packing (AggregationEvent ADD not declared in
    error) the store records: the contents a unit was ever packed with."""
    parent, child = aliased(EpcisEventEpc, name="p"), aliased(EpcisEventEpc, name="c")
    return (
        select(parent.serial.label("parent"), child.serial.label("child"))
        .join(child, child.event_pk == parent.event_pk)
        .join(EpcisEvent, EpcisEvent.id == parent.event_pk)
        .where(
            parent.role == "parent",
            child.role == "child",
            parent.serial.is_not(None),
            child.serial.is_not(None),
            EpcisEvent.event_type == "AggregationEvent",
            EpcisEvent.action == "ADD",
            EpcisEvent.error_declared_at.is_(None),
        )
        .distinct()
        .cte("links")
    )


def _movements(bounds: Sequence[dt.datetime]) -> Any:
    """One row per (logistics event, named unit): the holder (``urn:yima:{dealer|store}:{id}``),
    +1 for a receipt at it (bizLocation), −1 for a shipment or return from it (readPoint), and the
    age bucket of the event time (0 newest … len(bounds))."""
    step = EpcisEvent.biz_step
    holder = case((step == "receiving", EpcisEvent.biz_location), else_=EpcisEvent.read_point)
    bucket = case(*((EpcisEventEpc.event_time >= b, i) for i, b in enumerate(bounds)), else_=len(bounds))
    return (
        select(
            holder.label("holder"),
            case((step == "receiving", 1), else_=-1).label("sign"),
            bucket.label("bucket"),
            EpcisEventEpc.serial.label("unit"),
        )
        .join(EpcisEvent, EpcisEvent.id == EpcisEventEpc.event_pk)
        .where(
            EpcisEventEpc.role == "epc",
            EpcisEventEpc.serial.is_not(None),
            EpcisEvent.event_type == "ObjectEvent",
            EpcisEvent.error_declared_at.is_(None),
            step.in_(("receiving", "shipping")),
            or_(*(holder.startswith(f"urn:yima:{kind}:") for kind in ("dealer", "store"))),
        )
        .cte("moves")
    )


async def channel_stock(
    session: AsyncSession, bounds: Sequence[dt.datetime], ranges: Sequence[tuple[int, int, int]]
) -> list[tuple[str, int | None, int, int, list[int]]]:
    """Per (holder URI, product id): bottles received, bottles shipped on, and the bottles on
    hand (received more often than shipped) per age bucket of their latest receipt.

    A named unit counts its bottles: the leaves of its packing tree (up to three levels: a
    pallet's cases' bottles; a unit packed with nothing counts as itself). ``ranges`` are
    (first serial, last serial, product id) of the activated codes; a bottle outside them has no
    product. All in one statement, grouped in the database."""
    links = _packing_links()
    moves = _movements(bounds)
    packed = select(links.c.parent)
    levels = [links.alias(f"l{i}") for i in range(3)]
    # a unit's leaves: itself if it holds nothing; else its children that hold nothing; …
    leaf_queries = [select(moves.c.holder, moves.c.sign, moves.c.bucket, moves.c.unit.label("bottle"))
                    .where(moves.c.unit.not_in(packed))]  # fmt: skip
    for depth in range(1, 4):
        query = select(moves.c.holder, moves.c.sign, moves.c.bucket, levels[depth - 1].c.child.label("bottle"))
        query = query.join(levels[0], levels[0].c.parent == moves.c.unit)
        for i in range(1, depth):
            query = query.join(levels[i], levels[i].c.parent == levels[i - 1].c.child)
        leaf_queries.append(query.where(levels[depth - 1].c.child.not_in(packed)))
    leaves = union_all(*leaf_queries).subquery("leaves")
    per_bottle = (
        select(
            leaves.c.holder,
            leaves.c.bottle,
            func.sum(case((leaves.c.sign > 0, 1), else_=0)).label("ins"),
            func.sum(case((leaves.c.sign < 0, 1), else_=0)).label("outs"),
            func.min(case((leaves.c.sign > 0, leaves.c.bucket))).label("bucket"),
        )
        .group_by(leaves.c.holder, leaves.c.bottle)
        .subquery("per_bottle")
    )
    product: Any = literal(None, BigInteger)
    query = select(per_bottle.c.holder)
    if ranges and direct.on_postgres(session):  # a VALUES list joined by range
        columns = (sql_column(name, BigInteger) for name in ("lo", "hi", "product_id"))
        known = sql_values(*columns, name="ranges").data(list(ranges))
        product = known.c.product_id
        query = query.outerjoin(known, per_bottle.c.bottle.between(known.c.lo, known.c.hi))
    elif ranges:  # SQLite names no VALUES columns: a CASE over the ranges
        product = case(*((per_bottle.c.bottle.between(lo, hi), pid) for lo, hi, pid in ranges))
    on_hand = per_bottle.c.ins > per_bottle.c.outs
    buckets = [
        func.sum(case((on_hand & (per_bottle.c.bucket == i), 1), else_=0)).label(f"b{i}")
        for i in range(len(bounds) + 1)
    ]
    query = query.add_columns(
        product.label("product_id"), func.sum(per_bottle.c.ins), func.sum(per_bottle.c.outs), *buckets
    ).group_by(per_bottle.c.holder, product)
    rows = (await session.execute(query)).all()
    return [(r[0], r[1], int(r[2] or 0), int(r[3] or 0), [int(v or 0) for v in r[4:]]) for r in rows]


async def units_received(session: AsyncSession, since: dt.datetime, until: dt.datetime, ranges: list[Any]) -> int:
    """Distinct units with a serial in ``ranges`` (lo, hi) received at a dealer or store in [since, until)."""
    moves, links = _movements([until, since]), _packing_links()  # bucket 1: since <= event time < until
    got = select(moves.c.unit).where(moves.c.sign > 0, moves.c.bucket == 1).subquery("got")
    units = union_all(select(got.c.unit), select(links.c.child).join(got, links.c.parent == got.c.unit)).subquery()
    wanted = or_(false(), *(units.c.unit.between(lo, hi) for lo, hi in ranges))  # a pallet stands for its cases
    return int((await session.execute(select(func.count(units.c.unit.distinct())).where(wanted))).scalar_one())
