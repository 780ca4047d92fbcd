"""SMS one-time codes (短信验证码): sent and checked under limits, stored only as keyed hashes.

Failures come back as ``Outcome.error`` instead of being raised: the edge commits what a failure
must leave behind (a wrong try counted, a failed send logged) and then answers with the error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Generic, TypeVar

from yima.identity import service as identity
from yima.members import repository as repo
from yima.members import rules, sms
from yima.members.config import members_settings
from yima.members.errors import (
    CodeExpired,
    InvalidCode,
    SmsFailed,
    TooManyAttempts,
    WaitBeforeResend,
    WrongCode,
    invalid_phone,
)
from yima.members.models import PhoneCode, SmsMessage
from yima.members.schemas import CodeSent
from yima.platform.ctx import Ctx
from yima.platform.errors import AppError, FieldError

T = TypeVar("T")
CODE_PURPOSE = b"members-otp"
SOURCE_PURPOSE = b"members-source"


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a use case that must keep its failures returns: a value, or the error to answer."""

    value: T | None = None
    error: AppError | None = None

    def unwrap(self) -> T:
        if self.error is not None:
            raise self.error
        assert self.value is not None
        return self.value


async def _code_hash(ctx: Ctx, phone: str, purpose: str, code: str) -> str:
    key = await identity.tenant_subkey(ctx.session, ctx.tenant_id, CODE_PURPOSE)
    return rules.code_hash(key, phone, purpose, code)


async def _source_hash(ctx: Ctx) -> str | None:
    if not ctx.ip:
        return None
    key = await identity.tenant_subkey(ctx.session, ctx.tenant_id, SOURCE_PURPOSE)
    return hmac.new(key, ctx.ip.encode(), hashlib.sha256).hexdigest()[:32]


def _phone(phone: str) -> str | AppError:
    return rules.normalise_phone(phone) or invalid_phone()


async def _daily_limit(ctx: Ctx, phone: str, source: str | None, policy: rules.OtpPolicy) -> AppError | None:
    assert ctx.tenant is not None
    now = ctx.now()
    start = rules.day_start(now, ctx.tenant.zone)
    tomorrow = int((start + dt.timedelta(days=1) - now).total_seconds()) + 1
    if await repo.count_sent(ctx.session, start, phone=phone) >= policy.phone_daily:
        detail = [FieldError("phone", "daily limit", "daily_limit")]
        return WaitBeforeResend("this number has had all its codes for today", tomorrow, detail, code="sms_daily_limit")
    if source is not None and await repo.count_sent(ctx.session, start, source_hash=source) >= policy.source_daily:
        return WaitBeforeResend("too many codes from this network today", tomorrow, code="sms_daily_limit")
    return None


async def _code_row(ctx: Ctx, phone: str, purpose: str) -> PhoneCode:
    """The (phone, purpose)'s code row, locked; made on first use (a concurrent maker wins)."""
    row = await repo.lock_code(ctx.session, phone, purpose)
    if row is None:
        row = PhoneCode(tenant_id=ctx.tenant_id, phone=phone, purpose=purpose, attempts=0)
        if not await repo.create_code_row(ctx.session, row):
            row = await repo.lock_code(ctx.session, phone, purpose)
    assert row is not None
    return row


