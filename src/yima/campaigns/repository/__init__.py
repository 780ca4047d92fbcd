"""Every SQL statement of the campaigns context. The draw's writes are conditional (a row is
changed only while the limit still allows it) so concurrent scans can never pass a stock, a
budget, a pacing cap or a per-code / per-person limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

from yima.campaigns.models import (
    Campaign,
    CampaignAward,
    CampaignDay,
    CampaignPrize,
)
from yima.campaigns.repository.claims import AWARD_IDS
from yima.campaigns.repository.claims import Claimed as Claimed
from yima.campaigns.repository.claims import claim_code as claim_code
from yima.campaigns.repository.claims import claim_limits as claim_limits
from yima.campaigns.repository.claims import claim_limits_later as claim_limits_later
from yima.campaigns.repository.claims import claim_person as claim_person
from yima.campaigns.repository.claims import claimed_in as claimed_in
from yima.campaigns.repository.claims import code_awards as code_awards
from yima.campaigns.schemas import CampaignFilter
from yima.platform.db import direct
from yima.platform.db.base import newest_first
from yima.platform.db.tenancy import TENANT_PARAM, check_tenants, prebuilt, tenant_param, tenant_params
from yima.platform.db.upsert import insert_on_conflict, prebuilt_upsert, table_of

NO_SYNC = {"synchronize_session": False}


def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)


# campaigns --------------------------------------------------------------------------------------


async def get_campaign(session: AsyncSession, campaign_id: int) -> Campaign | None:
    return await session.get(Campaign, campaign_id, populate_existing=True)


def _in_state(state: str, now: dt.datetime) -> ColumnElement[bool]:
    """rules.effective_state(…) == ``state`` at ``now``, as SQL on the stored state and period:
    a scheduled campaign runs from its start, anything published has ended once its end passed."""
    stored, starts, ends = Campaign.state, Campaign.starts_at, Campaign.ends_at
    live = or_(ends.is_(None), ends > now)  # its end, if any, still ahead
    if state == "draft":
        return stored == "draft"
    if state == "ended":
        return or_(stored == "ended", and_(stored != "draft", not_(live)))
    if state == "running":
        return and_(live, or_(stored == "running", and_(stored == "scheduled", or_(starts.is_(None), starts <= now))))
    if state == "scheduled":
        return and_(live, stored == "scheduled", starts > now)
    return and_(live, stored == state)


async def list_campaigns(
    session: AsyncSession, filters: CampaignFilter, limit: int, before_id: int | None, now: dt.datetime
) -> list[Campaign]:
    """Newest first; ``filters.state`` is the state the campaigns are in at ``now``."""
    query: Select[Any] = select(Campaign)
    if filters.q and filters.q.strip():
        query = query.where(Campaign.name.icontains(filters.q.strip(), autoescape=True))
    if filters.state:
        query = query.where(_in_state(filters.state, now))
    return list((await session.scalars(newest_first(query, Campaign, limit, before_id))).all())


async def prizes_of(session: AsyncSession, campaign_ids: Sequence[int]) -> dict[int, list[CampaignPrize]]:
    found: dict[int, list[CampaignPrize]] = {i: [] for i in campaign_ids}
    query = select(CampaignPrize).where(CampaignPrize.campaign_id.in_(list(campaign_ids)))
    for prize in await session.scalars(
        query.order_by(CampaignPrize.position).execution_options(populate_existing=True)
    ):
        found[prize.campaign_id].append(prize)
    return found


async def prize_tallies(session: AsyncSession, prize_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(awards, cost) of each prize, counted from the awards (prizes whose row the draw does not
    update: no stock, no budget of their own)."""
    award = CampaignAward
    query = (
        select(award.prize_id, func.count(), func.coalesce(func.sum(award.cost_fen), 0))
        .where(award.prize_id.in_(list(prize_ids)))
        .group_by(award.prize_id)
    )
    return {int(r[0]): (int(r[1]), int(r[2])) for r in (await session.execute(query)).all()}


async def delete_prizes(session: AsyncSession, campaign_id: int) -> None:
    await session.execute(
        delete(CampaignPrize).where(CampaignPrize.campaign_id == campaign_id).execution_options(**NO_SYNC)
    )


