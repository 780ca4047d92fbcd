"""A local stand-in for Aliyun SMS (dysmsapi.aliyuncs.com, API 2017-05-25): a real HTTP server on
127.0.0.1 that checks each request the way Aliyun does and answers in Aliyun's shapes.

Checked like Aliyun: the action and version headers; the ACS3-HMAC-SHA256 signature (the
canonical request from the method, path, sorted query, the signed headers and the body's
SHA-256, keyed by the AccessKey secret); the access key id; the timestamp (15 minutes); the
nonce (once); the body hash. Errors of the request come back with their HTTP status and
``{"RequestId", "HostId", "Code", "Message", "Recommend"}``; business results of SendSms come
back 200 with ``{"Code", "Message", "BizId", "RequestId"}`` (``OK`` or ``isv.…``), as Aliyun does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

ALGORITHM = "ACS3-HMAC-SHA256"
MUST_SIGN = {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}
_AUTHORIZATION = re.compile(
    rf"^{ALGORITHM} Credential=([^,]+),SignedHeaders=([a-z0-9;\-]+),Signature=([0-9a-f]{{64}})$"
)


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


@dataclass
class FakeAliyunSms:
    access_key_id: str = "LTAI5tFakeAccessKey01"
    access_key_secret: str = "fake-access-key-secret-0123456789"
    sign_name: str = "一码酒业"
    template_code: str = "SMS_465010001"
    accepted: list[dict[str, str]] = field(default_factory=list)  # what would have gone out
    refused: list[str] = field(default_factory=list)  # error codes answered
    _nonces: set[str] = field(default_factory=set)
    _last_sent: dict[str, float] = field(default_factory=dict)  # phone → monotonic time
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> FakeAliyunSms:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = fake.answer(self.command, self.path, headers, body)
                raw = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def code_sent_to(self, national: str) -> str | None:
        return next((m["code"] for m in reversed(self.accepted) if m["phone"] == national), None)

    # what Aliyun does with a request --------------------------------------------------------------

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        request_id = str(uuid.uuid4()).upper()
        try:
            query = self._authenticate(method, path, headers, body)
            result = self._send_sms(query)
        except Refusal as refusal:
            self.refused.append(refusal.code)
            return refusal.status, {
                "RequestId": request_id,
                "HostId": "dysmsapi.aliyuncs.com",
                "Code": refusal.code,
                "Message": refusal.message,
                "Recommend": f"https://api.aliyun.com/troubleshoot?q={refusal.code}&product=Dysmsapi",
            }
        if result["Code"] != "OK":
            self.refused.append(result["Code"])
        return 200, result | {"RequestId": request_id}

    def _authenticate(self, method: str, path: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
        parts = urlsplit(path)
        if method != "POST" or parts.path != "/":
            raise Refusal(
                404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
            )
        if headers.get("x-acs-action") != "SendSms" or headers.get("x-acs-version") != "2017-05-25":
            raise Refusal(
                400, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
            )
        found = _AUTHORIZATION.match(headers.get("authorization", ""))
        if found is None:
            raise Refusal(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        key_id, signed_names, signature = found.groups()
        signed = signed_names.split(";")
        if not set(signed) >= MUST_SIGN or signed != sorted(signed) or any(n not in headers for n in signed):
            raise Refusal(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        if key_id != self.access_key_id:
            raise Refusal(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        try:
            stamp = dt.datetime.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            raise Refusal(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.") from None
        if abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) > 900:
            raise Refusal(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        if headers["x-acs-content-sha256"] != hashlib.sha256(body).hexdigest():
            raise Refusal(400, "IncompleteSignature", "The request body does not match x-acs-content-sha256.")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        canonical = "\n".join([
            method,
            parts.path,
            "&".join(f"{k}={quote(v, safe='~')}" for k, v in sorted(query.items())),
            "".join(f"{n}:{headers[n].strip()}\n" for n in signed),
            signed_names,
            headers["x-acs-content-sha256"],
        ])  # fmt: skip
        to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        expected = hmac.new(self.access_key_secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise Refusal(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
        with self._lock:
            nonce = headers["x-acs-signature-nonce"]
            if nonce in self._nonces:
                raise Refusal(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self._nonces.add(nonce)
        return query

    def _send_sms(self, query: dict[str, str]) -> dict[str, str]:
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not query.get(name):
                raise Refusal(400, f"Missing{name}", f"{name} is mandatory for this action.")
        phone = query["PhoneNumbers"]
        if not re.match(r"^(\+?86|0086)?1\d{10}$", phone):
            return {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
        if query["SignName"] != self.sign_name:
            return {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "该账号下找不到对应签名"}
        if query["TemplateCode"] != self.template_code:
            return {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "该账号下找不到对应模板"}
        try:
            code = str(json.loads(query.get("TemplateParam") or "{}")["code"])
        except (ValueError, KeyError, TypeError):
            return {"Code": "isv.TEMPLATE_MISSING_PARAMETERS", "Message": "模板变量缺少对应参数值"}
        with self._lock:
            last = self._last_sent.get(phone)
            if last is not None and time.monotonic() - last < 60:  # Aliyun's default: 1 a minute a number
                return {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"}
            self._last_sent[phone] = time.monotonic()
            biz_id = f"{secrets.randbelow(10**18):018d}^0"
            self.accepted.append({"phone": phone, "sign_name": query["SignName"],
                                  "template_code": query["TemplateCode"], "code": code, "biz_id": biz_id})  # fmt: skip
        return {"Code": "OK", "Message": "OK", "BizId": biz_id}
