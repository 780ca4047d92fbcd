"""The tenancy hooks: every ORM statement is scoped, and cross-tenant writes are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from tests.identity.factories import create_staff, create_tenant
from yima.identity.models import Role, StaffMember, StaffRole, Tenant
from yima.platform.db.session import Database
from yima.platform.db.tenancy import (
    ALL_TENANTS,
    TENANT_PARAM,
    TenancyError,
    bind_tenant,
    prebuilt,
    tenant_param,
    tenant_params,
)


async def _tenant_ids(db: Database) -> tuple[int, int]:
    await create_tenant(db, "acme")
    await create_tenant(db, "rival")
    await create_staff(db, "acme", "acme-admin")
    await create_staff(db, "rival", "rival-admin")
    async with db.session() as s:
        rows = (await s.execute(select(Tenant.slug, Tenant.id))).all()
    ids = dict(rows)
    return ids["acme"], ids["rival"]


async def test_select_get_count_and_joins_see_only_the_bound_tenant(db: Database) -> None:
    acme, rival = await _tenant_ids(db)
    async with db.session() as s:
        bind_tenant(s.sync_session, acme)
        roles = (await s.scalars(select(Role))).all()
        assert {r.tenant_id for r in roles} == {acme}
        assert await s.scalar(select(func.count()).select_from(StaffMember)) == 1
        joined = (await s.execute(select(StaffRole, Role).join(Role, Role.id == StaffRole.role_id))).all()
        assert joined and all(sr.tenant_id == acme and r.tenant_id == acme for sr, r in joined)
        rival_role = (
            await s.scalars(select(Role).where(Role.tenant_id == rival).execution_options(**{ALL_TENANTS: True}))
        ).first()
        assert rival_role is not None
        s.expunge(rival_role)
        assert await s.get(Role, rival_role.id) is None


async def test_update_and_delete_do_not_reach_another_tenant(db: Database) -> None:
    acme, rival = await _tenant_ids(db)
    async with db.session() as s:
        bind_tenant(s.sync_session, acme)
        await s.execute(update(Role).values(name="renamed"))
        await s.execute(delete(StaffRole))
        await s.commit()
    async with db.session() as s:
        bind_tenant(s.sync_session, rival)
        assert "renamed" not in {r.name for r in (await s.scalars(select(Role))).all()}
        assert await s.scalar(select(func.count()).select_from(StaffRole)) == 1


async def test_writing_a_row_of_another_tenant_is_refused(db: Database) -> None:
    acme, rival = await _tenant_ids(db)
    async with db.session() as s:
        bind_tenant(s.sync_session, acme)
        s.add(Role(tenant_id=rival, code="sneaky", name="x", permissions=[]))
        with pytest.raises(TenancyError):
            await s.flush()


async def test_new_rows_take_the_bound_tenant(db: Database) -> None:
    acme, _ = await _tenant_ids(db)
    async with db.session() as s:
        bind_tenant(s.sync_session, acme)
        role = Role(code="custom", name="x", permissions=[])
        s.add(role)
        await s.flush()
        assert role.tenant_id == acme


async def test_an_unbound_session_refuses_tenant_models(db: Database) -> None:
    await _tenant_ids(db)
    async with db.session() as s:
        with pytest.raises(TenancyError):
            await s.scalars(select(Role))
        # Global tables stay reachable, and an explicit opt-in crosses tenants.
        assert len((await s.scalars(select(Tenant))).all()) == 2
        every = (await s.scalars(select(Role).execution_options(**{ALL_TENANTS: True}))).all()
        assert len({r.tenant_id for r in every}) == 2


async def test_the_database_refuses_a_cross_tenant_link(db: Database) -> None:
    acme, rival = await _tenant_ids(db)
    async with db.session() as s:
        rival_role_id = await s.scalar(
            select(Role.id).where(Role.tenant_id == rival).limit(1).execution_options(**{ALL_TENANTS: True})
        )
        acme_staff_id = await s.scalar(
            select(StaffMember.id).where(StaffMember.tenant_id == acme).execution_options(**{ALL_TENANTS: True})
        )
        s.add(StaffRole(tenant_id=acme, staff_id=acme_staff_id, role_id=rival_role_id))
        with pytest.raises(IntegrityError):
            await s.flush()


_ROLE_NAMES = prebuilt(select(Role.name).where(Role.tenant_id == tenant_param()))


async def test_a_prebuilt_statement_runs_only_for_the_bound_tenant_it_names(db: Database) -> None:
    acme, rival = await _tenant_ids(db)
    async with db.session() as s:
        bind_tenant(s.sync_session, acme)
        own = sorted((await s.scalars(_ROLE_NAMES, tenant_params(s))).all())
        every = (await s.execute(select(Role.tenant_id, Role.name).execution_options(**{ALL_TENANTS: True}))).all()
        assert own == sorted(name for tenant_id, name in every if tenant_id == acme)
        assert own and len(every) > len(own)
        for wrong in ({TENANT_PARAM: rival}, {}):
            with pytest.raises(TenancyError, match="without naming it"):
                await s.execute(_ROLE_NAMES, wrong)
    async with db.session() as s:  # bound to no tenant
        with pytest.raises(TenancyError):
            await s.execute(_ROLE_NAMES, {TENANT_PARAM: acme})
