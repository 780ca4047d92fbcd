"""Console languages: Simplified Chinese by default, English switchable per session.

Strings live next to the code that shows them, as ``Text(zh, en)`` pairs or ``page.t(zh, en)``:
a page reads in both languages at once, and no key catalogue drifts away from the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from nicegui.language import Language

Locale = Literal["zh", "en"]
DEFAULT_LOCALE: Locale = "zh"
LANGUAGE_NAMES: dict[Locale, str] = {"zh": "中文", "en": "English"}
# The language packs of Quasar's own labels (date pickers, tables) and the html lang attribute.
QUASAR_LANGUAGES: dict[Locale, Language] = {"zh": "zh-CN", "en": "en-US"}


def as_locale(value: str | None) -> Locale:
    return "en" if value == "en" else "zh"


@dataclass(frozen=True)
class Text:
    """One UI string in both languages."""

    zh: str
    en: str

    def get(self, locale: Locale) -> str:
        return self.en if locale == "en" else self.zh


# Error codes (AppError.code, FieldError.code, pydantic error types) shown in Chinese. In English
# the service's own message is shown, which is already English.
_ERROR_TEXTS: dict[str, Text] = {
    "not_found": Text("找不到该记录，可能已被删除", "Not found; it may have been deleted"),
    "conflict": Text("与现有数据冲突", "This conflicts with existing data"),
    "forbidden": Text("没有执行此操作的权限", "You are not allowed to do this"),
    "permission_denied": Text("没有执行此操作的权限", "You are not allowed to do this"),
    "unauthorized": Text("登录已失效，请重新登录", "Your session has ended; please sign in again"),
    "session_expired": Text("登录已失效，请重新登录", "Your session has ended; please sign in again"),
    "validation_failed": Text("输入有误，请检查", "Some input is not valid"),
    "rate_limited": Text("操作太频繁，请稍后再试", "Too many requests; please wait a moment"),
    "taken": Text("已被占用", "already taken"),
    "escalation": Text("超出您的授权范围", "beyond what you may grant"),
    # pydantic's error types, for forms validated by the context's schemas
    "missing": Text("必填", "required"),
    "string_too_short": Text("不能为空或太短", "too short"),
    "string_too_long": Text("太长", "too long"),
    "string_pattern_mismatch": Text("格式不正确", "wrong format"),
    "too_short": Text("至少选择一项", "choose at least one"),
    "value_error": Text("取值无效", "invalid value"),
}


def register_error_texts(texts: Mapping[str, Text]) -> None:
    """Let a context translate its own error codes (``AccountLocked.code`` …) once, at import."""
    _ERROR_TEXTS.update(texts)


def error_text(code: str, fallback: str, locale: Locale, *, generic: bool = False) -> str:
    """The text for an error code in ``locale``. A service's message is already English and more
    specific than its code, so English shows it unless the message is generic (pydantic's)."""
    known = _ERROR_TEXTS.get(code)
    if known is None or (locale == "en" and not generic):
        return fallback
    return known.get(locale)
