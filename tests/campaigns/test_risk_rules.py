"""Risk control's pure rules: grading, windows, keys, digests, blacklist matching, words."""

from __future__ import annotations

import datetime as dt

import pytest

from yima.campaigns import risk
from yima.campaigns.risk import Blacklist, Listed, Policy, RiskInput, Rule
from yima.campaigns.schemas import RiskSettings
from yima.campaigns.service.risk import policy_of

NOW = dt.datetime(2026, 11, 23, 2, 37, 45, 123, tzinfo=dt.UTC)  # 10:37 in Shanghai
DAY = dt.datetime(2026, 11, 22, 16, 0, tzinfo=dt.UTC)  # Shanghai's midnight
DEFAULTS = policy_of(RiskSettings())


def scan(**overrides: object) -> RiskInput:
    values: dict[str, object] = {
        "person_id": 7, "serial": 1001, "ip": "203.0.113.9", "device": "dev-1", "phone": "13812341234",
        "sequential_recent": 0, "outside_territory_km": None,
    }  # fmt: skip
    return RiskInput(**values | overrides)  # type: ignore[arg-type]


def counts(value: int = 1, **overrides: int) -> dict[tuple[risk.Subject, risk.Span], int]:
    found = {(s, w): value for s in risk.SUBJECTS for w in risk.SPANS}
    for name, count in overrides.items():
        subject, _, span = name.partition("_")
        found[(subject, span)] = count  # type: ignore[index]
    return found


class TestGrade:
    def test_ordinary_traffic_is_paid_with_no_reasons(self) -> None:
        assert risk.grade(DEFAULTS, scan(), counts()) == risk.PAY

    def test_a_family_opening_a_case_at_a_banquet_is_paid(self) -> None:
        """12 bottles of one case (consecutive serials scanned in order: at most 5 neighbours seen)
        in two minutes, 40 scans an hour from the banquet hall's address: nothing fires."""
        banquet = counts(
            person_minute=6, person_hour=12, person_day=12, device_minute=6, device_hour=12, device_day=12,
            ip_minute=30, ip_hour=40, ip_day=40, net_minute=30, net_hour=40, net_day=40,
        )  # fmt: skip
        assert risk.grade(DEFAULTS, scan(sequential_recent=5), banquet) == risk.PAY

    def test_a_farm_of_thousands_of_scans_from_one_network_is_rejected(self) -> None:
        farm = counts(net_minute=150, net_hour=900, net_day=3001)
        verdict = risk.grade(DEFAULTS, scan(), farm)
        assert verdict == risk.RiskVerdict("reject", ("net_day", "net_hour", "net_minute"))

    @pytest.mark.parametrize(
        ("overrides", "decision", "reason"),
        [({"person_minute": 11}, "review", "person_minute"), ({"person_hour": 61}, "fallback", "person_hour"),
         ({"person_day": 201}, "reject", "person_day"), ({"device_minute": 11}, "review", "device_minute"),
         ({"ip_minute": 61}, "fallback", "ip_minute"), ({"ip_hour": 301}, "review", "ip_hour"),
         ({"ip_day": 1001}, "reject", "ip_day"), ({"net_hour": 601}, "review", "net_hour")],
    )  # fmt: skip
    def test_each_default_threshold_is_passed_by_one_more_scan(
        self, overrides: dict[str, int], decision: risk.Decision, reason: str
    ) -> None:
        at_limit = {k: v - 1 for k, v in overrides.items()}
        assert risk.grade(DEFAULTS, scan(), counts(**at_limit)) == risk.PAY
        assert risk.grade(DEFAULTS, scan(), counts(**overrides)) == risk.RiskVerdict(decision, (reason,))

    def test_the_most_severe_response_wins_and_every_reason_is_kept_most_severe_first(self) -> None:
        verdict = risk.grade(
            DEFAULTS, scan(sequential_recent=9, outside_territory_km=250.0), counts(person_hour=61), ["device"]
        )
        assert verdict.decision == "reject"
        assert verdict.reasons == ("blacklist:device", "serial_burst", "person_hour", "far_from_territory")

    def test_serial_bursts_and_distance_from_the_territory(self) -> None:
        assert risk.grade(DEFAULTS, scan(sequential_recent=8), counts()) == risk.PAY
        assert risk.grade(DEFAULTS, scan(sequential_recent=9), counts()).reasons == ("serial_burst",)
        assert risk.grade(DEFAULTS, scan(outside_territory_km=200.0), counts()) == risk.PAY
        far = risk.grade(DEFAULTS, scan(outside_territory_km=200.5), counts())
        assert far == risk.RiskVerdict("fallback", ("far_from_territory",))

    def test_a_rule_switched_off_never_fires_and_a_pay_response_only_records_the_reason(self) -> None:
        rules = dict(DEFAULTS.counters) | {("person", "minute"): Rule(None, "review"), ("ip", "day"): Rule(5, "pay")}
        policy = Policy(True, rules, Rule(None, "review"), None, "fallback", "reject")
        verdict = risk.grade(policy, scan(sequential_recent=999, outside_territory_km=9e3), counts(person_minute=99))
        assert verdict == risk.RiskVerdict("pay", ())
        assert risk.grade(policy, scan(), counts(ip_day=6)) == risk.RiskVerdict("pay", ("ip_day",))
        assert ("person", "minute") not in policy.counted() and len(policy.counted()) == 11

    def test_switched_off_everything_pays_without_reasons(self) -> None:
        off = policy_of(RiskSettings(enabled=False))
        assert risk.grade(off, scan(sequential_recent=999), counts(10**6), ["person", "ip"]) == risk.PAY

    def test_subjects_a_scan_lacks_are_not_graded(self) -> None:
        assert risk.grade(DEFAULTS, scan(ip=None), {("person", "minute"): 1}) == risk.PAY


