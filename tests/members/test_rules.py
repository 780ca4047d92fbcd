"""The members' pure rules: phone numbers, visitor tokens, one-time code verdicts, days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from yima.members import rules

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)  # 16:00 in Shanghai
KEY = b"k" * 32


class TestPhones:
    @pytest.mark.parametrize(
        "text",
        ["13812341234", "138 1234 1234", "138-1234-1234", "+86 138 1234 1234", "+8613812341234", "008613812341234",
         "8613812341234", "(+86) 138.1234.1234"],
    )  # fmt: skip
    def test_every_way_of_writing_one_number_is_one_number(self, text: str) -> None:
        assert rules.normalise_phone(text) == "+8613812341234"

    @pytest.mark.parametrize(
        "text", ["１３８１２３４１２３４", "＋８６　１３８－１２３４－１２３４", "（+86）13812341234"]
    )
    def test_full_width_as_a_chinese_input_method_types_it_is_the_same_number(self, text: str) -> None:
        assert rules.normalise_phone(text) == "+8613812341234"

    @pytest.mark.parametrize("text", ["", "12812341234", "1381234123", "138123412345", "+1 415 555 0100", "abc"])
    def test_what_is_not_a_mainland_mobile(self, text: str) -> None:
        assert rules.normalise_phone(text) is None

    def test_masked_keeps_the_first_three_and_last_four(self) -> None:
        assert rules.mask_phone("+8613812341234") == "138****1234"
        assert rules.mask_phone(None) is None
        assert rules.national("+8613812341234") == "13812341234"


class TestVisitorTokens:
    def test_a_token_carries_its_brand_and_visitor_and_holds_under_its_key(self) -> None:
        token = rules.visitor_token(KEY, 7, "A" * 22, 1_700_000_000)
        claim = rules.parse_visitor_token(token)
        assert claim is not None and (claim.tenant_id, claim.visitor_id, claim.issued) == (7, "A" * 22, 1_700_000_000)
        assert rules.visitor_claim_holds(KEY, claim, 1_700_000_100, 3600)

    def test_another_key_a_changed_visitor_or_an_old_token_does_not_hold(self) -> None:
        token = rules.visitor_token(KEY, 7, "A" * 22, 1_700_000_000)
        claim = rules.parse_visitor_token(token)
        assert claim is not None
        assert not rules.visitor_claim_holds(b"x" * 32, claim, 1_700_000_100, 3600)
        assert not rules.visitor_claim_holds(KEY, claim, 1_700_000_000 + 3601, 3600)
        assert not rules.visitor_claim_holds(KEY, claim, 1_700_000_000 - 3600, 3600)  # issued in the future
        forged = rules.parse_visitor_token(token.replace("A" * 22, "B" * 22))
        assert forged is not None and not rules.visitor_claim_holds(KEY, forged, 1_700_000_100, 3600)
        other_brand = rules.parse_visitor_token(token.replace("v1.7.", "v1.8."))
        assert other_brand is not None and not rules.visitor_claim_holds(KEY, other_brand, 1_700_000_100, 3600)

    @pytest.mark.parametrize(
        "token", ["", "v2.7.x", "v1.0." + "A" * 22 + ".1." + "A" * 22, "v1.7.short.1.mac", "x" * 300]
    )
    def test_malformed_tokens_claim_nothing(self, token: str) -> None:
        assert rules.parse_visitor_token(token) is None

    def test_a_brand_id_past_a_bigint_claims_nothing(self) -> None:
        """The database cannot look such a brand up (it would answer "out of range"): no brand."""
        largest = rules.visitor_token(KEY, 2**63 - 1, "A" * 22, 1)
        assert rules.parse_visitor_token(largest) is not None
        assert rules.parse_visitor_token(rules.visitor_token(KEY, 2**63, "A" * 22, 1)) is None
        assert rules.parse_visitor_token(rules.visitor_token(KEY, 10**19 - 1, "A" * 22, 1)) is None


class TestCodesAsTyped:
    @pytest.mark.parametrize("text", ["123456", " 123456 ", "123 456", "123-456", "１２３４５６", "１２３　４５６"])
    def test_spaces_and_full_width_digits_are_read_as_the_digits(self, text: str) -> None:
        assert rules.normalise_code(text) == "123456"

    @pytest.mark.parametrize("text", ["", "12345", "1234567", "12a456", "abcdef", "١٢٣٤٥٦", "12345６7"])
    def test_what_cannot_be_a_code(self, text: str) -> None:
        assert rules.normalise_code(text) is None


class TestCodes:
    def slot(self, *, hash_: str | None = "h", minutes: int = 5, attempts: int = 0) -> rules.CodeSlot:
        return rules.CodeSlot(hash_, NOW + dt.timedelta(minutes=minutes), attempts)

    def test_the_hash_is_bound_to_phone_purpose_and_key(self) -> None:
        base = rules.code_hash(KEY, "+8613812341234", "verify", "123456")
        assert "123456" not in base and len(base) == 64
        assert base != rules.code_hash(KEY, "+8613812341235", "verify", "123456")
        assert base != rules.code_hash(KEY, "+8613812341234", "withdraw", "123456")
        assert base != rules.code_hash(b"x" * 32, "+8613812341234", "verify", "123456")

    def test_verdicts(self) -> None:
        assert rules.judge_code(self.slot(), "h", NOW, 5) == "ok"
        assert rules.judge_code(self.slot(), "g", NOW, 5) == "wrong"
        assert rules.judge_code(self.slot(attempts=5), "h", NOW, 5) == "locked"
        assert rules.judge_code(self.slot(minutes=0), "h", NOW, 5) == "expired"
        assert rules.judge_code(self.slot(hash_=None), "h", NOW, 5) == "expired"
        assert rules.judge_code(None, "h", NOW, 5) == "expired"

    def test_resend_wait_rounds_up_to_whole_seconds(self) -> None:
        after = dt.timedelta(seconds=60)
        assert rules.resend_wait(None, NOW, after) == 0
        assert rules.resend_wait(NOW - dt.timedelta(seconds=59, milliseconds=500), NOW, after) == 1
        assert rules.resend_wait(NOW - dt.timedelta(seconds=60), NOW, after) == 0
        assert rules.resend_wait(NOW, NOW, after) == 60


class TestDays:
    def test_a_day_is_the_brands_local_day(self) -> None:
        assert rules.day_start(NOW, SHANGHAI) == dt.datetime(2026, 11, 22, 16, 0, tzinfo=dt.UTC)
        late = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC)  # 01:00 the next day in Shanghai
        assert rules.day_start(late, SHANGHAI) == dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)

    def test_new_means_first_seen_today(self) -> None:
        assert rules.is_new(dt.datetime(2026, 11, 22, 16, 30, tzinfo=dt.UTC), NOW, SHANGHAI)
        assert not rules.is_new(dt.datetime(2026, 11, 22, 15, 30, tzinfo=dt.UTC), NOW, SHANGHAI)
