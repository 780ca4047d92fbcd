"""The draw's claims (认领): the code's award number and the person's counts per period, each an
upsert that counts only while its limit allows it, and on PostgreSQL both in one statement with
the award's id reserved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from typing import Any

from sqlalchemy import BindParameter, Select, Table, and_, bindparam, func, or_, schema, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import Executable

from yima.campaigns.models import CampaignCodeCount, CampaignPersonCount
from yima.platform.db import direct
from yima.platform.db.tenancy import TENANT_PARAM, prebuilt, tenant_param
from yima.platform.db.upsert import prebuilt_upsert, table_of

_CODES = table_of(CampaignCodeCount)


def _code_upsert(insert: Callable[[Any], Any]) -> Any:
    return (
        insert(_CODES)
        .on_conflict_do_update(
            index_elements=["tenant_id", "campaign_id", "code_serial", "role"],
            set_={"awards": _CODES.c.awards + 1},
            where=_CODES.c.awards < bindparam("limit_"),
        )
        .returning(_CODES.c.awards)
    )


_CLAIM_CODE = prebuilt_upsert(_code_upsert)


async def claim_code(
    session: AsyncSession, tenant_id: int, campaign_id: int, serial: int, role: str, limit: int
) -> int | None:
    """The code's next award number for the role (1…limit), or None when it has made them all:
    the counter is inserted at 1 or gets 1 added while below ``limit``. On PostgreSQL a
    concurrent writer of the same key waits for the first to commit, then sees its count
    (INSERT … ON CONFLICT DO UPDATE … WHERE)."""
    row = {"tenant_id": tenant_id, "campaign_id": campaign_id, "code_serial": serial, "role": role, "awards": 1,
           "limit_": limit}  # fmt: skip
    found = (await direct.execute(session, _CLAIM_CODE(session), row)).scalar_one_or_none()
    return int(found) if found is not None else None


async def code_awards(session: AsyncSession, campaign_id: int, serial: int, role: str) -> int:
    """The awards the code has made for the role in the campaign (0: none yet)."""
    counted = CampaignCodeCount
    query = select(counted.awards).where(
        counted.campaign_id == campaign_id, counted.code_serial == serial, counted.role == role
    )
    return int((await session.scalars(query)).first() or 0)


_PERSONS = table_of(CampaignPersonCount)


def _person_upsert(insert: Callable[[Any], Any], limited: tuple[bool, ...]) -> Any:
    """The per-person upsert for periods ``period0``, ``period1``…, of which ``limited`` have a
    limit (``limit0``…): the WHERE holds the row in conflict to its own period's limit (a limit
    cannot be a row's parameter: it is outside VALUES)."""
    within = [_PERSONS.c.period == bindparam(f"period{i}") if not has else
              and_(_PERSONS.c.period == bindparam(f"period{i}"), _PERSONS.c.awards < bindparam(f"limit{i}"))
              for i, has in enumerate(limited)]  # fmt: skip
    return (
        insert(_PERSONS)
        .on_conflict_do_update(
            index_elements=["tenant_id", "campaign_id", "person_id", "period"],
            set_={"awards": _PERSONS.c.awards + 1},
            where=or_(*within),
        )
        .returning(_PERSONS.c.period)
    )


def _claim_person(limited: tuple[bool, ...]) -> Callable[[AsyncSession], Any]:
    return prebuilt_upsert(lambda insert: _person_upsert(insert, limited))


# keyed by which periods (a day, "total", and on a code awarding several times the code) have a limit
_CLAIM_PERSON = {limited: _claim_person(limited) for n in (1, 2, 3) for limited in product((False, True), repeat=n)}


def _periods(limits: dict[str, int | None]) -> tuple[tuple[bool, ...], dict[str, Any]]:
    """Which periods have a limit (the statement's key) and their parameters: ``period0``,
    ``limit0``…, a period without a limit without one."""
    named: dict[str, Any] = {}
    for i, (period, limit) in enumerate(limits.items()):
        named[f"period{i}"] = period
        if limit is not None:
            named[f"limit{i}"] = limit
    return tuple(limit is not None for limit in limits.values()), named


