"""The SMS log (短信发送记录) for operators: which codes went out, which failed and why."""

from __future__ import annotations

from yima.members import repository as repo
from yima.members import rules
from yima.members.permissions import MEMBERS_READ
from yima.members.schemas import SmsFilter, SmsRead
from yima.members.service.persons import normalised_phone
from yima.platform.ctx import Ctx


async def list_sms(ctx: Ctx, filters: SmsFilter, limit: int, before_id: int | None) -> list[SmsRead]:
    """Up to ``limit + 1`` messages, newest first, phones masked."""
    ctx.require(MEMBERS_READ.name)
    phone = normalised_phone(filters.phone) if filters.phone else None
    rows = await repo.list_sms(ctx.session, phone, filters.status, limit + 1, before_id)
    return [
        SmsRead(
            id=m.id,
            phone=rules.mask_phone(m.phone) or "",
            purpose=m.purpose,
            provider=m.provider,
            status=m.status,
            provider_ref=m.provider_ref,
            error_code=m.error_code,
            created_at=ctx.local(m.created_at),  # the brand's time, as every answer of members
        )
        for m in rows
    ]
