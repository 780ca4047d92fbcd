"""WeChat Pay v3 merchant transfer to balance (商家转账到零钱), batch API, on the ``wechatpayv3`` SDK.

``POST /v3/transfer/batches`` sends a batch; ``GET /v3/transfer/batches/out-batch-no/{no}`` and
``…/details/out-detail-no/{no}`` ask about it by our own numbers. The SDK signs every request
(WECHATPAY2-SHA256-RSA2048 with the merchant's key) and verifies every answer's signature with
WeChat Pay's public key (微信支付公钥, or the platform certificates it downloads); an answer that
fails verification is treated as no answer at all, never as a success.

The SDK is synchronous (requests): calls run in a worker thread, outside any transaction. The
merchant account is the platform's (the operator pays winners for the brands and charges the
service fee), so the credentials are process settings, ``YIMA_WECHATPAY_*``. The SDK has no
option for its gateway; ``gateway`` (a local fake in tests, or an egress proxy) replaces it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import requests
from pydantic_settings import BaseSettings, SettingsConfigDict
from wechatpayv3 import WeChatPay, WeChatPayType  # type: ignore[import-untyped]

from yima.wallet import rules
from yima.wallet.providers.base import (
    BatchReport,
    BatchStatus,
    DetailReport,
    DetailStatus,
    ProviderUnavailable,
    SubmitOutcome,
    TransferBatch,
)

log = logging.getLogger("yima.wallet.wechat")
GATEWAY = "https://api.mch.weixin.qq.com"
PAGE = 100  # details per page of a batch query (WeChat's maximum)
_BATCH_STATUS: dict[str, BatchStatus] = {
    "WAIT_PAY": "ACCEPTED", "ACCEPTED": "ACCEPTED", "PROCESSING": "PROCESSING", "FINISHED": "FINISHED",
    "CLOSED": "CLOSED",
}  # fmt: skip
_DETAIL_STATUS: dict[str, DetailStatus] = {"SUCCESS": "SUCCESS", "FAIL": "FAIL"}  # INIT, WAIT_PAY, PROCESSING: later


class WeChatPayConfig(BaseSettings):
    """The platform's merchant account. Keys are PEM text or a path to a PEM file."""

    model_config = SettingsConfigDict(env_prefix="YIMA_WECHATPAY_", extra="ignore")

    mchid: str = ""
    appid: str = ""
    cert_serial_no: str = ""
    private_key: str = ""
    private_key_path: Path | None = None
    apiv3_key: str = ""
    public_key: str = ""  # WeChat Pay's public key (微信支付公钥) …
    public_key_path: Path | None = None
    public_key_id: str = ""  # … and its id (PUB_KEY_ID_…); without them, platform certificates
    cert_dir: Path | None = None
    gateway: str = GATEWAY
    timeout_seconds: float = 15.0

    def key(self, text: str, path: Path | None) -> str | None:
        return path.read_text() if path else (text or None)

    def missing(self) -> list[str]:
        """The settings a transfer cannot go without that are not set."""
        required = {"MCHID": self.mchid, "APPID": self.appid, "CERT_SERIAL_NO": self.cert_serial_no,
                    "APIV3_KEY": self.apiv3_key, "PRIVATE_KEY": self.private_key or self.private_key_path}  # fmt: skip
        return [f"YIMA_WECHATPAY_{name}" for name, value in required.items() if not value]


def _json(text: Any) -> dict[str, Any]:
    try:
        found = json.loads(text) if isinstance(text, str | bytes) else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