async def claim_person(
    session: AsyncSession, tenant_id: int, campaign_id: int, person_id: int, limits: dict[str, int | None]
) -> bool:
    """Count an award for the person in each period (a day, "total", a code; one to three) in ONE
    statement, each while below its limit (None: none): True when every period took it. A
    refusal leaves the others counted: the caller undoes them with its savepoint."""
    limited, named = _periods(limits)
    statement = _CLAIM_PERSON[limited](session)
    rows = [{"tenant_id": tenant_id, "campaign_id": campaign_id, "person_id": person_id, "period": p, "awards": 1,
             **named} for p in limits]  # fmt: skip
    return len((await direct.execute(session, statement, rows)).all()) == len(limits)


def _bound(table: Table, column: str, name: str) -> BindParameter[Any]:
    return bindparam(name, type_=table.c[column].type)


AWARD_IDS = schema.Sequence("campaign_awards_id_seq")  # the id column's (BIGSERIAL) on PostgreSQL


def _claim_both(limited: tuple[bool, ...]) -> Select[Any]:
    """PostgreSQL's claim_code and claim_person in one statement: each upsert a data-modifying
    CTE, its rows in VALUES as bind parameters (one plan for every call), the tenant of both the
    one ``bound_tenant`` that direct checks. Every claim locks its rows in one order, as the pair
    did: the code's, then the person's (PostgreSQL runs a CTE when the SELECT first reads it)."""
    tenant, campaign = tenant_param(), _bound(_CODES, "campaign_id", "campaign_")
    code = _code_upsert(postgresql.insert).values(
        tenant_id=tenant, campaign_id=campaign, code_serial=_bound(_CODES, "code_serial", "serial_"),
        role=_bound(_CODES, "role", "role_"), awards=1,
    )  # fmt: skip
    person = _person_upsert(postgresql.insert, limited).values(
        [{"tenant_id": tenant, "campaign_id": campaign, "person_id": _bound(_PERSONS, "person_id", "person_"),
          "period": _bound(_PERSONS, "period", f"period{i}"), "awards": 1} for i in range(len(limited))]
    )  # fmt: skip
    seq = select(code.cte("code").c.awards).scalar_subquery()
    taken = select(func.count()).select_from(person.cte("person")).scalar_subquery()
    return prebuilt(select(seq, taken, AWARD_IDS.next_value()))


_CLAIM_BOTH = {limited: _claim_both(limited) for limited in _CLAIM_PERSON}


@dataclass(frozen=True, slots=True)
class Claimed:
    """What claim_limits found: the code's award number (None: it has made all its awards) and
    whether every period of the person took the award (False as well when the code refused);
    on PostgreSQL, the id the award will have, taken from its sequence with the claims (so that
    a statement naming the award can be sent with its insert); elsewhere None."""

    seq: int | None
    person_ok: bool
    award_id: int | None = None


async def claim_limits(
    session: AsyncSession, tenant_id: int, campaign_id: int, serial: int, role: str, code_limit: int,
    person_id: int, periods: dict[str, int | None],
) -> Claimed:  # fmt: skip
    """claim_code, then claim_person (``periods`` its limits): one round trip on PostgreSQL,
    two statements elsewhere (SQLite has no data-modifying CTE), where the person is not counted
    once the code refused. On PostgreSQL both are counted whatever the other found: a refusal
    leaves the other counted, and the caller undoes both with its savepoint."""
    if not direct.on_postgres(session):
        seq = await claim_code(session, tenant_id, campaign_id, serial, role, code_limit)
        if seq is None:
            return Claimed(None, False)
        return Claimed(seq, await claim_person(session, tenant_id, campaign_id, person_id, periods))
    statement = claim_limits_later(tenant_id, campaign_id, serial, role, code_limit, person_id, periods)
    return claimed_in(await direct.execute(session, *statement), len(periods))


def claim_limits_later(
    tenant_id: int, campaign_id: int, serial: int, role: str, code_limit: int, person_id: int,
    periods: dict[str, int | None],
) -> tuple[Executable, dict[str, Any]]:  # fmt: skip
    """PostgreSQL's statement of claim_limits, not run (``direct.Deferred``): its rows through
    ``claimed_in``."""
    limited, named = _periods(periods)
    params = {TENANT_PARAM: tenant_id, "campaign_": campaign_id, "serial_": serial, "role_": role,
              "limit_": code_limit, "person_": person_id, **named}  # fmt: skip
    return _CLAIM_BOTH[limited], params


def claimed_in(rows: direct.Rows, periods: int) -> Claimed:
    """What claim_limits_later's statement found, of ``periods`` periods."""
    seq, taken, award_id = rows.one()
    return Claimed(int(seq), taken == periods, award_id) if seq is not None else Claimed(None, False)