async def has_awards(session: AsyncSession, campaign_id: int) -> bool:
    query = select(CampaignAward.id).where(CampaignAward.campaign_id == campaign_id).limit(1)
    return (await session.scalar(query)) is not None


# the draw's conditional writes --------------------------------------------------------------------


# The draw's statements are built once (platform/db/tenancy.py, ``prebuilt``), every value a
# parameter: a statement built per call costs its construction and cache key on every scan.
# Bind names differ from the columns' (SQLAlchemy reserves those in an INSERT or UPDATE). An
# upsert's rows run as one statement, so a parameter outside its VALUES is the same in every row.
# The claims (the code's and the person's limits) are in claims.py.

# A period's slices (campaign_days rows): "total" for the campaign's budget, an ISO day for its pacing.
TOTAL = "total"


_DAYS = table_of(CampaignDay)
# The cost, in SET and WHERE, the same in every row. Its placeholder value (never used: it is
# required) keeps the two rows one statement: SQLAlchemy runs the rows of an upsert whose SET
# has a parameter without a value one statement each, as it could differ between them (#13130).
_COST = bindparam("cost_", 0, type_=BigInteger, required=True)


def _spend_upsert(insert: Callable[[Any], Any]) -> Any:
    return (
        insert(_DAYS)
        .on_conflict_do_update(
            index_elements=["tenant_id", "campaign_id", "day", "slice"],
            set_={"awards": _DAYS.c.awards + 1, "spent_fen": _DAYS.c.spent_fen + _COST},
            where=or_(_DAYS.c.cap_fen.is_(None), _DAYS.c.spent_fen + _COST <= _DAYS.c.cap_fen),
        )
        .returning(_DAYS.c.awards)
    )


_SPEND_SLICES = prebuilt_upsert(_spend_upsert)


async def spend_slices(
    session: AsyncSession, tenant_id: int, campaign_id: int, day: str, k: int, day_cap: int | None, cost: int
) -> bool:
    """Add an award of ``cost`` to slice ``k`` of the day (made now with quota ``day_cap`` if
    new) and of the total, each while within its quota, in ONE statement, the day's row first
    (the lock order): True when both took it. A refusal leaves the other counted: the caller
    undoes it with its savepoint. The total's slices exist from publication: were one missing,
    the row made here would be empty and count as a refusal."""
    keys = {"tenant_id": tenant_id, "campaign_id": campaign_id, "slice": k, "cost_": cost}
    rows: list[dict[str, Any]] = [
        {**keys, "day": day, "cap_fen": day_cap, "spent_fen": cost, "awards": 1},
        {**keys, "day": TOTAL, "cap_fen": 0, "spent_fen": 0, "awards": 0},
    ]  # the rows as parameters: one statement, compiled once (a VALUES list is compiled on every call)
    found = (await direct.execute(session, _SPEND_SLICES(session), rows)).all()
    return sum(1 for (awards,) in found if awards > 0) == len(rows)


_AWARDS = table_of(CampaignAward)


def _award_value(column: Column[Any], tenant: Any) -> Any:
    """The award's column as the spend-and-award statement inserts it: the id reserved by the
    claims, else the sequence's next."""
    if column.key == "tenant_id":
        return tenant
    value = bindparam(f"a_{column.key}", type_=column.type)
    return func.coalesce(value, AWARD_IDS.next_value()) if column.key == "id" else value


def _spend_and_award() -> Select[Any]:
    """PostgreSQL's spend_slices and insert_award in one statement: the award is inserted only
    when both slices took the cost (it reads the spend's RETURNING, so the spend runs first)."""
    tenant, cost = tenant_param(), bindparam("cost_", type_=BigInteger)
    row = {"tenant_id": tenant, "campaign_id": bindparam("campaign_", type_=BigInteger),
           "slice": bindparam("slice_", type_=_DAYS.c.slice.type), "spent_fen": 0, "awards": 0}  # fmt: skip
    spent = _spend_upsert(postgresql.insert).values([
        row | {"day": bindparam("day_", type_=_DAYS.c.day.type), "cap_fen": bindparam("cap_", type_=BigInteger),
               "spent_fen": cost, "awards": 1},
        row | {"day": TOTAL, "cap_fen": 0},
    ]).cte("spent")  # fmt: skip
    took = select(func.count()).select_from(spent).where(spent.c.awards > 0).scalar_subquery()
    values = [_award_value(c, tenant) for c in _AWARDS.columns]
    award = (
        insert(_AWARDS)
        .from_select([c.key for c in _AWARDS.columns], select(*values).where(took == 2))
        .returning(_AWARDS.c.id)
        .cte("award")
    )
    return prebuilt(select(select(award.c.id).scalar_subquery()))


