"""What identity's console pages share: role and permission choices, translated error codes."""

from __future__ import annotations

from itertools import groupby

from yima.identity.schemas import PermissionRead, RoleRead
from yima.platform.console import ConsolePage, Text, register_error_texts
from yima.platform.console.widgets import Choice

register_error_texts(
    {
        "brand_switched": Text(
            "您已在其他窗口切换了品牌，请刷新页面", "The brand was switched in another window; reload the page"
        ),
        "last_owner": Text("品牌至少要保留一位启用的所有者", "A brand keeps at least one active owner"),
        "in_use": Text("仍有员工持有该角色", "Staff still hold this role"),
        "builtin": Text("内置角色不能修改", "Built-in roles cannot be changed"),
        "shared_account": Text(
            "此人也在其他品牌任职，需由本人修改密码",
            "This person also works for another brand; they change their own password",
        ),
        "unknown_role": Text("角色不存在", "no such role"),
        "unknown_permission": Text("权限不存在", "no such permission"),
        "unknown_scope": Text("权限范围不存在", "no such scope"),
    }
)

STATUS_COLORS = {
    "启用": "positive",
    "Active": "positive",
    "停用": "grey-6",
    "Disabled": "grey-6",
    "已锁定": "negative",
    "Locked": "negative",
}


def status_tags(page: ConsolePage, active: bool, locked: bool = False) -> list[str]:
    tags = [page.t("启用", "Active") if active else page.t("停用", "Disabled")]
    if locked:
        tags.append(page.t("已锁定", "Locked"))
    return tags


def role_options(roles: list[RoleRead]) -> dict[str, str]:
    return {r.code: r.name for r in roles}


def permission_label(page: ConsolePage, permission: PermissionRead) -> str:
    return permission.label_en if page.locale == "en" else permission.label_zh


def permission_groups(page: ConsolePage, permissions: list[PermissionRead]) -> list[tuple[str, list[Choice]]]:
    """Permissions grouped by area for a checklist; those the person lacks are shown but disabled,
    since nobody hands out more than they hold."""
    ordered = sorted(permissions, key=lambda p: (p.area, p.name))
    return [
        (area, [Choice(p.name, permission_label(page, p), page.can(p.name)) for p in items])
        for area, items in groupby(ordered, key=lambda p: p.area)
    ]
