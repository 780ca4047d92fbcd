"""The SMS providers: Aliyun SMS through the official SDK against a local fake that checks the
signature, and the development sink; neither production path logs a code or a full number."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.identity.factories import create_tenant, system
from tests.members.factories import new_phone
from tests.members.fake_aliyun import FakeAliyunSms
from yima.members import rules, sms
from yima.members import service as members
from yima.members.models import SmsMessage
from yima.platform.db.session import Database


@pytest.fixture
def fake() -> Iterator[FakeAliyunSms]:
    with FakeAliyunSms() as server:
        yield server


def aliyun(fake: FakeAliyunSms, **overrides: str) -> sms.AliyunSms:
    values = {
        "access_key_id": fake.access_key_id,
        "access_key_secret": fake.access_key_secret,
        "sign_name": fake.sign_name,
        "template_code": fake.template_code,
        "endpoint": fake.endpoint,
    }
    return sms.AliyunSms(**values | overrides)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() + " " + repr(r.args) for r in caplog.records)


class TestAliyunAdapter:
    async def test_a_code_goes_out_signed_as_aliyun_checks(
        self, fake: FakeAliyunSms, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        receipt = await aliyun(fake).send_code("+8613800138000", "042917")
        assert fake.refused == []
        [message] = fake.accepted
        assert message == {
            "phone": "13800138000",
            "sign_name": "一码酒业",
            "template_code": "SMS_465010001",
            "code": "042917",
            "biz_id": receipt.ref,
        }
        assert receipt.provider == "aliyun" and receipt.ref and receipt.ref.endswith("^0")
        assert "042917" not in _logged(caplog) and "13800138000" not in _logged(caplog)

    async def test_a_wrong_secret_fails_the_signature_check(self, fake: FakeAliyunSms) -> None:
        with pytest.raises(sms.SmsError) as caught:
            await aliyun(fake, access_key_secret="not-the-secret").send_code("+8613800138000", "111111")
        assert (caught.value.code, caught.value.throttled) == ("SignatureDoesNotMatch", False)
        assert fake.accepted == [] and fake.refused == ["SignatureDoesNotMatch"]

    async def test_an_unknown_access_key_is_refused(self, fake: FakeAliyunSms) -> None:
        with pytest.raises(sms.SmsError) as caught:
            await aliyun(fake, access_key_id="LTAI5tSomeoneElse").send_code("+8613800138000", "111111")
        assert caught.value.code == "InvalidAccessKeyId.NotFound"

    async def test_aliyuns_minute_limit_comes_back_as_a_throttle(
        self, fake: FakeAliyunSms, caplog: pytest.LogCaptureFixture
    ) -> None:
        adapter = aliyun(fake)
        await adapter.send_code("+8613900139000", "123456")
        with pytest.raises(sms.SmsError) as caught:
            await adapter.send_code("+8613900139000", "654321")
        assert (caught.value.code, caught.value.throttled) == ("isv.BUSINESS_LIMIT_CONTROL", True)
        assert "139****9000" in _logged(caplog)
        assert "654321" not in _logged(caplog) and "13900139000" not in _logged(caplog)

    async def test_a_template_it_does_not_know_is_a_business_error(self, fake: FakeAliyunSms) -> None:
        with pytest.raises(sms.SmsError) as caught:
            await aliyun(fake, template_code="SMS_0").send_code("+8613800138000", "111111")
        assert (caught.value.code, caught.value.throttled) == ("isv.SMS_TEMPLATE_ILLEGAL", False)

    async def test_no_server_is_a_network_error(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        adapter = sms.AliyunSms("id", "secret", "签名", "SMS_1", f"http://127.0.0.1:{port}", connect_timeout_ms=500)
        with pytest.raises(sms.SmsError) as caught:
            await adapter.send_code("+8613800138000", "111111")
        assert caught.value.code == "network"

    def test_it_refuses_to_start_without_its_settings(self) -> None:
        with pytest.raises(ValueError, match="sign name, template code"):
            sms.AliyunSms("id", "secret", "", "")


class TestThroughTheService:
    async def test_the_code_the_provider_delivered_verifies(self, db: Database, fake: FakeAliyunSms) -> None:
        sms.use_sender(aliyun(fake))
        await create_tenant(db, "acme")
        phone = new_phone()
        async with system(db, "acme") as ctx:
            sent = (await members.send_code(ctx, phone)).unwrap()
            assert sent.phone == rules.mask_phone("+86" + phone)
            code = fake.code_sent_to(phone)
            assert code is not None
            assert await members.check_code(ctx, phone, code) is None

    async def test_a_provider_refusal_leaves_no_usable_code_and_a_logged_failure(
        self, db: Database, fake: FakeAliyunSms
    ) -> None:
        sms.use_sender(aliyun(fake, sign_name="别人的签名"))
        await create_tenant(db, "acme")
        phone = new_phone()
        async with system(db, "acme") as ctx:
            outcome = await members.send_code(ctx, phone)
            assert outcome.error is not None and (outcome.error.code, outcome.error.status) == ("sms_failed", 502)
            assert outcome.error.details[0].code == "isv.SMS_SIGNATURE_ILLEGAL"
            error = await members.check_code(ctx, phone, "000000")
            assert error is not None and error.code == "code_expired"
            [row] = (await ctx.session.scalars(select(SmsMessage))).all()
            assert (row.status, row.provider, row.error_code) == ("failed", "aliyun", "isv.SMS_SIGNATURE_ILLEGAL")


class TestDevelopmentSink:
    async def test_it_logs_the_code_for_the_developer_with_the_number_masked(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="yima.members.sms")
        sink = sms.DevSmsSink()
        await sink.send_code("+8613800138000", "654321")
        assert "654321" in caplog.text and "138****8000" in caplog.text and "13800138000" not in caplog.text
        assert sink.last_code("+8613800138000") == "654321"

    def test_settings_choose_the_provider(self) -> None:
        from yima.members.config import MembersSettings

        assert isinstance(sms.sender_from(MembersSettings()), sms.DevSmsSink)
        chosen = sms.sender_from(
            MembersSettings(
                sms_provider="aliyun",
                aliyun_sms_access_key_id="id",
                aliyun_sms_access_key_secret="secret",
                aliyun_sms_sign_name="一码酒业",
                aliyun_sms_template_code="SMS_1",
            )
        )
        assert isinstance(chosen, sms.AliyunSms)
