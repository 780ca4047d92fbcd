"""The staff inbox (站内消息): alerts other contexts raise for the people who must act on them.

A context picks the recipients (``staff_holding`` a permission, with the regions each covers)
and calls ``notify``; a person sees their own messages in the console's bell and through the API.
"""

from __future__ import annotations

from collections.abc import Sequence

from yima.identity import repository as repo
from yima.identity import rules
from yima.identity.models import Notification
from yima.identity.schemas import LocalText, NotificationRead, Recipient
from yima.platform.ctx import Ctx
from yima.platform.db.base import utcnow


async def staff_holding(ctx: Ctx, permission: str) -> list[Recipient]:
    """The brand's active staff holding ``permission`` through any of their roles."""
    found = []
    for staff, roles in await repo.active_staff_with_roles(ctx.session):
        if any(permission in rules.role_permissions(r.code, r.builtin, r.permissions) for r in roles):
            found.append(Recipient(user_id=staff.user_id, region_codes=list(staff.region_codes)))
    return found


async def notify(
    ctx: Ctx, user_ids: Sequence[int], kind: str, ref: str, title: LocalText, body: LocalText, link: str = ""
) -> int:
    """Message each user once per (kind, ref): a repeated call (a re-delivered event) adds
    nothing. Returns how many messages were added."""
    already = await repo.notified_users(ctx.session, kind, ref)
    fresh = sorted(set(user_ids) - already)
    repo.add(
        ctx.session,
        *(
            Notification(
                tenant_id=ctx.tenant_id,
                user_id=user_id,
                kind=kind,
                ref=ref,
                title=title.model_dump(),
                body=body.model_dump(),
                link=link,
            )
            for user_id in fresh
        ),
    )
    await ctx.session.flush()
    return len(fresh)


def _own(ctx: Ctx) -> int | None:
    """The user whose inbox the caller reads: staff only (an API client has none)."""
    return ctx.actor.id if ctx.actor.kind == "staff" else None


async def list_notifications(ctx: Ctx, unread_only: bool, limit: int, before_id: int | None) -> list[NotificationRead]:
    user_id = _own(ctx)
    if user_id is None:
        return []
    rows = await repo.list_notifications(ctx.session, user_id, unread_only, limit + 1, before_id)
    return [ctx.shown(NotificationRead.model_validate(r)) for r in rows]


async def unread_notifications(ctx: Ctx) -> int:
    user_id = _own(ctx)
    return 0 if user_id is None else await repo.count_unread(ctx.session, user_id)


async def read_notifications(ctx: Ctx, ids: Sequence[int] | None) -> int:
    """Mark the caller's notifications read (``ids`` None: all); how many changed. Ids of other
    people's messages change nothing."""
    user_id = _own(ctx)
    if user_id is None:
        return 0
    return await repo.mark_read(ctx.session, user_id, ids, utcnow())