class TestWindows:
    def test_windows_start_at_the_minute_the_hour_and_the_brands_midnight(self) -> None:
        assert risk.window_start("minute", NOW, DAY) == dt.datetime(2026, 11, 23, 2, 37, tzinfo=dt.UTC)
        assert risk.window_start("hour", NOW, DAY) == dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
        assert risk.window_start("day", NOW, DAY) == DAY

    def test_a_scan_counts_in_every_window_of_every_subject_it_has_in_lock_order(self) -> None:
        keys = risk.counter_keys(DEFAULTS, {"person": "7", "device": None, "ip": "aa", "net": "bb"}, NOW, DAY)
        assert len(keys) == 9 and {k.subject for k in keys} == {"person", "ip", "net"}
        assert keys == sorted(keys, key=risk.CounterKey.sort_key)
        assert keys[0].starts_at == DAY and keys[-1].span == "minute"

    def test_a_longer_window_may_not_allow_fewer_scans_than_a_shorter_one(self) -> None:
        limits = {("person", "minute"): 10, ("person", "hour"): None, ("person", "day"): 5, ("ip", "hour"): 3}
        assert risk.window_problems(limits) == [("person.day.limit", "5 is below person.minute.limit (10)")]


class TestKeys:
    def test_addresses_networks_and_digests(self) -> None:
        assert risk.network_of(risk.parse_ip("203.0.113.9")) == "203.0.113.0/24"  # type: ignore[arg-type]
        assert risk.network_of(risk.parse_ip("2001:db8:1:2::5")) == "2001:db8:1::/48"  # type: ignore[arg-type]
        assert str(risk.parse_ip("::ffff:203.0.113.9")) == "203.0.113.9"
        assert risk.parse_ip("not an address") is None and risk.parse_ip(None) is None
        one = risk.subject_keys(b"k" * 32, 7, "203.0.113.9", " dev-1 ")
        neighbour = risk.subject_keys(b"k" * 32, 8, "203.0.113.200", "dev-1")
        other_brand = risk.subject_keys(b"o" * 32, 7, "203.0.113.9", "dev-1")
        assert one["person"] == "7" and one["device"] == neighbour["device"] and one["net"] == neighbour["net"]
        assert one["ip"] != neighbour["ip"] and one["ip"] != other_brand["ip"]
        assert len(one["ip"] or "") == 32 and "203" not in (one["ip"] or "")
        nothing = {"person": "7", "device": None, "ip": None, "net": None}
        assert risk.subject_keys(b"k" * 32, 7, "garbage", "") == nothing


