"""``yima members find|show|list|sms``: look people up by phone and see their identities."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from yima.identity.permissions import cli_context
from yima.members import service
from yima.members.schemas import PersonFilter, PersonRead, SmsFilter
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.settings import get_settings

T = TypeVar("T")
members_app = typer.Typer(help="Members (会员): persons, their identities, the SMS log.", no_args_is_help=True)
out = Console()
Tenant = Annotated[str, typer.Option(help="Brand slug")]
Limit = Annotated[int, typer.Option(help="At most this many (newest first)")]


def _run(slug: str, use_case: Callable[[Ctx], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(get_settings().database_url)
        try:
            async with cli_context(db, slug) as ctx:
                return await use_case(ctx)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _print_person(person: PersonRead) -> None:
    out.print(f"person {person.id}  level VIP{person.level}  tags {', '.join(person.tags) or '—'}")
    if person.merged_into_id is not None:
        out.print(f"merged into person {person.merged_into_id}")
    table = Table("身份 kind", "值 value", "验证 verified", "关联 linked")
    for i in person.identities:
        table.add_row(i.kind, i.value, str(i.verified_at or ""), str(i.created_at))
    out.print(table)


@members_app.command("find")
def find(tenant: Tenant, phone: Annotated[str, typer.Argument(help="A mobile number")]) -> None:
    """The person holding a phone number (exit 1 when nobody does)."""
    person = _run(tenant, lambda ctx: service.person_by_phone(ctx, phone))
    if person is None:
        out.print("nobody holds this number")
        raise typer.Exit(1)
    _print_person(person)


@members_app.command("show")
def show(tenant: Tenant, person_id: Annotated[int, typer.Argument(help="Person id")]) -> None:
    """One person with every identity (a merged one shows where it went)."""
    _print_person(_run(tenant, lambda ctx: service.get_person(ctx, person_id)))


@members_app.command("list")
def list_(tenant: Tenant, tag: Annotated[str | None, typer.Option(help="Only with this tag")] = None,
          limit: Limit = 100) -> None:  # fmt: skip
    """The newest persons, phones masked."""
    rows = _run(tenant, lambda ctx: service.list_persons(ctx, PersonFilter(tag=tag), limit, None))[:limit]
    table = Table("id", "手机号 phone", "等级 level", "标签 tags", "身份 identities", "首次 first seen")
    for p in rows:
        kinds = ", ".join(p.identity_kinds)
        table.add_row(str(p.id), p.phone or "", f"VIP{p.level}", ", ".join(p.tags), kinds, str(p.first_seen_at))
    out.print(table)


@members_app.command("sms")
def sms_log(tenant: Tenant, limit: Limit = 50) -> None:
    """The SMS log: codes handed to the provider and how it went (never the code)."""
    rows = _run(tenant, lambda ctx: service.list_sms(ctx, SmsFilter(), limit, None))[:limit]
    table = Table("id", "时间 time", "手机号 phone", "用途 purpose", "服务商 provider", "状态 status", "错误 error")
    for m in rows:
        table.add_row(str(m.id), str(m.created_at), m.phone, m.purpose, m.provider, m.status, m.error_code or "")
    out.print(table)


commands = {"members": members_app}
