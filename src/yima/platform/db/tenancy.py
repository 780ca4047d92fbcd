"""Tenant isolation enforced in the ORM session.

A session bound to a tenant (``bind_tenant``) gets ``tenant_id = :bound`` added to every ORM
SELECT, UPDATE and DELETE touching a ``TenantScoped`` model (joins, ``session.get``, lazy loads
and relationship loads included), and refuses to flush a row that belongs to another tenant.
A session that is not bound refuses any ORM statement on tenant-owned models unless the
statement opts in with ``execution_options(all_tenants=True)``: forgetting the tenant fails
loudly instead of leaking.

The scan's hot path runs statements built once (``prebuilt``): each names its tenant itself,
as the bind parameter ``TENANT_PARAM`` (``tenant_param()`` in its WHERE clause) or, for an
INSERT, as its rows' ``tenant_id``, and the hook checks that every parameter set gives the bound
tenant there, instead of rewriting the statement — a rewritten statement is a new one, whose
cache key SQLAlchemy computes again on every call (half a statement's CPU on that path).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import BigInteger, BindParameter, bindparam, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, with_loader_criteria
from sqlalchemy.sql.base import Executable

from yima.platform.db.base import TenantScoped

TENANT_KEY = "tenant_id"
ALL_TENANTS = "all_tenants"
PREBUILT = "prebuilt"
TENANT_PARAM = "bound_tenant"  # a prebuilt statement's tenant in its WHERE clause (an INSERT's: its rows' tenant_id)


class TenancyError(RuntimeError):
    """A statement or a write that would cross a tenant boundary."""


def bind_tenant(session: Session, tenant_id: int) -> None:
    session.info[TENANT_KEY] = tenant_id


def bound_tenant(session: Session) -> int | None:
    return session.info.get(TENANT_KEY)


def tenant_param() -> BindParameter[int]:
    """The bound tenant in a prebuilt statement's WHERE clause (``Model.tenant_id == tenant_param()``)."""
    return bindparam(TENANT_PARAM, type_=BigInteger)


S = TypeVar("S", bound=Executable)


def prebuilt(statement: S) -> S:
    """Mark a statement built once (module level, bind parameters for every value) that names its
    tenant itself: the hook leaves it as it is and checks the tenant of each call's parameters."""
    return statement.execution_options(**{ALL_TENANTS: True, PREBUILT: True})


def tenant_params(session: Session | AsyncSession, **params: Any) -> dict[str, Any]:
    """A prebuilt statement's parameters: ``params`` and the session's tenant."""
    tenant_id = bound_tenant(session.sync_session if isinstance(session, AsyncSession) else session)
    if tenant_id is None:
        raise TenancyError("a prebuilt statement was run on a session bound to no tenant")
    return {TENANT_PARAM: tenant_id, **params}


def check_tenants(tenant_id: int | None, sets: Sequence[Mapping[str, Any]]) -> None:
    """Does every parameter set of a prebuilt statement name the bound tenant? TenancyError if not."""
    if tenant_id is None or not sets or any(p.get(TENANT_PARAM, p.get("tenant_id")) != tenant_id for p in sets):
        raise TenancyError(f"a prebuilt statement was run for tenant {tenant_id} without naming it")


def _check_prebuilt(state: ORMExecuteState) -> None:
    given = state.parameters
    sets: Sequence[Mapping[str, Any]] = [given or {}] if given is None or isinstance(given, Mapping) else given
    check_tenants(bound_tenant(state.session), sets)


def _touches_tenant_model(state: ORMExecuteState) -> bool:
    return any(isinstance(m.class_, type) and issubclass(m.class_, TenantScoped) for m in state.all_mappers)


@event.listens_for(Session, "do_orm_execute")
def _add_tenant_criteria(state: ORMExecuteState) -> None:
    if state.execution_options.get(PREBUILT):
        _check_prebuilt(state)
        return
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
