"""SMS providers (短信服务商) behind one interface: a development sink and Aliyun SMS (阿里云短信服务).

A sender is given a normalised number and a code and either returns a receipt or raises
``SmsError`` with the provider's error code. Production adapters never log the code or the full
number (only the masked one); the development sink logs the code on purpose, so a developer can
type it in.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from alibabacloud_dysmsapi20170525 import models as aliyun_models  # type: ignore[import-untyped]
from alibabacloud_dysmsapi20170525.client import Client as AliyunClient  # type: ignore[import-untyped]
from alibabacloud_tea_openapi.utils_models import Config as AliyunConfig  # type: ignore[import-untyped]

from yima.members.config import MembersSettings, members_settings
from yima.members.rules import mask_phone, national

log = logging.getLogger("yima.members.sms")

# Aliyun's answers that mean "too many for this number now": the person should wait, not retry.
THROTTLED = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.MONTH_LIMIT_CONTROL"})


@dataclass(frozen=True)
class SmsReceipt:
    provider: str
    ref: str | None = None  # the provider's id of the message (Aliyun's BizId)


class SmsError(Exception):
    """The provider did not take the message. ``code`` is its error code (``isv.…``) or
    ``network``; never the number or the code."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.throttled = code in THROTTLED


class SmsSender(Protocol):
    name: str

    async def send_code(self, phone: str, code: str) -> SmsReceipt:
        """Send ``code`` to ``phone`` (``+86…``) with the brand's verification template."""
        ...


class DevSmsSink:
    """Development only (``YIMA_SMS_PROVIDER=dev``, the default): no SMS leaves the machine; the
    code is written to the log at INFO so the developer can type it in, and the last ones are
    kept for tests (``last_code``)."""

    name = "dev"

    def __init__(self, keep: int = 200) -> None:
        self.sent: deque[tuple[str, str]] = deque(maxlen=keep)

    async def send_code(self, phone: str, code: str) -> SmsReceipt:
        log.info("development SMS sink: code %s for %s (no SMS is sent)", code, mask_phone(phone))
        self.sent.append((phone, code))
        return SmsReceipt(self.name)

    def last_code(self, phone: str) -> str | None:
        return next((code for to, code in reversed(self.sent) if to == phone), None)


class AliyunSms:
    """Aliyun SMS ``SendSms`` (API 2017-05-25) through the official SDK, which signs each request
    with ACS3-HMAC-SHA256. ``endpoint`` is ``dysmsapi.aliyuncs.com`` in production; a URL with
    ``http://`` points it at a local fake in tests."""

    name = "aliyun"

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        endpoint: str = "dysmsapi.aliyuncs.com",
        *,
        connect_timeout_ms: int = 3000,
        read_timeout_ms: int = 5000,
    ) -> None:
        missing = [n for n, v in (("access key id", access_key_id), ("access key secret", access_key_secret),
                                  ("sign name", sign_name), ("template code", template_code)) if not v]  # fmt: skip
        if missing:
            raise ValueError(f"Aliyun SMS needs its {', '.join(missing)} (YIMA_ALIYUN_SMS_* settings)")
        self.sign_name, self.template_code = sign_name, template_code
        protocol, host = _split_endpoint(endpoint)
        self._client = AliyunClient(
            AliyunConfig(
                access_key_id=access_key_id,
                access_key_secret=access_key_secret,
                endpoint=host,
                protocol=protocol,
                connect_timeout=connect_timeout_ms,
                read_timeout=read_timeout_ms,
            )
        )

    async def send_code(self, phone: str, code: str) -> SmsReceipt:
        request = aliyun_models.SendSmsRequest(
            phone_numbers=national(phone),
            sign_name=self.sign_name,
            template_code=self.template_code,
            template_param=json.dumps({"code": code}, separators=(",", ":")),
        )
        try:
            response = await self._client.send_sms_async(request)
        except Exception as exc:  # the SDK raises its own kinds, and wraps network errors
            error = _sdk_error(exc)
            log.warning("Aliyun SMS to %s refused: %s", mask_phone(phone), error.code)
            raise error from None  # the SDK's exception carries the request, with the code in it
        body = response.body
        if body is None or body.code != "OK":
            code_name = (body.code if body else None) or "no_answer"
            log.warning(
                "Aliyun SMS to %s refused: %s (request %s)",
                mask_phone(phone),
                code_name,
                body.request_id if body else None,
            )
            raise SmsError(code_name, (body.message if body else None) or "")
        return SmsReceipt(self.name, body.biz_id)


def _split_endpoint(endpoint: str) -> tuple[str, str]:
    if "://" not in endpoint:
        return "HTTPS", endpoint
    parts = urlsplit(endpoint)
    return parts.scheme.upper(), parts.netloc


def _sdk_error(exc: Exception) -> SmsError:
    """An SmsError from what the SDK raised: an error answer has a code; anything else (a refused
    connection, a timeout) is ``network``. Only the code and message travel on."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code and code != "None" and hasattr(exc, "status_code"):
        return SmsError(code, str(getattr(exc, "message", "") or ""))
    return SmsError("network", type(getattr(exc, "inner_exception", None) or exc).__name__)


# The process's sender ---------------------------------------------------------------------------

_sender: SmsSender | None = None


def sender_from(settings: MembersSettings) -> SmsSender:
    if settings.sms_provider == "aliyun":
        return AliyunSms(
            settings.aliyun_sms_access_key_id,
            settings.aliyun_sms_access_key_secret,
            settings.aliyun_sms_sign_name,
            settings.aliyun_sms_template_code,
            settings.aliyun_sms_endpoint,
        )
    return DevSmsSink()


def current_sender() -> SmsSender:
    """The sender the settings choose, made once per process."""
    global _sender
    if _sender is None:
        _sender = sender_from(members_settings())
    return _sender


def use_sender(sender: SmsSender | None) -> SmsSender | None:
    """Replace the process's sender (tests; None: back to the settings'); returns the previous."""
    global _sender
    previous, _sender = _sender, sender
    return previous
