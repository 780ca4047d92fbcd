"""Every SQL statement of the rebates context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import and_, case, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

from yima.platform.db import direct
from yima.platform.db.base import newest_first
from yima.platform.db.tenancy import prebuilt, tenant_param, tenant_params
from yima.platform.db.upsert import insert_on_conflict
from yima.rebates.models import GoodsRegistration, GuideRegistration, RebateCoupon, RebateCredit, RebatePolicy
from yima.rebates.rules import Registration
from yima.rebates.schemas import CouponFilter, CreditFilter, PolicyFilter


async def get_policy(session: AsyncSession, policy_id: int) -> RebatePolicy | None:
    return await session.get(RebatePolicy, policy_id, populate_existing=True)


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def list_policies(
    session: AsyncSession, filters: PolicyFilter, limit: int, before_id: int | None
) -> list[RebatePolicy]:
    query = select(RebatePolicy)
    if filters.kind:
        query = query.where(RebatePolicy.kind == filters.kind)
    if filters.state:
        query = query.where(RebatePolicy.state == filters.state)
    return list((await session.scalars(newest_first(query, RebatePolicy, limit, before_id))).all())


async def policies_by_ids(session: AsyncSession, ids: Collection[int]) -> dict[int, RebatePolicy]:
    rows = await session.scalars(select(RebatePolicy).where(RebatePolicy.id.in_(list(ids))))
    return {p.id: p for p in rows}


async def active_policies(session: AsyncSession, kinds: Collection[str]) -> list[RebatePolicy]:
    query = select(RebatePolicy).where(RebatePolicy.kind.in_(list(kinds)), RebatePolicy.state == "active")
    return list((await session.scalars(query.order_by(RebatePolicy.id))).all())


async def register(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Register goods to a store unless a store already has them: True when this one took them."""
    statement = (
        insert_on_conflict(session, GoodsRegistration)
        .values(row)
        .on_conflict_do_nothing(index_elements=["tenant_id", "serial"])
        .returning(GoodsRegistration.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def register_for_guide(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Register a bottle to a guide unless a guide already has it: True when this one took it."""
    statement = (
        insert_on_conflict(session, GuideRegistration)
        .values(row)
        .on_conflict_do_nothing(index_elements=["tenant_id", "serial"])
        .returning(GuideRegistration.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def guide_registrations(session: AsyncSession, serials: Sequence[int]) -> dict[int, GuideRegistration]:
    rows = await session.scalars(select(GuideRegistration).where(GuideRegistration.serial.in_(list(serials))))
    return {r.serial: r for r in rows}


_REGISTRATIONS = {  # built once per dialect: the consumer scan's hot path
    postgres: prebuilt(
        select(*(getattr(GoodsRegistration, name) for name in Registration._fields))
        .where(direct.one_of(postgres, GoodsRegistration.serial, "serials"))
        .where(GoodsRegistration.tenant_id == tenant_param())
    )
    for postgres in (False, True)
}


def registrations_later(session: AsyncSession, serials: Sequence[int]) -> tuple[Executable, dict[str, Any]]:
    """``registrations``' statement and parameters, not run (``direct.Deferred``); its rows
    through ``registrations_in``."""
    return _REGISTRATIONS[direct.on_postgres(session)], tenant_params(session, serials=list(serials))


def registrations_in(rows: direct.Rows) -> dict[int, Registration]:
    return {row[0]: Registration._make(row) for row in rows.all()}


async def registrations(session: AsyncSession, serials: Sequence[int]) -> dict[int, Registration]:
    """The goods' registrations by serial: columns on the driver, no ORM objects."""
    if not serials:
        return {}
    return registrations_in(await direct.execute(session, *registrations_later(session, serials)))


async def claim_credit(session: AsyncSession, row: dict[str, Any]) -> RebateCredit | None:
    """Write the credit unless the policy already credited this receiver for this code (a
    redelivered event, a retried scan, a race): the new row, or None."""
    statement = (
        insert_on_conflict(session, RebateCredit)
        .values(row)
        .on_conflict_do_nothing(index_elements=["tenant_id", "policy_id", "serial", "receiver_kind"])
        .returning(RebateCredit.id)
    )
    credit_id = (await session.execute(statement)).scalar_one_or_none()
    return None if credit_id is None else await session.get(RebateCredit, credit_id)


async def held_credits(session: AsyncSession, serials: Sequence[int], lock: bool = True) -> list[RebateCredit]:
    """The held credits of these codes, locked (FOR UPDATE on PostgreSQL) for their release."""
    query = select(RebateCredit).where(RebateCredit.serial.in_(list(serials)), RebateCredit.state == "held")
    if lock:
        query = query.with_for_update()
    return list((await session.scalars(query.order_by(RebateCredit.id))).all())


def _credit_query(filters: CreditFilter) -> Any:
    query = select(RebateCredit)
    for column, value in (
        (RebateCredit.policy_id, filters.policy_id),
        (RebateCredit.state, filters.state),
        (RebateCredit.receiver_kind, filters.receiver_kind),
        (RebateCredit.receiver_id, filters.receiver_id),
        (RebateCredit.serial, filters.serial),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


async def list_credits(
    session: AsyncSession,
    filters: CreditFilter,
    limit: int,
    before_id: int | None,
    receivers: Collection[tuple[str, int]] | None = None,
) -> list[RebateCredit]:
    """Newest first; ``receivers``: only these (kind, id) receivers' credits."""
    query = _credit_query(filters)
    if receivers is not None:
        query = query.where(
            or_(false(), *(and_(RebateCredit.receiver_kind == k, RebateCredit.receiver_id == i) for k, i in receivers))
        )
    return list((await session.scalars(newest_first(query, RebateCredit, limit, before_id))).all())


async def outcomes(session: AsyncSession, policy_ids: Collection[int]) -> list[tuple[int, str, int, int]]:
    """(policy, state, count, amount) of the policies' credits."""
    query = (
        select(
            RebateCredit.policy_id,
            RebateCredit.state,
            func.count(),
            func.coalesce(func.sum(RebateCredit.amount_fen), 0),
        )
        .where(RebateCredit.policy_id.in_(list(policy_ids)))
        .group_by(RebateCredit.policy_id, RebateCredit.state)
    )
    return [(int(p), str(s), int(c), int(a)) for p, s, c, a in (await session.execute(query)).all()]


# Purchase rebates' coupons (货补券) --------------------------------------------------------------


async def lock_policy(session: AsyncSession, policy_id: int) -> RebatePolicy | None:
    """The policy, locked (FOR UPDATE on PostgreSQL): coupons issued one at a time per policy, so
    that what they reserve never passes its budget."""
    query = select(RebatePolicy).where(RebatePolicy.id == policy_id).with_for_update()
    return (await session.scalars(query.execution_options(populate_existing=True))).one_or_none()


async def reserved_coupon_fen(session: AsyncSession, policy_id: int, now: dt.datetime) -> int:
    """What the policy's issued, unexpired coupons will cost when honoured."""
    query = select(func.coalesce(func.sum(RebateCoupon.value_fen), 0)).where(
        RebateCoupon.policy_id == policy_id, RebateCoupon.state == "issued", RebateCoupon.expires_at > now
    )
    return int((await session.execute(query)).scalar_one())


async def coupon_outcomes(session: AsyncSession, policy_id: int, now: dt.datetime) -> list[tuple[str, int, int]]:
    """(state, count, value) of the policy's coupons; an issued coupon past its date is "expired"."""
    expired = and_(RebateCoupon.state == "issued", RebateCoupon.expires_at <= now)
    state = case((expired, "expired"), else_=RebateCoupon.state).label("shown")
    query = (
        select(state, func.count(), func.coalesce(func.sum(RebateCoupon.value_fen), 0))
        .where(RebateCoupon.policy_id == policy_id)
        .group_by(state)
    )
    return [(str(s), int(c), int(v)) for s, c, v in (await session.execute(query)).all()]


async def issue_coupon(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Issue the coupon unless the policy issued one for this case already: True when issued now."""
    statement = (
        insert_on_conflict(session, RebateCoupon)
        .values(row)
        .on_conflict_do_nothing(index_elements=["tenant_id", "policy_id", "serial"])
        .returning(RebateCoupon.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def coupons_of_case(session: AsyncSession, serial: int) -> list[RebateCoupon]:
    query = select(RebateCoupon).where(RebateCoupon.serial == serial).order_by(RebateCoupon.id)
    return list((await session.scalars(query)).all())


async def get_coupon(session: AsyncSession, coupon_id: int) -> RebateCoupon | None:
    return await session.get(RebateCoupon, coupon_id, populate_existing=True)


async def claim_redemption(session: AsyncSession, coupon_id: int, now: dt.datetime) -> bool:
    """Mark an issued, unexpired coupon redeemed: True for the one request that does (a second
    redemption, raced or repeated, finds it redeemed)."""
    statement = (
        update(RebateCoupon)
        .where(RebateCoupon.id == coupon_id, RebateCoupon.state == "issued", RebateCoupon.expires_at > now)
        .values(state="redeemed", redeemed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def list_coupons(
    session: AsyncSession,
    filters: CouponFilter,
    limit: int,
    before_id: int | None,
    parties: Collection[tuple[str, int]] | None = None,
) -> list[RebateCoupon]:
    """Newest first; ``parties``: only coupons of these stores or honoured by these dealers."""
    query = select(RebateCoupon)
    for column, value in (
        (RebateCoupon.policy_id, filters.policy_id),
        (RebateCoupon.state, filters.state),
        (RebateCoupon.store_id, filters.store_id),
        (RebateCoupon.dealer_id, filters.dealer_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if parties is not None:
        stores = [i for k, i in parties if k == "store"]
        dealers = [i for k, i in parties if k == "dealer"]
        query = query.where(or_(RebateCoupon.store_id.in_(stores), RebateCoupon.dealer_id.in_(dealers)))
    return list((await session.scalars(newest_first(query, RebateCoupon, limit, before_id))).all())
