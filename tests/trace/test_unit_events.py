"""events_of_units, the events a unit's lifecycle (and every consumer scan) reads: built once,
it names its tenant itself, so another brand's events about the same serials never show."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.codes.factories import create_batch
from tests.harness import is_prebuilt, orm_statements
from tests.identity.factories import create_tenant, system
from tests.trace.factories import GTIN, capture, object_event
from yima.codes import service as codes
from yima.codes.tokens import Face
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.platform.db.session import Database
from yima.platform.db.tenancy import TENANT_PARAM, TenancyError
from yima.trace import repository as repo
from yima.trace.models import EpcisEvent
from yima.trace.rules import UnitEvent


async def _tenants_of(ctx: Ctx, found: list[tuple[UnitEvent, int, str]]) -> set[int]:
    """The brands the events belong to, asked of every brand's rows (the values carry no tenant)."""
    query = select(EpcisEvent.tenant_id).where(EpcisEvent.id.in_([e.id for e, _, _ in found]))
    return set(await ctx.session.scalars(query.execution_options(all_tenants=True)))


async def _link(db: Database, slug: str, serial: int) -> str:
    """The unit as a Digital Link whose serial is the brand's token."""
    async with system(db, slug) as ctx:
        token = (await codes.codec(ctx)).encode(serial, Face.OUTER)
    return f"https://m.brand.cn/01/{GTIN}/21/{token}"


async def test_another_brands_events_about_the_same_units_are_not_seen(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_tenant(db, "other")
    mine = await create_batch(db, "acme", "bottle", 3)
    theirs = await create_batch(db, "other", "bottle", 3)
    first, second = mine.first_serial, mine.first_serial + 1
    assert theirs.first_serial == first
    for slug, steps in (("acme", ["shipping", "receiving"]), ("other", ["packing", "inspecting", "storing"])):
        for hour, step in enumerate(steps):
            at = f"2030-01-01T0{hour}:00:00.000+08:00"
            await capture(db, slug, object_event(epcList=[await _link(db, slug, first)], bizStep=step, eventTime=at))
        await capture(db, slug, object_event(epcList=[await _link(db, slug, second)], bizStep="retail_selling"))
    await capture(db, "other", object_event(epcList=[await _link(db, "other", second + 1)]))  # theirs alone
    async with system(db, "acme") as ctx:
        with orm_statements() as ran:
            found = await repo.events_of_units(ctx.session, [first], 10)
        assert [is_prebuilt(statement) for statement in ran] == [True]
        assert all(type(e) is UnitEvent for e, _, _ in found)  # plain values, no ORM objects
        assert [(e.biz_step, serial, role) for e, serial, role in found] == [
            ("shipping", first, "epc"),
            ("receiving", first, "epc"),
        ]
        assert await _tenants_of(ctx, found) == {ctx.tenant_id}
        with orm_statements() as again:
            both = await repo.events_of_units(ctx.session, [first, second], 2)  # the latest two, oldest first
        assert len(again) == 1 and again[0] is ran[0]  # built once
        assert [(e.biz_step, serial) for e, serial, _ in both] == [("shipping", first), ("receiving", first)]
        assert await repo.events_of_units(ctx.session, [second + 1], 10) == []
        acme = ctx.tenant_id
    async with system(db, "other") as ctx:
        with pytest.raises(TenancyError):  # the statement refuses to be run for another brand
            await direct.execute(ctx.session, ran[0], {TENANT_PARAM: acme, "serials": [first], "limit": 2})
        found = await repo.events_of_units(ctx.session, [first], 2)
        assert await _tenants_of(ctx, found) == {ctx.tenant_id}
        assert [e.biz_step for e, _, _ in found] == ["inspecting", "storing"]
