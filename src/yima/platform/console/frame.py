"""The frame around every console page: header (brand, brand switch, language, user menu), the
drawer with the navigation by area, and the content area."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress

from nicegui import ui

from yima.platform.console.auth import SessionExpired
from yima.platform.console.i18n import LANGUAGE_NAMES, as_locale
from yima.platform.console.nav import NavEntry, menu
from yima.platform.console.page import ConsolePage
from yima.platform.errors import AppError

INBOX_PATH = "/identity/notifications"  # identity's inbox page
ACCOUNT_PATH = "/identity/password"  # identity's page where a person changes their own password
PRIMARY = "#1f5fa8"
ACCENT = "#c8102e"  # 中国红, used sparingly (the logo mark)
_CSS = """
body { font-family: Roboto, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
       "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif; }
.yima-nav .q-item { border-radius: 8px; margin: 1px 8px; min-height: 38px; }
.yima-nav .q-item.yima-active { background: #e8f0fb; color: #1f5fa8; font-weight: 500; }
.yima-area { font-size: 12px; color: #6b7280; padding: 14px 20px 4px; letter-spacing: .04em; }
.q-table th { font-weight: 600; color: #374151; background: #f8fafc; }
"""


def render_frame(page: ConsolePage, entries: Sequence[NavEntry]) -> ui.column:
    """Draw the frame; returns the content column the page body fills."""
    ui.colors(primary=PRIMARY, accent=ACCENT)
    ui.add_css(_CSS)
    ui.query("body").classes("bg-grey-1")
    drawer = _drawer(page, entries)
    with (
        ui.header(elevated=False)
        .classes("bg-white text-grey-9 items-center gap-3 px-4 py-2")
        .style("border-bottom: 1px solid #e5e7eb")
    ):
        ui.button(icon="menu", on_click=drawer.toggle).props("flat round dense color=grey-8")
        with ui.link(target="/").classes("no-underline flex items-center gap-2"):
            ui.label("码").classes("text-white text-base font-bold rounded flex items-center justify-center").style(
                f"background:{ACCENT}; width:30px; height:30px"
            )
            ui.label("yima 一码").classes("text-lg font-medium text-grey-9")
        ui.label("|").classes("text-grey-4")
        _brand(page)
        ui.space()
        _language_switch(page)
        _inbox(page)
        _user_menu(page)
    content = ui.column().classes("w-full max-w-screen-xl mx-auto p-6 gap-4")
    page.content = content
    return content


def _drawer(page: ConsolePage, entries: Sequence[NavEntry]) -> ui.left_drawer:
    current = page.spec.nav.path
    drawer = ui.left_drawer(value=True, bordered=True).props("width=232").classes("bg-white p-0 yima-nav")
    with drawer, ui.list().classes("w-full pt-2"):
        for area, items in menu(entries, page.actor):
            if area is not None:
                with ui.row().classes("yima-area items-center gap-1"):
                    ui.icon(area.icon, size="16px")
                    ui.label(page.text(area.label))
            for entry in items:
                item = ui.item().props(f'clickable tag=a href="{page.url(entry.path)}"')
                if entry.path == current:
                    item.classes("yima-active")
                with item, ui.item_section().props("avatar").style("min-width: 36px"):
                    ui.icon(entry.icon, size="20px")
                with item:
                    ui.item_section(page.text(entry.label))
    return drawer


async def _session_call(page: ConsolePage, call: Callable[[], Awaitable[None]]) -> None:
    """Run a session change (brand, language) and show the page again in its light."""
    try:
        await call()
    except SessionExpired:
        page.session_expired()
        return
    except AppError as exc:
        page.show_error(exc)
        return
    ui.navigate.reload()


def _brand(page: ConsolePage) -> None:
    """The brand's name; a switch when the person works for several brands."""
    tenants = page.user.tenants
    if len(tenants) < 2:
        ui.label(page.tenant.name).classes("text-base text-grey-8").props('aria-label="brand"')
        return

    async def switch(tenant_id: int) -> None:
        if tenant_id != page.tenant.id:
            await _session_call(page, lambda: page.user.switch_tenant(tenant_id))

    ui.select({t.id: t.name for t in tenants}, value=page.tenant.id, on_change=lambda e: switch(e.value)).props(
        'dense borderless options-dense aria-label="brand"'
    ).classes("text-base min-w-[10rem]").tooltip(page.t("切换品牌", "Switch brand"))


def _language_switch(page: ConsolePage) -> None:
    async def switch(value: str) -> None:
        if value != page.locale:
            await _session_call(page, lambda: page.user.set_locale(as_locale(value)))

    ui.toggle(dict(LANGUAGE_NAMES), value=page.locale, on_change=lambda e: switch(e.value)).props(
        "dense no-caps unelevated toggle-color=primary size=sm"
    )


def _inbox(page: ConsolePage) -> None:
    """The bell: the person's messages (站内消息), with the unread count."""
    unread = page.user.unread_notifications
    label = page.t("消息", "Messages") + (f" ({unread})" if unread else "")
    with ui.link(target=INBOX_PATH).classes("no-underline").props(f'aria-label="{label}"'):
        with ui.button(icon="notifications").props("flat round dense color=grey-8"):
            if unread:
                ui.badge(str(min(unread, 99)), color="red").props("floating")
        ui.tooltip(label)


def _user_menu(page: ConsolePage) -> None:
    async def logout() -> None:
        with suppress(SessionExpired):  # already gone: the login page is where we go anyway
            await page.user.logout()
        ui.navigate.to(page.login_path)

    with ui.button(icon="account_circle").props("flat no-caps color=grey-9") as button:
        button.text = page.user.display_name
        with ui.menu():
            with ui.column().classes("px-4 py-2 gap-0"):
                ui.label(page.user.display_name).classes("font-medium")
                ui.label(page.tenant.name).classes("text-xs text-grey-7")
            ui.separator()
            ui.menu_item(page.t("修改密码", "Change password"), on_click=lambda: ui.navigate.to(ACCOUNT_PATH))
            ui.menu_item(page.t("退出登录", "Sign out"), on_click=logout)


def no_permission(page: ConsolePage) -> None:
    with ui.column().classes("w-full items-center py-24 gap-2"):
        ui.icon("lock", size="48px").classes("text-grey-5")
        ui.label(page.t("您没有访问此页面的权限", "You do not have permission to view this page")).classes(
            "text-lg text-grey-8"
        )
        ui.label(page.t("如需开通，请联系品牌管理员。", "Ask your brand's administrator for access.")).classes(
            "text-sm text-grey-6"
        )
        ui.link(page.t("返回首页", "Back to the home page"), "/")  # ui.link adds the mount path itself
