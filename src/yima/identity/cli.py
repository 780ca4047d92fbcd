"""``yima tenant …``, ``yima user …``, ``yima client …``."""

from __future__ import annotations

import asyncio
import getpass
import json
from typing import Annotated

import typer
from rich.console import Console

from yima.identity import service
from yima.identity.permissions import cli_context
from yima.identity.schemas import ClientCreate, PasswordReset, StaffCreate, TenantCreate
from yima.platform.db.session import Database
from yima.settings import get_settings

tenant_app = typer.Typer(help="Brands (tenants).", no_args_is_help=True)
user_app = typer.Typer(help="Console users (staff of a brand).", no_args_is_help=True)
client_app = typer.Typer(help="Open-platform API clients (OAuth 2.0).", no_args_is_help=True)
out = Console()


def _db() -> Database:
    return Database(get_settings().database_url)


async def _run_in(slug: str | None, use_case):  # type: ignore[no-untyped-def]
    db = _db()
    try:
        async with cli_context(db, slug) as ctx:
            return await use_case(ctx)
    finally:
        await db.dispose()


@tenant_app.command("create")
def tenant_create(
    slug: Annotated[str, typer.Option(help="Short name used in URLs, e.g. 'demo'")],
    name: Annotated[str, typer.Option(help="The brand's display name")],
    time_zone: Annotated[str, typer.Option(help="IANA time zone for 'a day' and display")] = "Asia/Shanghai",
) -> None:
    """Create a brand with its own key material and the built-in roles."""
    data = TenantCreate(slug=slug, name=name, time_zone=time_zone)
    tenant = asyncio.run(_run_in(None, lambda ctx: service.create_tenant(ctx, data)))
    out.print(f"created brand [bold]{tenant.slug}[/] (id {tenant.id})")


@user_app.command("create")
def user_create(
    tenant: Annotated[str, typer.Option(help="Brand slug")],
    login: Annotated[str, typer.Option(help="Login name")],
    role: Annotated[list[str], typer.Option(help="Role code (repeatable): owner, admin, operator, …")],
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    password: Annotated[str | None, typer.Option(help="Password (asked for when omitted)")] = None,
    region: Annotated[list[str] | None, typer.Option(help="GB/T 2260 region code a regional manager covers")] = None,
) -> None:
    """Add a person to a brand. An existing login (staff of another brand) is linked and
    keeps its password."""
    secret = password or getpass.getpass("password: ")
    data = StaffCreate(login=login, display_name=name or login, password=secret, roles=role, region_codes=region or [])
    staff = asyncio.run(_run_in(tenant, lambda ctx: service.create_staff(ctx, data, link_existing=True)))
    out.print(f"[bold]{staff.login}[/] is now staff of {tenant} as {', '.join(staff.roles)}")


@user_app.command("password")
def user_password(
    login: Annotated[str, typer.Option(help="Login name")],
    password: Annotated[str | None, typer.Option(help="New password (asked for when omitted)")] = None,
) -> None:
    """Set a person's password and unlock them (platform operators); a new password ends their
    console sessions. Staff change their own in the console or at POST /api/v1/identity/me/password."""
    secret = password or getpass.getpass("new password: ")
    data = PasswordReset(login=login, password=secret)
    asyncio.run(_run_in(None, lambda ctx: service.reset_password_of_login(ctx, data.login, data.password)))
    out.print(f"the password of [bold]{login}[/] is set; the account is unlocked")


@client_app.command("create")
def client_create(
    tenant: Annotated[str, typer.Option(help="Brand slug")],
    name: Annotated[str, typer.Option(help="What the client is for")],
    scope: Annotated[list[str], typer.Option(help="Scope (repeatable), e.g. staff:read")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {client_id, client_secret} as JSON")] = False,
) -> None:
    """Create an API client; its secret is printed once."""
    data = ClientCreate(name=name, scopes=scope)
    client = asyncio.run(_run_in(tenant, lambda ctx: service.create_client(ctx, data)))
    if as_json:
        print(json.dumps({"client_id": client.client_id, "client_secret": client.client_secret}))
    else:
        out.print(f"client_id:     {client.client_id}\nclient_secret: {client.client_secret}  (shown once)")


commands = {"tenant": tenant_app, "user": user_app, "client": client_app}
