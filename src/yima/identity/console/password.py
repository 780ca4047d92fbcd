"""修改密码 Change password: a staff member sets their own password (their other sessions end)."""

from __future__ import annotations

from nicegui import ui
from pydantic import ValidationError

from yima.identity import service
from yima.identity.permissions import SELF_READ
from yima.identity.schemas import PasswordChange
from yima.platform.console import ConsolePage, Text, console_page, register_error_texts
from yima.platform.console.frame import ACCOUNT_PATH
from yima.platform.console.widgets import page_header, text_field
from yima.platform.errors import FieldError, Invalid

register_error_texts(
    {
        "wrong_password": Text("当前密码错误", "The current password is wrong"),
        "account_locked": Text("密码错误次数过多，账户已临时锁定", "Too many wrong passwords; the account is locked"),
        "password_unchanged": Text("新密码不能与当前密码相同", "The new password is the current one"),
        "password_has_login": Text("密码不能包含登录名", "The password contains the login"),
        "password_weak": Text("密码过于简单", "The password is too simple"),
        "password_blank": Text("密码不能全是空格", "The password is only spaces"),
        "password_mismatch": Text("两次输入的新密码不一致", "The two new passwords differ"),
    }
)


@console_page(ACCOUNT_PATH, label=Text("修改密码", "Change password"), permission=SELF_READ.name, in_nav=False)
async def password_page(page: ConsolePage) -> None:
    t = page.t
    page_header(
        t("修改密码", "Change password"),
        t("修改后，您在其他浏览器中的登录将失效", "Your sessions in other browsers end when you change it"),
    )
    labels = {
        "current_password": t("当前密码", "Current password"),
        "new_password": t("新密码", "New password"),
    }
    with ui.card().classes("w-full max-w-md gap-3"):
        current = text_field(labels["current_password"], password=True)
        new = text_field(
            t("新密码（至少 8 位，不含登录名）", "New password (8+ characters, not the login)"), password=True
        )
        again = text_field(t("再次输入新密码", "New password again"), password=True)

        async def save() -> None:
            if new.value != again.value:
                page.show_error(_mismatch(), labels)
                return
            try:
                data = PasswordChange(current_password=current.value or "", new_password=new.value or "")
            except ValidationError as exc:
                page.show_error(exc, labels)
                return
            outcome = await page.run(lambda ctx: service.change_password(ctx, data), fields=labels)
            if not outcome:
                return
            if outcome.value is not None:  # refused, and the failed try counted
                page.show_error(outcome.value, labels)
                return
            for field in (current, new, again):
                field.set_value("")
            ui.notify(t("密码已修改", "Password changed"), type="positive")

        ui.button(t("修改密码", "Change password"), on_click=save).props("unelevated")


def _mismatch() -> Invalid:
    return Invalid("the two new passwords differ", [FieldError("new_password", "the two differ", "password_mismatch")])
