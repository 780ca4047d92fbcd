"""SMS one-time codes through the service: expiry, attempts, cooldown, daily limits per phone and
per IP, one active code per (phone, purpose), a failed send leaving nothing usable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from tests.identity.factories import create_tenant, system
from tests.members.factories import at, new_phone
from yima.members import service as members
from yima.members import sms
from yima.members.errors import WaitBeforeResend
from yima.members.models import Identity, PhoneCode, SmsMessage
from yima.platform.db.base import utcnow
from yima.platform.db.session import Database

T0 = utcnow().replace(microsecond=0)


@pytest.fixture
async def brand(db: Database) -> str:
    return await create_tenant(db, "acme")


async def send(db: Database, phone: str, when: dt.datetime = T0, purpose: str = "verify", ip: str | None = None):  # type: ignore[no-untyped-def]
    async with system(db, "acme") as ctx:
        ctx.ip = ip
        return await members.send_code(at(ctx, when), phone, purpose)


async def check(db: Database, phone: str, code: str, when: dt.datetime = T0, purpose: str = "verify") -> str | None:
    async with system(db, "acme") as ctx:
        error = await members.check_code(at(ctx, when), phone, code, purpose)
        return error.code if error else None


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


class TestLifecycle:
    async def test_a_code_works_once(self, db: Database, brand: str, sink: sms.DevSmsSink) -> None:
        phone = new_phone()
        sent = (await send(db, phone)).unwrap()
        assert (sent.phone, sent.expires_in, sent.resend_after) == (f"{phone[:3]}****{phone[-4:]}", 300, 60)
        code = sink.last_code("+86" + phone)
        assert code is not None and len(code) == 6 and code.isdigit()
        assert await check(db, phone, code, T0 + dt.timedelta(seconds=10)) is None
        assert await check(db, phone, code, T0 + dt.timedelta(seconds=20)) == "code_expired"

    async def test_only_a_hash_is_stored(self, db: Database, brand: str, sink: sms.DevSmsSink) -> None:
        phone = new_phone()
        await send(db, phone)
        code = sink.last_code("+86" + phone)
        async with system(db, "acme") as ctx:
            row = await ctx.session.scalar(select(PhoneCode))
            logged = await ctx.session.scalar(select(SmsMessage))
        assert row is not None and row.code_hash and code not in row.code_hash and len(row.code_hash) == 64
        assert logged is not None and (logged.status, logged.provider, logged.phone) == ("sent", "dev", "+86" + phone)

    async def test_it_expires_after_five_minutes(self, db: Database, brand: str, sink: sms.DevSmsSink) -> None:
        phone = new_phone()
        await send(db, phone)
        code = sink.last_code("+86" + phone) or ""
        assert await check(db, phone, code, T0 + dt.timedelta(seconds=300)) == "code_expired"

    async def test_wrong_codes_count_and_the_last_allowed_kills_it(
        self, db: Database, brand: str, sink: sms.DevSmsSink
    ) -> None:
        phone = new_phone()
        await send(db, phone)
        code = sink.last_code("+86" + phone) or ""
        async with system(db, "acme") as ctx:
            error = await members.check_code(at(ctx, T0), phone, wrong(code))
        assert error is not None and error.code == "wrong_code"
        assert error.details[0].message == "wrong code; 4 tries left"
        for _ in range(3):
            assert await check(db, phone, wrong(code)) == "wrong_code"
        assert await check(db, phone, wrong(code)) == "too_many_attempts"
        assert await check(db, phone, code) == "too_many_attempts"

    async def test_a_wrong_code_changes_nothing_but_its_count(
        self, db: Database, brand: str, sink: sms.DevSmsSink
    ) -> None:
        phone = new_phone()
        await send(db, phone)
        code = sink.last_code("+86" + phone) or ""
        assert await check(db, phone, wrong(code)) == "wrong_code"
        async with system(db, "acme") as ctx:
            row = await ctx.session.scalar(select(PhoneCode))
            assert row is not None and (row.attempts, row.used_at) == (1, None)
            assert (await ctx.session.scalars(select(Identity))).all() == []
        assert await check(db, phone, code) is None

    async def test_a_code_typed_with_spaces_or_full_width_digits_is_the_code(
        self, db: Database, brand: str, sink: sms.DevSmsSink
    ) -> None:
        """A phone page passes the field as typed; a Chinese input method types １２３４５６."""
        phone = new_phone()
        await send(db, phone)
        code = sink.last_code("+86" + phone) or ""
        full_width = "".join(chr(ord(d) + 0xFEE0) for d in code)
        assert await check(db, phone, f" {full_width[:3]} {full_width[3:]} ") is None

    async def test_what_cannot_be_a_code_is_refused_without_counting_a_try(
        self, db: Database, brand: str, sink: sms.DevSmsSink
    ) -> None:
        """A typo (``12345``, letters) guesses nothing: the 5 tries stay for real guesses."""
        phone = new_phone()
        await send(db, phone)
        code = sink.last_code("+86" + phone) or ""
        for typo in ("12345", "abcdef", "", "1234567"):
            assert await check(db, phone, typo) == "invalid_code"
        async with system(db, "acme") as ctx:
            row = await ctx.session.scalar(select(PhoneCode))
            assert row is not None and row.attempts == 0 and row.code_hash is not None
        for _ in range(4):
            assert await check(db, phone, wrong(code)) == "wrong_code"
        assert await check(db, phone, code) is None

    async def test_codes_of_one_purpose_do_not_open_another(
        self, db: Database, brand: str, sink: sms.DevSmsSink
    ) -> None:
        phone = new_phone()
        await send(db, phone, purpose="withdraw")
        code = sink.last_code("+86" + phone) or ""
        assert await check(db, phone, code, purpose="verify") == "code_expired"
        assert await check(db, phone, code, purpose="withdraw") is None

    async def test_not_a_phone(self, db: Database, brand: str) -> None:
        outcome = await send(db, "12345")
        assert outcome.error is not None and outcome.error.code == "invalid_phone"
        assert await check(db, "12345", "123456") == "invalid_phone"


class TestLimits:
    async def test_one_code_a_minute_and_the_new_one_replaces_the_old(
        self, db: Database, brand: str, sink: sms.DevSmsSink
    ) -> None:
        phone = new_phone()
        await send(db, phone)
        first = sink.last_code("+86" + phone) or ""
        soon = await send(db, phone, T0 + dt.timedelta(seconds=45))
        assert isinstance(soon.error, WaitBeforeResend)
        assert (soon.error.code, soon.error.retry_after) == ("resend_too_soon", 15)
        (await send(db, phone, T0 + dt.timedelta(seconds=60))).unwrap()
        second = sink.last_code("+86" + phone) or ""
        if second != first:  # one chance in a million they are equal
            assert await check(db, phone, first, T0 + dt.timedelta(seconds=61)) == "wrong_code"
        assert await check(db, phone, second, T0 + dt.timedelta(seconds=62)) is None

    async def test_a_phone_gets_its_daily_codes_then_waits_for_the_brands_next_day(
        self, db: Database, brand: str, policy: Callable[..., None]
    ) -> None:
        policy(otp_phone_daily=2, otp_resend_seconds=1)
        phone = new_phone()
        day = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
        (await send(db, phone, day)).unwrap()
        (await send(db, phone, day + dt.timedelta(minutes=1), purpose="withdraw")).unwrap()
        third = await send(db, phone, day + dt.timedelta(minutes=2))
        assert isinstance(third.error, WaitBeforeResend) and third.error.code == "sms_daily_limit"
        assert third.error.retry_after == 14 * 3600 - 120 + 1  # until 00:00 Shanghai
        (await send(db, phone, dt.datetime(2026, 11, 23, 16, 0, 1, tzinfo=dt.UTC))).unwrap()

    async def test_one_network_gets_its_daily_codes_across_phones(
        self, db: Database, brand: str, policy: Callable[..., None]
    ) -> None:
        policy(otp_ip_daily=2)
        for _ in range(2):
            (await send(db, new_phone(), ip="203.0.113.7")).unwrap()
        refused = await send(db, new_phone(), ip="203.0.113.7")
        assert refused.error is not None and refused.error.code == "sms_daily_limit"
        (await send(db, new_phone(), ip="198.51.100.9")).unwrap()


class FailingSender:
    name = "broken"

    async def send_code(self, phone: str, code: str) -> sms.SmsReceipt:
        raise sms.SmsError("isp.SYSTEM_ERROR", "provider down")


class TestProviderFailure:
    async def test_nothing_usable_is_left_and_a_retry_may_follow_at_once(
        self, db: Database, brand: str, sink: sms.DevSmsSink
    ) -> None:
        phone = new_phone()
        previous = sms.use_sender(FailingSender())
        failed = await send(db, phone)
        sms.use_sender(previous)
        assert failed.error is not None and (failed.error.code, failed.error.status) == ("sms_failed", 502)
        assert await check(db, phone, "000000") == "code_expired"
        (await send(db, phone, T0 + dt.timedelta(seconds=1))).unwrap()
        async with system(db, "acme") as ctx:
            statuses = [(m.status, m.error_code) for m in await ctx.session.scalars(select(SmsMessage))]
        assert sorted(statuses, key=str) == [("failed", "isp.SYSTEM_ERROR"), ("sent", None)]