class WeChatPayProvider:
    name = "wechat"

    def __init__(self, config: WeChatPayConfig) -> None:
        self.config = config
        self._client: WeChatPay | None = None

    def _pay(self) -> WeChatPay:
        if self._client is None:
            c = self.config
            if missing := c.missing():
                raise ProviderUnavailable(f"WeChat Pay is not configured: {', '.join(missing)} unset")
            public_key = c.key(c.public_key, c.public_key_path)
            client = WeChatPay(
                wechatpay_type=WeChatPayType.MINIPROG,
                mchid=c.mchid,
                private_key=c.key(c.private_key, c.private_key_path),
                cert_serial_no=c.cert_serial_no,
                appid=c.appid,
                apiv3_key=c.apiv3_key,
                cert_dir=str(c.cert_dir) if c.cert_dir else None,
                logger=log,
                timeout=(5, c.timeout_seconds),
                public_key=public_key,
                public_key_id=(c.public_key_id or None) if public_key else None,
            )
            client._core._gate_way = c.gateway.rstrip("/")
            self._client = client
        return self._client

    def _call(self, method: str, *args: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        """One SDK call: (HTTP status, JSON body). A transport failure or an answer whose
        signature does not verify raises ProviderUnavailable."""
        try:
            status, text = getattr(self._pay(), method)(*args, **kwargs)
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"WeChat Pay did not answer: {exc}") from exc
        except ProviderUnavailable:
            raise
        except Exception as exc:  # the SDK raises plain Exception, e.g. "failed to verify the signature"
            raise ProviderUnavailable(f"WeChat Pay's answer was not trustworthy: {exc}") from exc
        return int(status), _json(text)

    def _submit(self, batch: TransferBatch) -> SubmitOutcome:
        details = [
            {"out_detail_no": d.out_detail_no, "transfer_amount": d.amount, "transfer_remark": d.remark,
             "openid": d.openid}
            for d in batch.details
        ]  # fmt: skip
        try:
            status, body = self._call(
                "transfer_batch",
                out_batch_no=batch.out_batch_no,
                batch_name=batch.name,
                batch_remark=batch.remark,
                total_amount=batch.total_amount,
                total_num=len(details),
                transfer_detail_list=details,
                transfer_scene_id=batch.scene_id,
            )
        except ProviderUnavailable as exc:
            return SubmitOutcome("unknown", code="UNAVAILABLE", message=str(exc)[:500])
        if 200 <= status < 300:
            return SubmitOutcome("accepted", provider_batch_id=str(body.get("batch_id") or ""))
        code, message = str(body.get("code") or status), str(body.get("message") or "")
        definitive = 400 <= status < 500 and code in rules.DEFINITIVE_REJECTIONS
        return SubmitOutcome("rejected" if definitive else "unknown", code=code, message=message[:500])

    def _query(self, out_batch_no: str) -> BatchReport:
        details: list[DetailReport] = []
        offset = 0
        while True:
            status, body = self._call(
                "transfer_query_out_batch_no", out_batch_no, need_query_detail=True, offset=offset, limit=PAGE
            )
            if status == 404:
                return BatchReport(found=False)
            if status != 200:
                raise ProviderUnavailable(f"batch query answered {status} {body.get('code')}: {body.get('message')}")
            batch = body.get("transfer_batch") or {}
            state = _BATCH_STATUS.get(str(batch.get("batch_status")), "PROCESSING")
            page = body.get("transfer_detail_list") or []
            details += [
                DetailReport(
                    str(d.get("out_detail_no")),
                    _DETAIL_STATUS.get(str(d.get("detail_status")), "PROCESSING"),
                    detail_id=d.get("detail_id"),
                )
                for d in page
            ]
            offset += len(page)
            if state != "FINISHED" or len(page) < PAGE or offset >= int(batch.get("total_num") or 0):
                # The batch's list carries no failure reasons: each failed transfer is asked for its own.
                details = [self._query_detail(out_batch_no, d.out_detail_no) or d if d.status == "FAIL" else d
                           for d in details]  # fmt: skip
                return BatchReport(
                    True, state, str(batch.get("batch_id") or ""), batch.get("close_reason"), tuple(details)
                )

    def _query_detail(self, out_batch_no: str, out_detail_no: str) -> DetailReport | None:
        status, body = self._call("transfer_query_out_detail_no", out_detail_no, out_batch_no)
        if status == 404:
            return None
        if status != 200:
            raise ProviderUnavailable(f"detail query answered {status} {body.get('code')}: {body.get('message')}")
        return DetailReport(
            out_detail_no,
            _DETAIL_STATUS.get(str(body.get("detail_status")), "PROCESSING"),
            int(body["transfer_amount"]) if body.get("transfer_amount") is not None else None,
            body.get("fail_reason"),
            body.get("detail_id"),
        )

    async def submit(self, batch: TransferBatch) -> SubmitOutcome:
        return await asyncio.to_thread(self._submit, batch)

    async def query(self, out_batch_no: str) -> BatchReport:
        return await asyncio.to_thread(self._query, out_batch_no)

    async def query_detail(self, out_batch_no: str, out_detail_no: str) -> DetailReport | None:
        return await asyncio.to_thread(self._query_detail, out_batch_no, out_detail_no)


@lru_cache
def default_wechat_provider() -> WeChatPayProvider:
    """The process's provider, configured from ``YIMA_WECHATPAY_*``."""
    return WeChatPayProvider(WeChatPayConfig())