_SPEND_AND_AWARD = _spend_and_award()


async def spend_slices_and_award(
    session: AsyncSession, tenant_id: int, campaign_id: int, day: str, k: int, day_cap: int | None, cost: int,
    award: dict[str, Any], also: Sequence[direct.Deferred[Any]] = (),
) -> int | None:  # fmt: skip
    """spend_slices, then, when both slices took the cost, insert_award: the award's id, or None
    when a slice refused (the caller's savepoint undoes the other, and ``also``). One round trip
    on PostgreSQL. The award's id is the one claim_limits reserved (``award["id"]``), if given.
    ``also``: another context's statements sent with it (their follow-ups run once the award is
    written)."""
    if not direct.on_postgres(session):
        if not await spend_slices(session, tenant_id, campaign_id, day, k, day_cap, cost):
            return None
        return await insert_award(session, award, also)
    spending = spend_and_award_later(tenant_id, campaign_id, day, k, day_cap, cost, award)
    rows, theirs = await direct.execute_with(session, *spending, also)
    found = award_id_in(rows)
    if found is not None:
        await direct.follow(also, theirs)
    return found


def spend_and_award_later(
    tenant_id: int, campaign_id: int, day: str, k: int, day_cap: int | None, cost: int, award: dict[str, Any]
) -> tuple[Executable, dict[str, Any]]:
    """PostgreSQL's statement of spend_slices_and_award, not run (``direct.Deferred``): its rows
    through ``award_id_in``."""
    params = {f"a_{c.key}": award.get(c.key) for c in _AWARDS.columns if c.key != "tenant_id"}
    check_tenants(tenant_id, [award])
    params |= {TENANT_PARAM: tenant_id, "campaign_": campaign_id, "slice_": k, "day_": day, "cap_": day_cap,
               "cost_": cost}  # fmt: skip
    return _SPEND_AND_AWARD, params


def award_id_in(rows: direct.Rows) -> int | None:
    """The award's id spend_and_award_later's statement returned; None: a slice refused."""
    found = rows.scalar()
    return int(found) if found is not None else None


async def open_slices(
    session: AsyncSession, tenant_id: int, campaign_id: int, period: str, caps: Sequence[int | None]
) -> None:
    """Make a period's slices (quotas ``caps``) unless they exist."""
    rows = [
        {"tenant_id": tenant_id, "campaign_id": campaign_id, "day": period, "slice": k, "cap_fen": cap,
         "spent_fen": 0, "awards": 0}
        for k, cap in enumerate(caps)
    ]  # fmt: skip
    statement = (
        insert_on_conflict(session, CampaignDay)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["tenant_id", "campaign_id", "day", "slice"])
    )
    await session.execute(statement)


async def lock_slices(session: AsyncSession, campaign_id: int, periods: Sequence[str]) -> list[CampaignDay]:
    """The periods' slices, locked until the transaction ends, in lock order (day, slice)."""
    query = (
        select(CampaignDay)
        .where(CampaignDay.campaign_id == campaign_id, CampaignDay.day.in_(list(periods)))
        .order_by(CampaignDay.day, CampaignDay.slice)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(query)).all())


async def set_slice(session: AsyncSession, slice_id: int, cap: int | None, spent: int, awards: int) -> None:
    statement = (
        update(CampaignDay)
        .where(CampaignDay.id == slice_id)
        .values(cap_fen=cap, spent_fen=spent, awards=awards)
        .execution_options(**NO_SYNC)
    )
    await session.execute(statement)


