"""The demo brand's members: a few consumers who verified their phones, with levels and tags,
so the 会员 pages have something to show (idempotent). Phone numbers are fictional."""

from __future__ import annotations

from yima.members import service
from yima.members.schemas import PersonUpdate
from yima.platform.ctx import Ctx

MEMBERS = [
    ("13700001001", 0, []),
    ("13700001002", 1, ["宴席客户"]),
    ("13700001003", 2, ["高净值", "品鉴会"]),
    ("13700001004", 3, ["高净值", "酱香爱好者"]),
    ("13700001005", 4, ["高净值", "品鉴会", "团购"]),
]


async def seed(ctx: Ctx) -> None:
    for phone, level, tags in MEMBERS:
        person = await service.phone_person(ctx, phone)
        if person.level != level or person.tags != sorted(tags):
            await service.update_person(ctx, person.id, PersonUpdate(level=level, tags=tags))
