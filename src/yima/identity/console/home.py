"""The console's home: the brand, who you are, what you may do, and where to go."""

from __future__ import annotations

from nicegui import ui

from yima.identity import service
from yima.identity.permissions import SELF_READ
from yima.platform.console import ConsolePage, Text, console_page
from yima.platform.console.widgets import page_header, quick_links
from yima.platform.permissions import all_permissions


@console_page("/", label=Text("首页", "Home"), icon="home", permission=SELF_READ.name, order=0)
async def home(page: ConsolePage) -> None:
    roles = await page.run(service.roles_of_actor)
    page_header(
        page.t(f"您好，{page.user.display_name}", f"Hello, {page.user.display_name}"),
        page.t("欢迎使用 yima 一码品牌总部后台", "Welcome to the yima brand HQ console"),
    )
    with ui.grid(columns=3).classes("w-full gap-4"):
        with _card(page.t("当前品牌", "Current brand"), "storefront"):
            ui.label(page.tenant.name).classes("text-xl font-medium")
            ui.label(
                page.t(
                    f"标识 {page.tenant.slug} · 时区 {page.tenant.time_zone}",
                    f"Slug {page.tenant.slug} · time zone {page.tenant.time_zone}",
                )
            ).classes("text-sm text-grey-7")
        with _card(page.t("我的角色", "My roles"), "badge"), ui.row().classes("gap-1"):
            for role in roles.value if roles else []:
                ui.badge(role.name).props("outline color=primary").classes("text-sm")
        with _card(page.t("数据范围", "Data scope"), "map"):
            regions = page.actor.region_codes
            ui.label(
                page.t("全品牌", "The whole brand")
                if not regions
                else page.t(f"限 {len(regions)} 个区域：", f"{len(regions)} regions: ") + "、".join(regions)
            )
    _permissions(page)
    quick_links(page)


def _card(title: str, icon: str) -> ui.card:
    card = ui.card().classes("w-full gap-2")
    with card, ui.row().classes("items-center gap-2 text-grey-7"):
        ui.icon(icon, size="20px")
        ui.label(title).classes("text-sm")
    return card


def _permissions(page: ConsolePage) -> None:
    held = [p for p in all_permissions() if page.can(p.name)]
    title = page.t(f"我的权限（{len(held)} 项）", f"My permissions ({len(held)})")
    with (
        ui.expansion(title, icon="verified_user").classes("w-full bg-white rounded-borders"),
        ui.row().classes("gap-1 p-2"),
    ):
        for permission in held:
            label = permission.label_en if page.locale == "en" else permission.label_zh
            ui.chip(label).props("dense square color=blue-grey-1 text-color=blue-grey-10").tooltip(permission.name)
