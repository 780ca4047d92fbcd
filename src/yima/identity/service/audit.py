"""The audit log: configuration changes and money movements, append-only."""

from __future__ import annotations

from typing import Any

from yima.identity import repository as repo
from yima.identity.models import AuditEntry
from yima.identity.permissions import AUDIT_READ
from yima.identity.schemas import AuditFilter
from yima.platform.ctx import Ctx


def record_audit(
    ctx: Ctx, action: str, target_type: str, target_id: object, changes: dict[str, Any] | None = None
) -> None:
    """Append an entry in the caller's transaction: it commits with the change it describes."""
    repo.add_audit(
        ctx.session,
        AuditEntry(
            tenant_id=ctx.tenant_id,
            actor_kind=ctx.actor.kind,
            actor_id=ctx.actor.id,
            actor_name=ctx.actor.name,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            changes=changes or {},
            ip=ctx.ip,
            request_id=ctx.request_id,
        ),
    )


async def list_audit(ctx: Ctx, filters: AuditFilter, limit: int, before_id: int | None) -> list[AuditEntry]:
    ctx.require(AUDIT_READ.name)
    return await repo.list_audit(ctx.session, filters, limit + 1, before_id)
