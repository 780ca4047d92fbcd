"""Pure rules of the members: phone numbers (normalised, masked), visitor tokens, one-time codes
(hash, verdict, cooldown, limits) and what a member profile says (new or returning).

Mobile numbers are mainland China ones (中国大陆手机号, what 国内短信 reaches): stored as
``+86`` and 11 digits, shown masked as ``138****1234``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

# Identity kinds (身份类型) of One ID ---------------------------------------------------------

IdentityKind = Literal["visitor", "phone", "wechat_openid", "wechat_unionid"]
IDENTITY_KINDS: tuple[IdentityKind, ...] = ("visitor", "phone", "wechat_openid", "wechat_unionid")
VISITOR: IdentityKind = "visitor"
PHONE: IdentityKind = "phone"

# Phone numbers -------------------------------------------------------------------------------

COUNTRY_PREFIX = "+86"
_SEPARATORS = re.compile(r"[\s\-().]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _halfwidth(text: str) -> str:
    # A Chinese input method types full-width digits and signs (１３８　１２３４, ＋８６): NFKC
    # makes them the ASCII ones, so they name the same number (or code) as typed on a keypad.
    return unicodedata.normalize("NFKC", text or "")


def normalise_phone(text: str) -> str | None:
    """``+8613812341234`` for any way people write a mainland mobile number (``138 1234 1234``,
    ``+86-138-1234-1234``, ``008613812341234``, full-width ``１３８…``); None when it is not one."""
    digits = _SEPARATORS.sub("", _halfwidth(text))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return COUNTRY_PREFIX + digits if _MOBILE.match(digits) else None


def national(phone: str) -> str:
    """The 11 digits of a normalised number (what an SMS provider is given for 国内短信)."""
    return phone.removeprefix(COUNTRY_PREFIX)


def mask_phone(phone: str | None) -> str | None:
    """``138****1234``: enough for a person to recognise their number, not to call it."""
    if not phone:
        return None
    digits = national(phone)
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


# Visitor tokens (访客令牌) ---------------------------------------------------------------------
#
# ``v1.<tenant id>.<visitor id>.<issued, unix seconds>.<mac>``: the visitor id is random (16 bytes,
# base64url), the mac an HMAC-SHA256 under the brand's own subkey, cut to 128 bits. The brand is
# readable (its key is needed to check the rest), like the ``kid`` of an access token.

VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
MAX_TENANT_ID = 2**63 - 1  # a BIGINT: a larger brand id in a token is no brand, not a database error
_TOKEN = re.compile(r"^v1\.([1-9]\d{0,18})\.([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$")


@dataclass(frozen=True)
class VisitorClaim:
    tenant_id: int
    visitor_id: str
    issued: int
    mac: str


def _mac(key: bytes, tenant_id: int, visitor_id: str, issued: int) -> str:
    digest = hmac.new(key, f"v1.{tenant_id}.{visitor_id}.{issued}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def visitor_token(key: bytes, tenant_id: int, visitor_id: str, issued: int) -> str:
    return f"v1.{tenant_id}.{visitor_id}.{issued}.{_mac(key, tenant_id, visitor_id, issued)}"


def parse_visitor_token(token: str) -> VisitorClaim | None:
    """What a token claims (not yet checked: that needs the brand's key); None when malformed."""
    found = _TOKEN.match(token or "")
    if found is None:
        return None
    tenant_id, visitor_id, issued, mac = found.groups()
    if int(tenant_id) > MAX_TENANT_ID:
        return None
    return VisitorClaim(int(tenant_id), visitor_id, int(issued), mac)


def visitor_claim_holds(key: bytes, claim: VisitorClaim, now: int, max_age_seconds: int) -> bool:
    """The mac is the brand's (compared in constant time) and the token is not too old."""
    expected = _mac(key, claim.tenant_id, claim.visitor_id, claim.issued)
    fresh = claim.issued <= now + 300 and now - claim.issued <= max_age_seconds  # 5 min of clock skew
    return hmac.compare_digest(expected, claim.mac) and fresh


# One-time codes (短信验证码) --------------------------------------------------------------------

CODE_DIGITS = 6
CODE_PATTERN = r"^\d{6}$"
_CODE = re.compile(r"^[0-9]{6}$")
_CODE_SEPARATORS = re.compile(r"[\s\-]")
PURPOSE_PATTERN = r"^[a-z][a-z_]{1,19}$"
VERIFY_PURPOSE = "verify"  # prove a phone is yours, and attach it to your person (bind or log in)


@dataclass(frozen=True)
class OtpPolicy:
    ttl: dt.timedelta  # a code expires after
    max_attempts: int  # wrong tries before the code is dead
    resend_after: dt.timedelta  # no new code for the same phone and purpose before
    phone_daily: int  # codes sent to one phone in a brand's local day
    source_daily: int  # codes sent at one IP's request in a brand's local day


def normalise_code(text: str) -> str | None:
    """The 6 ASCII digits of a code as typed (``123 456``, `` 123456``, full-width ``１２３４５６``);
    None when it cannot be one. Such a typo is not a guess, so it is not counted as a wrong try."""
    digits = _CODE_SEPARATORS.sub("", _halfwidth(text))
    return digits if _CODE.match(digits) else None


def code_hash(key: bytes, phone: str, purpose: str, code: str) -> str:
    """What is stored instead of a code: bound to its phone and purpose, keyed by the brand."""
    return hmac.new(key, f"{phone}\x1f{purpose}\x1f{code}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CodeSlot:
    """The current code of one (phone, purpose), as stored."""

    code_hash: str | None  # None: no usable code (used, failed to send, or too many wrong tries)
    expires_at: dt.datetime | None
    attempts: int


Verdict = Literal["ok", "wrong", "locked", "expired"]


def judge_code(slot: CodeSlot | None, given_hash: str, now: dt.datetime, max_attempts: int) -> Verdict:
    """``ok`` for the right code in time; ``wrong`` counts an attempt; ``locked`` once the wrong
    tries are used up; ``expired`` when there is no usable code (never sent, used, timed out)."""
    if slot is None or slot.expires_at is None or slot.expires_at <= now:
        return "expired"
    if slot.attempts >= max_attempts:
        return "locked"
    if slot.code_hash is None:
        return "expired"
    return "ok" if hmac.compare_digest(slot.code_hash, given_hash) else "wrong"


def resend_wait(issued_at: dt.datetime | None, now: dt.datetime, resend_after: dt.timedelta) -> int:
    """Whole seconds to wait before another code may be sent (0: now)."""
    if issued_at is None:
        return 0
    left = (issued_at + resend_after - now).total_seconds()
    return max(0, int(left) + (1 if left % 1 else 0))


def day_start(now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The start of the brand's local day containing ``now``, in UTC ("a day" of a daily limit)."""
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


# Member profiles --------------------------------------------------------------------------------


def is_new(first_seen_at: dt.datetime, now: dt.datetime, zone: ZoneInfo) -> bool:
    """新客: first seen on the brand's current local day; returning (老客) otherwise."""
    return first_seen_at >= day_start(now, zone)
