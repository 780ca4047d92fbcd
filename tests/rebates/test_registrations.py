"""registrations, the goods' store a consumer scan pays: built once, it names its tenant itself,
so another brand's registration of the same serial never shows."""

from __future__ import annotations

from tests.harness import is_prebuilt, orm_statements
from tests.identity.factories import create_tenant, system
from yima.platform.db.session import Database
from yima.rebates import repository as repo


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
        assert {s: (r.tenant_id, r.store_id) for s, r in found.items()} == {s: (ctx.tenant_id, 7) for s in (10, 11)}
        assert await repo.registrations(ctx.session, [12]) == {}
        assert await repo.registrations(ctx.session, []) == {}
    async with system(db, "other") as ctx:
        found = await repo.registrations(ctx.session, [10, 11, 12])
        assert {s: (r.tenant_id, r.store_id) for s, r in found.items()} == {s: (ctx.tenant_id, 8) for s in (10, 12)}
