"""Tenant isolation enforced in the ORM session.

A session bound to a tenant (``bind_tenant``) gets ``tenant_id = :bound`` added to every ORM
SELECT, UPDATE and DELETE touching a ``TenantScoped`` model (joins, ``session.get``, lazy loads
and relationship loads included), and refuses to flush a row that belongs to another tenant.
A session that is not bound refuses any ORM statement on tenant-owned models unless the
statement opts in with ``execution_options(all_tenants=True)``: forgetting the tenant fails
loudly instead of leaking.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, with_loader_criteria

from yima.platform.db.base import TenantScoped

TENANT_KEY = "tenant_id"
ALL_TENANTS = "all_tenants"


class TenancyError(RuntimeError):
    """A statement or a write that would cross a tenant boundary."""


def bind_tenant(session: Session, tenant_id: int) -> None:
    session.info[TENANT_KEY] = tenant_id


def bound_tenant(session: Session) -> int | None:
    return session.info.get(TENANT_KEY)


def _touches_tenant_model(state: ORMExecuteState) -> bool:
    return any(isinstance(m.class_, type) and issubclass(m.class_, TenantScoped) for m in state.all_mappers)


@event.listens_for(Session, "do_orm_execute")
def _add_tenant_criteria(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(ALL_TENANTS):
        return
    tenant_id = bound_tenant(state.session)
    if tenant_id is None:
        if _touches_tenant_model(state):
            raise TenancyError("a tenant-owned model was queried on a session bound to no tenant")
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _check_tenant_writes(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    tenant_id = bound_tenant(session)
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        if tenant_id is None:
            if obj.tenant_id is None:
                raise TenancyError(f"{type(obj).__name__} written without a tenant")
            continue
        if obj.tenant_id is None and obj in session.new:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise TenancyError(
                f"{type(obj).__name__} of tenant {obj.tenant_id} written in a session of tenant {tenant_id}"
            )