class TestBlacklist:
    @pytest.mark.parametrize(
        ("kind", "value", "stored"),
        [("phone", "+86 138-1234-1234", "13812341234"), ("ip", "203.0.113.0/24", "203.0.113.0/24"),
         ("ip", "203.0.113.9/32", "203.0.113.9"), ("ip", "::ffff:203.0.113.0/120", "203.0.113.0/24"),
         ("ip", "2001:DB8::/32", "2001:db8::/32"), ("person", "0042", "42"), ("device", " abc ", "abc")],
    )  # fmt: skip
    def test_values_are_normalised(self, kind: risk.BlacklistKind, value: str, stored: str) -> None:
        assert risk.normalise_entry(kind, value) == stored

    @pytest.mark.parametrize(
        ("kind", "value", "problem"),
        [("phone", "12345", "mainland mobile"), ("ip", "203.0.113.9/24", "host bits set; the network is 203.0.113"),
         ("ip", "10.0.0.0/7", "too wide"), ("ip", "example.com", "not an IP"), ("person", "-3", "a number"),
         ("serial", "9" * 30, "a number"), ("device", "a\x00b", "control characters")],
    )  # fmt: skip
    def test_bad_values_say_what_is_wrong(self, kind: risk.BlacklistKind, value: str, problem: str) -> None:
        with pytest.raises(ValueError, match=problem):
            risk.normalise_entry(kind, value)

    def test_every_kind_matches_and_blocks_match_any_address_inside(self) -> None:
        listed = Blacklist([
            Listed("person", "7", None), Listed("phone", "13812341234", None), Listed("device", "dev-1", None),
            Listed("ip", "198.51.100.0/24", None), Listed("ip", "2001:db8::/32", None), Listed("serial", "1001", None),
        ])  # fmt: skip
        assert len(listed) == 6
        assert listed.hits(scan(ip="198.51.100.77", phone="+8613812341234"), NOW) == (
            "person", "phone", "device", "ip", "serial",
        )  # fmt: skip
        assert listed.hits(scan(ip="2001:db8:ffff::1"), NOW)[3] == "ip"
        assert listed.hits(scan(person_id=8, serial=1, device=None, phone=None, ip="198.51.101.1"), NOW) == ()

    def test_an_expired_entry_no_longer_matches(self) -> None:
        listed = Blacklist([Listed("ip", "203.0.113.9", NOW + dt.timedelta(minutes=5))])
        assert listed.hits(scan(), NOW) == ("ip",)
        assert listed.hits(scan(), NOW + dt.timedelta(minutes=5)) == ()


class TestWords:
    @pytest.mark.parametrize(
        ("reason", "zh", "en"),
        [("person_minute", "同一用户每分钟扫码过多", "Too many scans from one person in a minute"),
         ("net_day", "同一网段每天扫码过多", "Too many scans from one network (/24) in a day"),
         ("blacklist:device", "设备在黑名单中", "The device is blacklisted"),
         ("serial_burst", "连续序号的码集中被扫（疑似码源泄露）", "A burst of consecutive serials (codes leaked?)"),
         ("mystery", "mystery", "mystery")],
    )  # fmt: skip
    def test_every_reason_has_words_in_both_languages(self, reason: str, zh: str, en: str) -> None:
        assert risk.describe(reason) == (zh, en)

    def test_no_reason_grading_can_give_is_left_without_words(self) -> None:
        verdict = risk.grade(DEFAULTS, scan(sequential_recent=99, outside_territory_km=999.0), counts(10**6),
                             risk.BLACKLIST_KINDS)  # fmt: skip
        assert len(verdict.reasons) == 12 + 2 + 5
        assert all(risk.describe(r)[1] != r for r in verdict.reasons)
