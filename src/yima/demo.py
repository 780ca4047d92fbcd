"""The demo brand: a baijiu maker with its staff, for ``make run`` and for trying yima out.

Each context adds its own part through ``yima/<context>/demo.py`` (``async def seed(ctx)``).
Idempotent: running it again creates what is missing, resets the demo passwords (so the
printed logins always work) and leaves everything else as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from yima import contexts
from yima.identity import service as identity
from yima.identity.permissions import cli_context
from yima.identity.schemas import StaffCreate, StaffUpdate, TenantCreate
from yima.partners import demo as partners_demo
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.platform.errors import NotFound
from yima.settings import get_settings

DEMO_SLUG = "demo"
DEMO_NAME = "赤水河酱酒 (演示)"
SISTER_SLUG = "demo-beer"
SISTER_NAME = "青岚精酿 (演示)"
DEMO_PASSWORD = "yima-demo-2026"  # noqa: S105 -- printed for demo use, by design


@dataclass(frozen=True)
class DemoStaff:
    login: str
    name: str
    roles: tuple[str, ...]
    regions: tuple[str, ...] = ()
    also_sister: bool = False


STAFF = [
    DemoStaff("owner", "周总 (品牌所有者)", ("owner",), also_sister=True),
    DemoStaff("admin", "王磊 (系统管理员)", ("admin",)),
    DemoStaff("operator", "李娜 (运营)", ("operator",)),
    DemoStaff("finance", "陈静 (财务)", ("finance",)),
    # 华东大区: 上海, 江苏, 浙江; 西南大区: 四川, 贵州, 重庆.
    DemoStaff("east", "赵强 (华东大区经理)", ("regional_manager",), ("310000", "320000", "330000")),
    DemoStaff("southwest", "刘洋 (西南大区经理)", ("regional_manager",), ("510000", "520000", "500000")),
    DemoStaff("auditor", "孙敏 (审计)", ("auditor",)),
]


async def _ensure_tenant(db: Database, slug: str, name: str) -> None:
    async with cli_context(db) as ctx:
        try:
            await identity.get_tenant_by_slug(ctx.session, slug)
        except NotFound:
            await identity.create_tenant(ctx, TenantCreate(slug=slug, name=name))


async def _ensure_staff(ctx: Ctx, person: DemoStaff) -> None:
    existing = await identity.find_staff_by_login(ctx, person.login)
    if existing is None:
        await identity.create_staff(
            ctx,
            StaffCreate(
                login=person.login,
                display_name=person.name,
                password=DEMO_PASSWORD,
                roles=list(person.roles),
                region_codes=list(person.regions),
            ),
            link_existing=True,
        )
        return
    await identity.update_staff(ctx, existing.id, StaffUpdate(is_active=True, roles=list(person.roles)))
    await identity.reset_password(ctx, existing.user_id, DEMO_PASSWORD)


async def ensure_demo(database_url: str | None = None, quiet: bool = False) -> None:
    contexts.load()
    db = Database(database_url or get_settings().database_url)
    try:
        await _ensure_tenant(db, DEMO_SLUG, DEMO_NAME)
        await _ensure_tenant(db, SISTER_SLUG, SISTER_NAME)
        async with cli_context(db, DEMO_SLUG) as ctx:
            for person in STAFF:
                await _ensure_staff(ctx, person)
        async with cli_context(db, SISTER_SLUG) as ctx:
            for person in STAFF:
                if person.also_sister:
                    await _ensure_staff(ctx, person)
        # Each context seeds its own part (products, regions, …), lowest layer first, each in
        # its own transaction; every seed() is idempotent.
        for module in contexts.edges("demo"):
            async with cli_context(db, DEMO_SLUG) as ctx:
                await module.seed(ctx)
    finally:
        await db.dispose()
    if not quiet:
        _print_logins()


def _print_logins() -> None:
    table = Table(title=f"demo logins (password for all: {DEMO_PASSWORD})")
    table.add_column("login")
    table.add_column("who")
    table.add_column("brands")
    for person in STAFF:
        brands = f"{DEMO_SLUG}, {SISTER_SLUG}" if person.also_sister else DEMO_SLUG
        table.add_row(person.login, person.name, brands)
    console = Console(stderr=True)
    console.print(table)
    accounts = Table(
        title="dealers', stores', salesmen's and guides' phone logins at /m/partner/login?brand=demo "
        "(SMS code: server log)"
    )
    accounts.add_column("phone")
    accounts.add_column("who")
    for phone, name, kind, partner in partners_demo.ACCOUNTS:
        accounts.add_row(phone, f"{name}, {kind} of {partner}")
    console.print(accounts)
