"""A local fake of WeChat Pay v3's merchant transfer to balance (商家转账到零钱, batch API), a real
HTTP server on 127.0.0.1 in a thread.

Like WeChat Pay it checks every request's ``Authorization: WECHATPAY2-SHA256-RSA2048 …`` against
the merchant's public key (401 ``SIGN_ERROR`` otherwise), checks the batch the way the API
documents (numbers, totals, at least 0.10 yuan a transfer, remarks of at most 32 characters),
answers with the documented JSON shapes and error bodies, and signs every answer with the
platform's private key (``Wechatpay-Signature`` over ``timestamp\\nnonce\\nbody\\n``, with
``Wechatpay-Serial`` naming WeChat Pay's public key id) so the SDK's verification runs for real.

Transfers are accepted, then processed when the test says so (``finish``), as WeChat does them
asynchronously. A repeated batch number with the same content answers as the first time.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SCHEME = "WECHATPAY2-SHA256-RSA2048"
NUMBER = re.compile(r"^[A-Za-z0-9]{5,32}$")
_AUTH = re.compile(r'(\w+)="([^"]*)"')
CN = dt.timezone(dt.timedelta(hours=8))


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def _now() -> str:
    return dt.datetime.now(CN).isoformat(timespec="milliseconds")


@dataclass
class FakeBatch:
    body: dict[str, Any]
    batch_id: str
    status: str = "ACCEPTED"
    created: str = field(default_factory=_now)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)


class FakeWeChatPay:
    def __init__(self, *, mchid: str, appid: str, merchant_serial: str, merchant_public_pem: str,
                 platform_key: rsa.RSAPrivateKey, public_key_id: str) -> None:  # fmt: skip
        self.mchid, self.appid, self.merchant_serial = mchid, appid, merchant_serial
        self.merchant_key = serialization.load_pem_public_key(merchant_public_pem.encode())
        self.platform_key, self.public_key_id = platform_key, public_key_id
        self.batches: dict[str, FakeBatch] = {}
        self.requests: list[tuple[str, str, int]] = []  # method, path, status answered
        self.bad_signatures = 0
        self.forge_answers = False  # sign answers with a key that is not the platform's
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeWeChatPay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # what a test does to the far side ---------------------------------------------------------

    def finish(self, out_batch_no: str, failures: dict[str, str] | None = None) -> None:
        """WeChat has processed the batch: every transfer paid, except ``failures`` (detail → reason)."""
        with self._lock:
            batch = self.batches[out_batch_no]
            for no, detail in batch.details.items():
                reason = (failures or {}).get(no)
                detail["detail_status"] = "FAIL" if reason else "SUCCESS"
                if reason:
                    detail["fail_reason"] = reason
                detail["update_time"] = _now()
            batch.status = "FINISHED"

    def set_amount(self, out_detail_no: str, amount: int) -> None:
        with self._lock:
            for batch in self.batches.values():
                if out_detail_no in batch.details:
                    batch.details[out_detail_no]["transfer_amount"] = amount

    def forget(self, out_batch_no: str) -> None:
        with self._lock:
            self.batches.pop(out_batch_no, None)

    def posts(self) -> list[str]:
        return [path for method, path, status in self.requests if method == "POST" and status == 200]

    # the API ---------------------------------------------------------------------------------

    def _verify(self, method: str, path: str, body: str, authorization: str) -> bool:
        scheme, _, rest = authorization.partition(" ")
        fields = dict(_AUTH.findall(rest))
        if scheme != SCHEME or fields.get("mchid") != self.mchid or fields.get("serial_no") != self.merchant_serial:
            return False
        if abs(time.time() - int(fields.get("timestamp", "0") or 0)) > 300:
            return False
        message = f"{method}\n{path}\n{fields['timestamp']}\n{fields.get('nonce_str', '')}\n{body}\n"
        try:
            self.merchant_key.verify(  # type: ignore[union-attr, call-arg]
                base64.b64decode(fields.get("signature", "")), message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError):
            return False
        return True

    def answer(self, method: str, path: str, body: str, authorization: str) -> tuple[int, dict[str, Any]]:
        if not self._verify(method, path, body, authorization):
            self.bad_signatures += 1
            return 401, {"code": "SIGN_ERROR", "message": "签名错误，请检查后再试"}
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with self._lock:
            if method == "POST" and url.path == "/v3/transfer/batches":
                return self._create(json.loads(body or "{}"))
            found = re.fullmatch(r"/v3/transfer/batches/out-batch-no/(\w+)(?:/details/out-detail-no/(\w+))?", url.path)
            if method == "GET" and found:
                return self._query(found.group(1), found.group(2), query)
        return 404, {"code": "NOT_FOUND", "message": "请求的资源不存在"}

    def _param_error(self, body: dict[str, Any]) -> str | None:
        details = body.get("transfer_detail_list") or []
        if body.get("appid") != self.appid:
            return "appid 与商户号不匹配"
        if not NUMBER.match(str(body.get("out_batch_no", ""))):
            return "out_batch_no 格式错误"
        if not 1 <= len(str(body.get("batch_name", ""))) <= 32 or not 1 <= len(str(body.get("batch_remark", ""))) <= 32:
            return "batch_name 或 batch_remark 长度错误"
        if body.get("total_num") != len(details) or not 1 <= len(details) <= 3000:
            return "total_num 与明细笔数不一致"
        if body.get("total_amount") != sum(int(d.get("transfer_amount", 0)) for d in details):
            return "total_amount 与明细金额之和不一致"
        for d in details:
            if not NUMBER.match(str(d.get("out_detail_no", ""))) or not d.get("openid"):
                return "明细单号或 openid 错误"
            if int(d.get("transfer_amount", 0)) < 10 or not 1 <= len(str(d.get("transfer_remark", ""))) <= 32:
                return "转账金额不能低于 0.1 元，备注不超过 32 个字符"
            if int(d["transfer_amount"]) >= 200_000 and not d.get("user_name"):
                return "转账金额 >= 2000 元时，收款用户姓名必填"
        return None

    def _create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        problem = self._param_error(body)
        if problem:
            return 400, {"code": "PARAM_ERROR", "message": problem}
        no = body["out_batch_no"]
        batch = self.batches.get(no)
        if batch is not None and batch.body != body:
            return 400, {"code": "INVALID_REQUEST", "message": "商家批次单号已存在，且请求参数不一致"}
        if batch is None:
            batch = FakeBatch(body, f"1030000{uuid.uuid4().int % 10**33:033d}")
            for n, d in enumerate(body["transfer_detail_list"]):
                batch.details[d["out_detail_no"]] = {
                    "detail_id": f"1040000{n:06d}{batch.batch_id[-20:]}",
                    "out_detail_no": d["out_detail_no"], "detail_status": "PROCESSING",
                    "transfer_amount": d["transfer_amount"], "transfer_remark": d["transfer_remark"],
                    "openid": d["openid"], "initiate_time": batch.created, "update_time": batch.created,
                }  # fmt: skip
            self.batches[no] = batch
        return 200, {"out_batch_no": no, "batch_id": batch.batch_id, "create_time": batch.created,
                     "batch_status": batch.status}  # fmt: skip

    def _query(self, no: str, detail_no: str | None, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        batch = self.batches.get(no)
        detail = batch.details.get(detail_no or "") if batch else None
        if batch is None or (detail_no and detail is None):
            return 404, {"code": "NOT_FOUND", "message": "记录不存在"}
        common = {"mchid": self.mchid, "out_batch_no": no, "batch_id": batch.batch_id, "appid": self.appid}
        if detail is not None:
            return 200, common | detail
        details = list(batch.details.values())
        paid = [d for d in details if d["detail_status"] == "SUCCESS"]
        failed = [d for d in details if d["detail_status"] == "FAIL"]
        answer: dict[str, Any] = {
            "offset": int(query.get("offset", 0)),
            "limit": int(query.get("limit", 20)),
            "transfer_batch": common | {
                "batch_status": batch.status, "batch_type": "API", "batch_name": batch.body["batch_name"],
                "batch_remark": batch.body["batch_remark"], "total_amount": batch.body["total_amount"],
                "total_num": batch.body["total_num"], "create_time": batch.created, "update_time": _now(),
                "success_amount": sum(d["transfer_amount"] for d in paid), "success_num": len(paid),
                "fail_amount": sum(d["transfer_amount"] for d in failed), "fail_num": len(failed),
                "transfer_scene_id": batch.body.get("transfer_scene_id", "1000"),
            },
        }  # fmt: skip
        # Details come only with a finished batch (the API's documented behaviour), page by page.
        if query.get("need_query_detail") == "true" and batch.status == "FINISHED":
            wanted = query.get("detail_status", "ALL")
            shown = [d for d in details if wanted == "ALL" or d["detail_status"] == wanted]
            page = shown[answer["offset"] : answer["offset"] + answer["limit"]]
            answer["transfer_detail_list"] = [
                {k: d[k] for k in ("detail_id", "out_detail_no", "detail_status")} for d in page
            ]
        return 200, answer

    def signed(self, status: int, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        text = json.dumps(payload, ensure_ascii=False)
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex.upper()
        key = new_key() if self.forge_answers else self.platform_key
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Request-ID": uuid.uuid4().hex,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Serial": self.public_key_id,
            "Wechatpay-Signature-Type": SCHEME,
            "Wechatpay-Signature": _sign(key, f"{timestamp}\n{nonce}\n{text}\n"),
        }
        return text.encode(), headers

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                status, payload = fake.answer(method, self.path, body, self.headers.get("Authorization", ""))
                fake.requests.append((method, self.path, status))
                content, headers = fake.signed(status, payload)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