async def spent_of(session: AsyncSession, campaign_ids: Sequence[int], period: str = TOTAL) -> dict[int, int]:
    """What each campaign spent in the period (its slices summed; 0 before the first award)."""
    query = (
        select(CampaignDay.campaign_id, func.sum(CampaignDay.spent_fen))
        .where(CampaignDay.campaign_id.in_(list(campaign_ids)), CampaignDay.day == period)
        .group_by(CampaignDay.campaign_id)
    )
    found = {int(c): int(total) for c, total in (await session.execute(query)).all()}
    return {c: found.get(c, 0) for c in campaign_ids}


_TAKE_PRIZE = prebuilt(
    update(CampaignPrize)
    .where(
        CampaignPrize.tenant_id == tenant_param(),
        CampaignPrize.id == bindparam("prize_id"),
        or_(CampaignPrize.stock_left.is_(None), CampaignPrize.stock_left > 0),
        or_(CampaignPrize.budget_fen.is_(None), CampaignPrize.spent_fen + _COST <= CampaignPrize.budget_fen),
    )
    .values(
        stock_left=CampaignPrize.stock_left - 1,  # NULL stays NULL: unlimited
        spent_fen=CampaignPrize.spent_fen + _COST,
        awarded=CampaignPrize.awarded + 1,
    )
    .returning(CampaignPrize.id)
    .execution_options(**NO_SYNC)
)


async def take_prize(session: AsyncSession, prize_id: int, cost: int) -> bool:
    """One of the prize, while stock and its own budget last."""
    params = tenant_params(session, prize_id=prize_id, cost_=cost)
    return (await direct.execute(session, _TAKE_PRIZE, params)).scalar_one_or_none() is not None


_INSERT_AWARD = prebuilt(insert(_AWARDS).returning(_AWARDS.c.id))


async def insert_award(session: AsyncSession, values: dict[str, Any], also: Sequence[direct.Deferred[Any]] = ()) -> int:
    """Insert an award (built once: every scan that wins writes one), with ``also`` in the same
    round trip (PostgreSQL); its id. Its unique keys (the scan, the code's award number) refuse
    a raced duplicate with IntegrityError."""
    rows, theirs = await direct.execute_with(session, _INSERT_AWARD, values, also)
    await direct.follow(also, theirs)
    return int(rows.scalar_one())


async def award_by_scan(session: AsyncSession, campaign_id: int, scan_ref: str) -> CampaignAward | None:
    query = select(CampaignAward).where(CampaignAward.campaign_id == campaign_id, CampaignAward.scan_ref == scan_ref)
    return (await session.scalars(query)).first()


async def awards_of_code(session: AsyncSession, campaign_id: int, serial: int, role: str) -> list[CampaignAward]:
    query = select(CampaignAward).where(
        CampaignAward.campaign_id == campaign_id, CampaignAward.code_serial == serial, CampaignAward.role == role
    )
    return list((await session.scalars(query.order_by(CampaignAward.seq))).all())


async def list_awards(
    session: AsyncSession, campaign_id: int, limit: int, before_id: int | None
) -> list[CampaignAward]:
    query = select(CampaignAward).where(CampaignAward.campaign_id == campaign_id)
    return list((await session.scalars(newest_first(query, CampaignAward, limit, before_id))).all())


async def live_campaigns(session: AsyncSession) -> list[Campaign]:
    """Published campaigns that are not paused or ended (the scan matches codes against them)."""
    query = select(Campaign).where(Campaign.state == "scheduled").order_by(Campaign.id)
    return list((await session.scalars(query)).all())


async def awards_of_person(session: AsyncSession, person_ids: Sequence[int], limit: int) -> list[CampaignAward]:
    query = select(CampaignAward).where(CampaignAward.person_id.in_(list(person_ids)))
    return list((await session.scalars(newest_first(query, CampaignAward, limit, None))).all())


async def repoint_awards(session: AsyncSession, from_person_id: int, into_person_id: int) -> None:
    query = (
        update(CampaignAward)
        .where(CampaignAward.person_id == from_person_id)
        .values(person_id=into_person_id)
        .execution_options(**NO_SYNC)
    )
    await session.execute(query)