async def send_code(ctx: Ctx, phone: str, purpose: str = rules.VERIFY_PURPOSE) -> Outcome[CodeSent]:
    """Send a new code to ``phone`` for ``purpose``, replacing any earlier one: after the limits
    (cooldown per phone and purpose, daily counts per phone and per requesting IP), the code's
    hash and the SMS log row are stored first, then the provider is called. If it refuses, no
    code is usable and the error says so."""
    number = _phone(phone)
    if isinstance(number, AppError):
        return Outcome(error=number)
    settings = members_settings()
    policy, now, sender = settings.otp_policy(), ctx.now(), sms.current_sender()
    source = await _source_hash(ctx)
    limited = await _daily_limit(ctx, number, source, policy)
    if limited is not None:
        return Outcome(error=limited)
    row = await _code_row(ctx, number, purpose)
    wait = rules.resend_wait(row.issued_at, now, policy.resend_after)
    if wait:
        return Outcome(error=WaitBeforeResend(f"a code was just sent; ask again in {wait} s", wait))
    code = f"{secrets.randbelow(10**rules.CODE_DIGITS):0{rules.CODE_DIGITS}d}"
    previous = row.issued_at
    row.code_hash, row.attempts, row.used_at = await _code_hash(ctx, number, purpose, code), 0, None
    row.issued_at, row.expires_at = now, now + policy.ttl
    message = SmsMessage(
        tenant_id=ctx.tenant_id, phone=number, purpose=purpose, source_hash=source, provider=sender.name,
        status="sending", created_at=now,
    )  # fmt: skip
    repo.add(ctx.session, message)
    await ctx.session.flush()
    try:
        receipt = await sender.send_code(number, code)
    except sms.SmsError as exc:
        row.code_hash, row.issued_at = None, previous  # nothing usable; no cooldown for a code never sent
        message.status, message.error_code = "failed", exc.code[:80]
        await ctx.session.flush()
        return Outcome(error=_provider_error(exc, settings.otp_resend_seconds))
    message.status, message.provider_ref = "sent", (receipt.ref or "")[:80] or None
    await ctx.session.flush()
    sent = CodeSent(
        phone=rules.mask_phone(number) or "",
        expires_in=settings.otp_ttl_seconds,
        resend_after=settings.otp_resend_seconds,
    )
    return Outcome(sent)


def _provider_error(exc: sms.SmsError, retry_after: int) -> AppError:
    detail = [FieldError("phone", f"the SMS provider answered {exc.code}", exc.code)]
    if exc.throttled:
        return WaitBeforeResend("the SMS provider limits this number for now", retry_after, detail,
                                code="sms_provider_limit")  # fmt: skip
    return SmsFailed("the SMS could not be sent; no code was sent", detail)


async def check_code(ctx: Ctx, phone: str, code: str, purpose: str = rules.VERIFY_PURPOSE) -> AppError | None:
    """None when ``code`` is the current code of (phone, purpose), which is then used up;
    otherwise the error, a wrong try counted (the code dies after the last one allowed). What
    cannot be a code at all (``12345``, letters) is refused without counting: it guesses nothing,
    and a phone page passes the field as typed (spaces, full-width digits: read as the digits)."""
    number = _phone(phone)
    if isinstance(number, AppError):
        return number
    typed = rules.normalise_code(code)
    if typed is None:
        return InvalidCode("a code is the 6 digits of the SMS", [FieldError("code", "6 digits", "invalid_code")])
    code = typed
    max_attempts, now = members_settings().otp_max_attempts, ctx.now()
    row = await repo.lock_code(ctx.session, number, purpose)
    slot = rules.CodeSlot(row.code_hash, row.expires_at, row.attempts) if row else None
    verdict = rules.judge_code(slot, await _code_hash(ctx, number, purpose, code), now, max_attempts)
    if verdict == "expired" or row is None:
        return CodeExpired("no valid code for this number; ask for a new one", [_field("code_expired")])
    if verdict == "locked":
        return TooManyAttempts("too many wrong codes; ask for a new one", [_field("too_many_attempts")])
    if verdict == "ok":
        row.code_hash, row.used_at = None, now
        await ctx.session.flush()
        return None
    row.attempts += 1
    left = max_attempts - row.attempts
    if left <= 0:
        row.code_hash = None
    await ctx.session.flush()
    if left <= 0:
        return TooManyAttempts("too many wrong codes; ask for a new one", [_field("too_many_attempts")])
    return WrongCode("wrong code", [FieldError("code", f"wrong code; {left} tries left", "wrong_code")])


def _field(code: str) -> FieldError:
    return FieldError("code", code.replace("_", " "), code)
