"""The WeChat Pay provider on the real ``wechatpayv3`` SDK against a local fake WeChat Pay server
that checks request signatures and signs its answers (tests/wallet/fake_wechatpay.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.identity.factories import system
from tests.wallet.conftest import Clock
from tests.wallet.factories import award, funded_budget, settings, withdraw
from tests.wallet.fake_wechatpay import FakeWeChatPay, new_key, private_pem, public_pem
from yima.platform.db.session import Database
from yima.wallet import service as wallet
from yima.wallet.providers import use_provider
from yima.wallet.providers.base import Opener, TransferBatch, TransferDetail
from yima.wallet.providers.wechat import WeChatPayConfig, WeChatPayProvider
from yima.wallet.schemas import ReconciliationCreate

pytestmark = pytest.mark.usefixtures("acme")
MCHID, APPID, SERIAL, PUB_KEY_ID = (
    "1900000109",
    "wxd678efh567hg6787",
    "5157F09EFDC096DE15EBE81A47057A72",
    "PUB_KEY_ID_0119000001092024",
)
OPENID = "o-MYE42l80oelYMDE34nYD456Xoy"
MERCHANT, PLATFORM, STRANGER = new_key(), new_key(), new_key()


@pytest.fixture
def fake() -> Iterator[FakeWeChatPay]:
    with FakeWeChatPay(
        mchid=MCHID, appid=APPID, merchant_serial=SERIAL, merchant_public_pem=public_pem(MERCHANT),
        platform_key=PLATFORM, public_key_id=PUB_KEY_ID,
    ) as server:  # fmt: skip
        yield server


def _provider(fake: FakeWeChatPay, merchant_pem: str | None = None) -> WeChatPayProvider:
    config = WeChatPayConfig(
        mchid=MCHID, appid=APPID, cert_serial_no=SERIAL, private_key=merchant_pem or private_pem(MERCHANT),
        apiv3_key="a" * 32, public_key=public_pem(PLATFORM), public_key_id=PUB_KEY_ID, gateway=fake.url,
    )  # fmt: skip
    return WeChatPayProvider(config)


@pytest.fixture
async def brand(db: Database, acme: str) -> None:
    """acme pays through WeChat; person 5 has won 10.00 yuan."""
    await settings(db, "acme", provider="wechat", fee_bps=100)
    budget = await funded_budget(db, "acme", 5_000, cash=15_000)
    await award(db, "acme", budget.id, 5, 1_000)


def _opener(db: Database) -> Opener:
    return lambda: system(db, "acme")


async def _process(db: Database) -> None:
    await wallet.process_payouts(_opener(db))


@pytest.mark.usefixtures("brand")
class TestThroughTheFake:
    async def test_a_withdrawal_round_trip(self, db: Database, fake: FakeWeChatPay, clock: Clock) -> None:
        provider = _provider(fake)
        use_provider("wechat", lambda open_ctx: provider)
        paid = await withdraw(db, "acme", 5, 600, openid=OPENID)
        lost = await withdraw(db, "acme", 5, 300, openid="o-frozen-account-0000000000")
        await _process(db)
        assert fake.bad_signatures == 0 and fake.posts() == ["/v3/transfer/batches"]
        [(out_batch_no, batch)] = fake.batches.items()
        assert batch.body["total_amount"] == 900 and batch.body["transfer_scene_id"] == "1000"
        assert [d["transfer_amount"] for d in batch.body["transfer_detail_list"]] == [600, 300]
        async with system(db, "acme") as ctx:
            waiting = await wallet.get_payout(ctx, paid.id)
            assert (waiting.status, waiting.out_batch_no) == ("submitted", out_batch_no)

        clock.advance(seconds=61)
        await _process(db)  # WeChat is still at it
        async with system(db, "acme") as ctx:
            assert (await wallet.get_payout(ctx, paid.id)).status == "submitted"

        fake.finish(out_batch_no, failures={lost.out_detail_no or "": "ACCOUNT_FROZEN"})
        clock.advance(seconds=61)
        await _process(db)
        async with system(db, "acme") as ctx:
            assert (await wallet.get_payout(ctx, paid.id)).status == "succeeded"
            failed = await wallet.get_payout(ctx, lost.id)
            assert (failed.status, failed.fail_code) == ("failed", "ACCOUNT_FROZEN")
            summary = await wallet.balance_summary(ctx)
            assert (summary.paid_out, summary.wallets, summary.fee_income, summary.in_transit) == (600, 400, 6, 0)
            assert summary.balanced
        assert fake.posts() == ["/v3/transfer/batches"]

    async def test_a_request_signed_with_the_wrong_key_is_refused(self, db: Database, fake: FakeWeChatPay) -> None:
        provider = _provider(fake, merchant_pem=private_pem(STRANGER))
        use_provider("wechat", lambda open_ctx: provider)
        payout = await withdraw(db, "acme", 5, 600, openid=OPENID)
        await _process(db)
        assert fake.bad_signatures == 1 and fake.batches == {}
        async with system(db, "acme") as ctx:
            # Not an answer that says the money did not go: the payout waits, it is not failed.
            assert (await wallet.get_payout(ctx, payout.id)).status == "submitted"
            assert (await wallet.balance_summary(ctx)).in_transit == 600

    async def test_a_resent_batch_says_what_it_said_the_first_time(
        self, db: Database, fake: FakeWeChatPay, clock: Clock
    ) -> None:
        """WeChat refuses a batch number sent again with other parameters: a batch keeps the remark
        and scene it was made with, whatever the brand changes before it is sent again."""
        use_provider("wechat", lambda open_ctx: _provider(fake, merchant_pem=private_pem(STRANGER)))
        payout = await withdraw(db, "acme", 5, 600, openid=OPENID)
        await _process(db)  # refused unsigned: no answer about the money, the batch waits
        assert fake.bad_signatures == 1 and fake.batches == {}
        await settings(db, "acme", transfer_remark="新春红包", transfer_scene_id="1005")

        use_provider("wechat", lambda open_ctx: _provider(fake))
        clock.advance(minutes=10)
        await _process(db)
        [(out_batch_no, batch)] = fake.batches.items()
        body = batch.body
        assert (body["batch_remark"], body["transfer_scene_id"]) == ("红包提现", "1000")
        assert [d["transfer_remark"] for d in body["transfer_detail_list"]] == ["红包提现"]
        async with system(db, "acme") as ctx:
            assert (await wallet.get_payout(ctx, payout.id)).out_batch_no == out_batch_no
        later = await withdraw(db, "acme", 5, 300, openid=OPENID, key="later")
        await _process(db)  # a new batch is made with the settings of its day
        [fresh] = [b.body for no, b in fake.batches.items() if no != out_batch_no]
        assert (fresh["batch_remark"], fresh["transfer_scene_id"]) == ("新春红包", "1005")
        assert [d["transfer_amount"] for d in fresh["transfer_detail_list"]] == [later.amount]

    async def test_an_answer_with_a_forged_signature_is_not_trusted_nor_sent_twice(
        self, db: Database, fake: FakeWeChatPay, clock: Clock
    ) -> None:
        provider = _provider(fake)
        use_provider("wechat", lambda open_ctx: provider)
        payout = await withdraw(db, "acme", 5, 600, openid=OPENID)
        fake.forge_answers = True
        await _process(db)  # WeChat took the batch, but its answer does not verify
        assert len(fake.batches) == 1
        async with system(db, "acme") as ctx:
            assert (await wallet.get_payout(ctx, payout.id)).status == "submitted"

        fake.forge_answers = False
        clock.advance(minutes=10)
        await _process(db)  # asks first, finds the batch: accepted without a second POST
        fake.finish(payout.out_batch_no or next(iter(fake.batches)))
        clock.advance(minutes=2)
        await _process(db)
        assert fake.posts() == ["/v3/transfer/batches"]
        async with system(db, "acme") as ctx:
            assert (await wallet.get_payout(ctx, payout.id)).status == "succeeded"
            assert (await wallet.balance_summary(ctx)).paid_out == 600

    async def test_reconciliation_finds_what_the_provider_disagrees_with(
        self, db: Database, fake: FakeWeChatPay, clock: Clock
    ) -> None:
        provider = _provider(fake)
        use_provider("wechat", lambda open_ctx: provider)
        first = await withdraw(db, "acme", 5, 300, openid=OPENID)
        await _process(db)
        second = await withdraw(db, "acme", 5, 200, openid=OPENID)
        third = await withdraw(db, "acme", 5, 100, openid=OPENID)
        await _process(db)
        for no in list(fake.batches):
            fake.finish(no)
        clock.advance(seconds=61)
        await _process(db)
        async with system(db, "acme") as ctx:
            second_batch = (await wallet.get_payout(ctx, second.id)).out_batch_no
            assert {(await wallet.get_payout(ctx, p.id)).status for p in (first, second, third)} == {"succeeded"}
        fake.set_amount(first.out_detail_no or "", 301)
        fake.forget(second_batch or "")
        async with system(db, "acme") as ctx:
            report = await wallet.start_reconciliation(ctx, ReconciliationCreate(), queue=False)
        done = await wallet.run_reconciliation(_opener(db), report.id)
        assert (done.status, done.checked, done.matched) == ("done", 3, 0)
        assert done.counts == {"amount_mismatch": 1, "missing": 2}
        assert sorted((line.verdict, line.payout_id, line.theirs_amount) for line in done.lines) == sorted(
            [("amount_mismatch", first.id, 301), ("missing", second.id, None), ("missing", third.id, None)]
        )


class TestProviderAlone:
    async def test_queries_page_through_a_finished_batch(self, fake: FakeWeChatPay) -> None:
        provider = _provider(fake)
        details = tuple(TransferDetail(f"YM1D{n}", 10 + n, OPENID, "红包提现") for n in range(230))
        batch = TransferBatch(77, "YM1B77", "赤水河酱酒红包提现", "红包提现", "1000", details)
        accepted = await provider.submit(batch)
        assert accepted.kind == "accepted" and accepted.provider_batch_id
        assert (await provider.submit(batch)).provider_batch_id == accepted.provider_batch_id
        assert (await provider.query("YM1B77")).details == ()  # not finished: no details yet
        fake.finish("YM1B77", failures={"YM1D3": "OPENID_INVALID"})
        report = await provider.query("YM1B77")
        assert (report.found, report.status, len(report.details)) == (True, "FINISHED", 230)
        assert [d.status for d in report.details[:4]] == ["SUCCESS", "SUCCESS", "SUCCESS", "FAIL"]
        detail = await provider.query_detail("YM1B77", "YM1D3")
        assert detail is not None and (detail.amount, detail.fail_reason) == (13, "OPENID_INVALID")
        assert (await provider.query("YM1B78")).found is False
        assert await provider.query_detail("YM1B77", "YM1D999") is None

    async def test_what_wechat_refuses_for_good_is_rejected(self, fake: FakeWeChatPay) -> None:
        provider = _provider(fake)
        small = TransferBatch(78, "YM1B78", "红包提现", "红包提现", "1000", (TransferDetail("YM1D1", 9, OPENID, "x"),))
        refused = await provider.submit(small)
        assert (refused.kind, refused.code) == ("rejected", "PARAM_ERROR")
        changed = TransferBatch(
            79, "YM1B79", "红包提现", "红包提现", "1000", (TransferDetail("YM1D2", 50, OPENID, "x"),)
        )
        assert (await provider.submit(changed)).kind == "accepted"
        again = TransferBatch(79, "YM1B79", "红包提现", "红包提现", "1000", (TransferDetail("YM1D2", 51, OPENID, "x"),))
        assert (await provider.submit(again)).code == "INVALID_REQUEST"

    async def test_an_unreachable_gateway_is_no_answer(self) -> None:
        config = WeChatPayConfig(
            mchid=MCHID, appid=APPID, cert_serial_no=SERIAL, private_key=private_pem(MERCHANT), apiv3_key="a" * 32,
            public_key=public_pem(PLATFORM), public_key_id=PUB_KEY_ID, gateway="http://127.0.0.1:9", timeout_seconds=2,
        )  # fmt: skip
        batch = TransferBatch(1, "YM1B1", "红包提现", "红包提现", "1000", (TransferDetail("YM1D1", 50, OPENID, "x"),))
        assert (await WeChatPayProvider(config).submit(batch)).kind == "unknown"
