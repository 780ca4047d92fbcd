"""registrations, the goods' store a consumer scan pays: built once, it names its tenant itself,
so another brand's registration of the same serial never shows."""

from __future__ import annotations

import pytest

from tests.harness import is_prebuilt, orm_statements
from tests.identity.factories import create_tenant, system
from yima.platform.db import direct
from yima.platform.db.session import Database
from yima.platform.db.tenancy import TENANT_PARAM, TenancyError
from yima.rebates import repository as repo
from yima.rebates.rules import Registration


async def _register(db: Database, slug: str, store_id: int, *serials: int) -> None:
    async with system(db, slug) as ctx:
        for serial in serials:
            row = {"tenant_id": ctx.tenant_id, "serial": serial, "store_id": store_id, "dealer_id": None,
                   "person_id": 1, "registered_at": ctx.now()}  # fmt: skip
            assert await repo.register(ctx.session, row)
        await ctx.session.commit()


async def test_another_brands_registrations_of_the_same_serials_are_not_seen(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_tenant(db, "other")
    await _register(db, "acme", 7, 10, 11)
    await _register(db, "other", 8, 10, 12)
    async with system(db, "acme") as ctx:
        with orm_statements() as ran:
            found = await repo.registrations(ctx.session, [10, 11, 12, 13])
        assert [is_prebuilt(statement) for statement in ran] == [True]
        assert all(type(r) is Registration for r in found.values())  # plain values, no ORM objects
        # serial 10 is both brands': store 7 is acme's registration of it, store 8 the other's
        assert {s: (r.serial, r.store_id, r.dealer_id) for s, r in found.items()} == {s: (s, 7, None) for s in (10, 11)}
        with orm_statements() as again:
            assert await repo.registrations(ctx.session, [12]) == {}
        assert len(again) == 1 and again[0] is ran[0]  # built once
        assert await repo.registrations(ctx.session, []) == {}
        acme = ctx.tenant_id
    async with system(db, "other") as ctx:
        with pytest.raises(TenancyError):  # the statement refuses to be run for another brand
            await direct.execute(ctx.session, ran[0], {TENANT_PARAM: acme, "serials": [10]})
        found = await repo.registrations(ctx.session, [10, 11, 12])
        assert {s: r.store_id for s, r in found.items()} == {s: 8 for s in (10, 12)}
