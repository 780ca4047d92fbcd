"""The channel metrics' statements: GROUP BY over the credits of a period (by the time of their
latest change: paid, held, released or forfeited) and a count of the goods stores registered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from yima.rebates.models import GoodsRegistration, RebateCredit, RebatePolicy

C = RebateCredit
GROUPS: dict[str, tuple[Any, ...]] = {
    "policy": (C.policy_id,),
    "region": (C.region_code,),
    "receiver": (C.receiver_kind, C.receiver_id),
    "state": (C.state,),
}


async def registered(
    session: AsyncSession, since: dt.datetime, until: dt.datetime, ranges: Sequence[tuple[int, int]]
) -> int:
    """Goods with a serial in ``ranges`` registered to a store in [since, until)."""
    if not ranges:
        return 0
    query = select(func.count()).where(
        GoodsRegistration.registered_at >= since,
        GoodsRegistration.registered_at < until,
        or_(*(GoodsRegistration.serial.between(lo, hi) for lo, hi in ranges)),
    )
    return int((await session.execute(query)).scalar_one())


async def credit_totals(
    session: AsyncSession,
    since: dt.datetime,
    until: dt.datetime,
    group: str,
    states: Collection[str] | None = None,
    kinds: Collection[str] | None = None,
) -> list[tuple[Any, ...]]:
    """(*the group's keys, credits, fen) of the credits last changed in [since, until), of
    ``states`` and of policies of ``kinds`` when given."""
    keys = GROUPS[group]
    query = select(*keys, func.count(), func.coalesce(func.sum(C.amount_fen), 0)).where(
        C.updated_at >= since, C.updated_at < until
    )
    if states is not None:
        query = query.where(C.state.in_(list(states)))
    if kinds is not None:
        query = query.join(RebatePolicy, RebatePolicy.id == C.policy_id).where(RebatePolicy.kind.in_(list(kinds)))
    rows = (await session.execute(query.group_by(*keys))).all()
    return [(*r[: len(keys)], int(r[-2]), int(r[-1])) for r in rows]


# the channel assistants (渠道助手) -----------------------------------------------------------------


def _receivers(receivers: Collection[tuple[str, int]]) -> Any:
    return or_(false(), *(and_(C.receiver_kind == kind, C.receiver_id == i) for kind, i in receivers))


async def receiver_totals(session: AsyncSession, receivers: Collection[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """(state, credits, fen) of these (kind, id) receivers' credits, all time."""
    query = select(C.state, func.count(), func.coalesce(func.sum(C.amount_fen), 0)).where(_receivers(receivers))
    return [(str(s), int(c), int(a)) for s, c, a in (await session.execute(query.group_by(C.state))).all()]


async def registrations_of(session: AsyncSession, store_ids: Collection[int], limit: int) -> list[GoodsRegistration]:
    """The stores' registered goods, newest first."""
    query = select(GoodsRegistration).where(GoodsRegistration.store_id.in_(list(store_ids)))
    return list((await session.scalars(query.order_by(GoodsRegistration.id.desc()).limit(limit))).all())


async def registration_counts(
    session: AsyncSession, store_ids: Collection[int]
) -> dict[int, tuple[int, dt.datetime | None]]:
    """Per store: goods registered and the latest registration."""
    query = (
        select(GoodsRegistration.store_id, func.count(), func.max(GoodsRegistration.registered_at))
        .where(GoodsRegistration.store_id.in_(list(store_ids)))
        .group_by(GoodsRegistration.store_id)
    )
    return {int(s): (int(c), at) for s, c, at in (await session.execute(query)).all()}
