"""The members' errors: each with a code a phone page or a mini-program can act on."""

from __future__ import annotations

from collections.abc import Sequence

from yima.platform.errors import AppError, FieldError, Invalid, RateLimited, Unauthorized


class InvalidPhone(Invalid):
    code = "invalid_phone"


def invalid_phone(field: str = "phone") -> InvalidPhone:
    return InvalidPhone(
        "not a mainland China mobile number", [FieldError(field, "expected 11 digits starting 13–19", "invalid_phone")]
    )


class InvalidCode(Invalid):
    """What was typed cannot be a code (not 6 digits): a typo, answered without counting a try."""

    code = "invalid_code"


class WrongCode(Invalid):
    """The code is not the one sent; ``details`` say how many tries are left."""

    code = "wrong_code"


class CodeExpired(Invalid):
    """No usable code for this phone: never sent, used already, or timed out. Ask for a new one."""

    code = "code_expired"


class TooManyAttempts(Invalid):
    """Too many wrong codes: this code is dead. Ask for a new one."""

    code = "too_many_attempts"


class WaitBeforeResend(RateLimited):
    """A new code was asked for too soon (or a daily limit is reached); ``retry_after`` seconds."""

    code = "resend_too_soon"

    def __init__(
        self, message: str, retry_after: int, details: Sequence[FieldError] = (), *, code: str | None = None
    ) -> None:
        super().__init__(message, details, code=code, retry_after=retry_after)


class SmsFailed(AppError):
    """The SMS provider did not take the message: no code was sent and none is usable."""

    code = "sms_failed"
    status = 502


class VisitorRequired(Unauthorized):
    """A visitor route called without a visitor token (cookie ``yima_visitor`` or header
    ``X-Yima-Visitor``)."""

    code = "visitor_required"


class InvalidVisitor(Unauthorized):
    """The visitor token is forged, of an unknown brand, or too old: get a new one."""

    code = "invalid_visitor"


# What a phone page says (zh-CN) for the errors of asking for and checking an SMS code; each page
# adds the texts of its own errors.
SMS_ERROR_TEXTS = {
    "invalid_phone": "请输入正确的 11 位手机号",
    "resend_too_soon": "验证码已发送，请稍后再试",
    "sms_daily_limit": "今天的验证码次数已用完，请明天再试",
    "sms_provider_limit": "短信发送太频繁，请稍后再试",
    "sms_failed": "短信发送失败，请稍后再试",
    "invalid_code": "请输入短信中的 6 位数字验证码",
    "wrong_code": "验证码不正确",
    "too_many_attempts": "验证码错误次数太多，请重新获取",
    "code_expired": "验证码已过期，请重新获取",
}
