"""Risk control (风控) of scan draws, as pure functions: the graded decision, the counter keys
and their windows, keyed digests of addresses and devices, blacklist matching (IP and CIDR
included) and the words the console shows for each reason.

No I/O: the service (service/risk.py) reads the brand's settings and blacklist (cached), counts
the scan in one statement, and hands the counts here. See docs/campaigns.md, "Risk control".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Decision = Literal["pay", "fallback", "review", "reject"]  # graded, most severe wins
Subject = Literal["person", "device", "ip", "net"]
Span = Literal["minute", "hour", "day"]
BlacklistKind = Literal["person", "phone", "device", "ip", "serial"]
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DECISIONS: tuple[Decision, ...] = ("pay", "fallback", "review", "reject")  # least severe first
SUBJECTS: tuple[Subject, ...] = ("person", "device", "ip", "net")
SPANS: tuple[Span, ...] = ("minute", "hour", "day")
BLACKLIST_KINDS: tuple[BlacklistKind, ...] = ("person", "phone", "device", "ip", "serial")
NET_PREFIX = {4: 24, 6: 48}  # the source network counted together: IPv4 /24, IPv6 /48
MIN_BLOCK_PREFIX = {4: 8, 6: 16}  # the widest CIDR a blacklist entry may name
MAX_ID = 2**63 - 1
_SEPARATORS = re.compile(r"[\s\-()]")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ABSENT = object()


@dataclass(frozen=True)
class RiskInput:
    person_id: int
    serial: int
    ip: str | None  # the raw source address: never stored (counters keep keyed digests)
    device: str | None  # the client's device id as sent
    phone: str | None  # the person's verified phone (11 digits; "+86…" is accepted too)
    sequential_recent: int  # recent scans, by this person or /24, of serials within a few of this one
    outside_territory_km: float | None  # how far outside the goods' territory (None: inside or unknown)


@dataclass(frozen=True)
class RiskVerdict:
    decision: Decision
    reasons: tuple[str, ...]  # machine codes, the most severe first (describe() words them)


PAY = RiskVerdict("pay", ())


@dataclass(frozen=True)
class Rule:
    """More than ``limit`` (scans in a window, serials in a burst) → ``response``; None: off."""

    limit: int | None
    response: Decision


Counts = dict[tuple[str, str], int]  # the scans in each (subject, window), the one graded included


@dataclass(frozen=True)
class Policy:
    """A brand's risk settings as the grading reads them."""

    enabled: bool
    counters: Mapping[tuple[Subject, Span], Rule]
    serial_burst: Rule
    far_km: float | None
    far_response: Decision
    blacklist_response: Decision

    def counted(self) -> list[tuple[Subject, Span]]:
        """The (subject, window) pairs worth counting: those a rule is switched on for."""
        return [(s, w) for s in SUBJECTS for w in SPANS if (r := self.counters.get((s, w))) and r.limit is not None]


def severest(decisions: Iterable[Decision]) -> Decision:
    return max(decisions, key=DECISIONS.index, default="pay")


def grade(
    policy: Policy,
    data: RiskInput,
    counts: Mapping[tuple[Subject, Span], int],
    blacklisted: Iterable[BlacklistKind] = (),
) -> RiskVerdict:
    """The decision for one scan: every rule that fires adds its reason; the most severe
    response wins. ``counts`` are the scans in each window including this one."""
    if not policy.enabled:
        return PAY
    fired: list[tuple[Decision, str]] = [(policy.blacklist_response, f"blacklist:{k}") for k in blacklisted]
    for subject in SUBJECTS:
        for span in SPANS:
            rule, count = policy.counters.get((subject, span)), counts.get((subject, span))
            if rule is not None and rule.limit is not None and count is not None and count > rule.limit:
                fired.append((rule.response, f"{subject}_{span}"))
    burst = policy.serial_burst
    if burst.limit is not None and data.sequential_recent > burst.limit:
        fired.append((burst.response, "serial_burst"))
    far = data.outside_territory_km
    if policy.far_km is not None and far is not None and far > policy.far_km:
        fired.append((policy.far_response, "far_from_territory"))
    if not fired:
        return PAY
    fired.sort(key=lambda f: -DECISIONS.index(f[0]))  # stable: rule order within one severity
    return RiskVerdict(severest(d for d, _ in fired), tuple(reason for _, reason in fired))


def window_problems(limits: Mapping[tuple[Subject, Span], int | None]) -> list[tuple[str, str]]:
    """(field, problem) where a longer window allows fewer scans than a shorter one of the same
    subject (the shorter rule could then never fire)."""
    problems = []
    for subject in SUBJECTS:
        shorter: tuple[Span, int] | None = None
        for span in SPANS:
            limit = limits.get((subject, span))
            if limit is None:
                continue
            if shorter is not None and limit < shorter[1]:
                problems.append(
                    (f"{subject}.{span}.limit", f"{limit} is below {subject}.{shorter[0]}.limit ({shorter[1]})")
                )
            shorter = (span, limit)
    return problems


# counters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterKey:
    starts_at: dt.datetime  # the window's start (UTC)
    span: Span
    subject: Subject
    key: str  # the person's id, or a keyed digest of the device, address or network

    def sort_key(self) -> tuple[dt.datetime, str, str, str]:
        """The order of the counters' primary key: concurrent upserts lock rows in this order."""
        return (self.starts_at, self.span, self.subject, self.key)


def window_start(span: Span, now: dt.datetime, day_start: dt.datetime) -> dt.datetime:
    """The start of the window ``now`` falls in: the UTC minute or hour, or the brand's local
    day (``day_start``: its midnight, in UTC)."""
    if span == "day":
        return day_start
    floored = now.replace(second=0, microsecond=0)
    return floored if span == "minute" else floored.replace(minute=0)


def counter_keys(
    policy: Policy, subjects: Mapping[Subject, str | None], now: dt.datetime, day_start: dt.datetime
) -> list[CounterKey]:
    """The counters one scan adds to, in lock order; a subject the scan lacks (no device, no
    address) is not counted."""
    keys = [
        CounterKey(window_start(span, now, day_start), span, subject, value)
        for subject, span in policy.counted()
        if (value := subjects.get(subject))
    ]
    return sorted(keys, key=CounterKey.sort_key)


def parse_ip(text: str | None) -> IpAddress | None:
    """An address (an IPv4-mapped IPv6 address as IPv4), or None when ``text`` is not one."""
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def network_of(address: IpAddress) -> str:
    """The source network counted together: ``203.0.113.0/24``, ``2001:db8:1::/48``."""
    return str(ipaddress.ip_network(f"{address}/{NET_PREFIX[address.version]}", strict=False))


def digest(key: bytes, subject: str, value: str) -> str:
    """A keyed digest (HMAC-SHA-256, 128 bits as hex): equal inputs meet, the input cannot be
    recovered (a plain hash of an IPv4 address falls to trying all 2³² of them)."""
    return hmac.new(key, f"{subject}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def subject_keys(key: bytes, person_id: int, ip: str | None, device: str | None) -> dict[Subject, str | None]:
    """What each subject's counters are keyed by; None where the scan lacks it."""
    address = parse_ip(ip)
    device = (device or "").strip()
    return {
        "person": str(person_id),
        "device": digest(key, "device", device) if device else None,
        "ip": digest(key, "ip", str(address)) if address else None,
        "net": digest(key, "net", network_of(address)) if address else None,
    }


# blacklists ---------------------------------------------------------------------------------


def national_phone(text: str | None) -> str | None:
    """The 11 digits of a mainland mobile number however written (``+86 138-1234-1234``)."""
    digits = _SEPARATORS.sub("", text or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if _MOBILE.match(digits) else None


def _ip_entry(text: str) -> str:
    try:
        network: ipaddress.IPv4Network | ipaddress.IPv6Network = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            wide = ipaddress.ip_network(text, strict=False)
            raise ValueError(f"{text} has host bits set; the network is {wide}") from None
        raise ValueError(f"{text!r} is not an IP address or CIDR block") from None
    mapped = getattr(network.network_address, "ipv4_mapped", None)
    if mapped is not None and network.prefixlen >= 96:  # ::ffff:a.b.c.d/n is the IPv4 block
        network = ipaddress.IPv4Network((mapped, network.prefixlen - 96))
    if network.prefixlen < MIN_BLOCK_PREFIX[network.version]:
        raise ValueError(f"/{network.prefixlen} is too wide (at most /{MIN_BLOCK_PREFIX[network.version]})")
    return str(network.network_address) if network.prefixlen == network.max_prefixlen else str(network)


def normalise_entry(kind: BlacklistKind, value: str) -> str:
    """The stored form of a blacklist value, or ValueError saying what is wrong with it."""
    text = value.strip()
    if kind in ("person", "serial"):
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
            raise ValueError(f"a {kind} is a number from 1 to {MAX_ID}")
        return str(int(text))
    if kind == "phone":
        phone = national_phone(text)
        if phone is None:
            raise ValueError("not a mainland mobile number (11 digits starting with 1)")
        return phone
    if kind == "ip":
        return _ip_entry(text)
    if not text or len(text) > 128 or _CONTROL.search(text):
        raise ValueError("a device id is 1 to 128 characters without control characters")
    return text


@dataclass(frozen=True)
class Listed:
    kind: BlacklistKind
    value: str  # normalise_entry's form
    expires_at: dt.datetime | None


class Blacklist:
    """A brand's blacklist, indexed for the scan: exact values in a dict, IP blocks by prefix
    length (an address is looked up once per length in use, not once per block)."""

    def __init__(self, entries: Iterable[Listed]) -> None:
        self._exact: dict[tuple[str, str], dt.datetime | None] = {}
        self._blocks: dict[tuple[int, int], dict[str, dt.datetime | None]] = {}
        for entry in entries:
            if entry.kind != "ip":
                self._exact[(entry.kind, entry.value)] = entry.expires_at
                continue
            network = ipaddress.ip_network(entry.value)
            self._blocks.setdefault((network.version, network.prefixlen), {})[str(network)] = entry.expires_at

    def __len__(self) -> int:
        return len(self._exact) + sum(len(b) for b in self._blocks.values())

    def lists(self, kind: str) -> bool:
        """Has it an entry (live or not) of ``kind``? The scan fetches a phone only then."""
        return any(k == kind for k, _ in self._exact)

    @staticmethod
    def _live(found: dt.datetime | object | None, now: dt.datetime) -> bool:
        return found is not _ABSENT and (found is None or (isinstance(found, dt.datetime) and found > now))

    def _has(self, kind: str, value: str | None, now: dt.datetime) -> bool:
        return value is not None and self._live(self._exact.get((kind, value), _ABSENT), now)

    def _has_address(self, address: IpAddress | None, now: dt.datetime) -> bool:
        if address is None:
            return False
        for (version, prefix), blocks in self._blocks.items():
            if version == address.version:
                network = str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
                if self._live(blocks.get(network, _ABSENT), now):
                    return True
        return False

    def hits(self, data: RiskInput, now: dt.datetime) -> tuple[BlacklistKind, ...]:
        """The kinds of entry the scan matches (unexpired at ``now``)."""
        found: list[BlacklistKind] = []
        if self._has("person", str(data.person_id), now):
            found.append("person")
        if self._has("phone", national_phone(data.phone), now):
            found.append("phone")
        if self._has("device", (data.device or "").strip() or None, now):
            found.append("device")
        if self._has_address(parse_ip(data.ip), now):
            found.append("ip")
        if self._has("serial", str(data.serial), now):
            found.append("serial")
        return tuple(found)


# words ------------------------------------------------------------------------------------------

_SUBJECT_WORDS: dict[str, tuple[str, str]] = {
    "person": ("同一用户", "one person"),
    "device": ("同一设备", "one device"),
    "ip": ("同一IP地址", "one IP address"),
    "net": ("同一网段", "one network (/24)"),
}
_SPAN_WORDS: dict[str, tuple[str, str]] = {
    "minute": ("每分钟", "a minute"),
    "hour": ("每小时", "an hour"),
    "day": ("每天", "a day"),
}
_LISTED_WORDS: dict[str, tuple[str, str]] = {
    "person": ("用户", "person"),
    "phone": ("手机号", "phone number"),
    "device": ("设备", "device"),
    "ip": ("IP地址", "IP address"),
    "serial": ("码", "code"),
}
_OTHER_WORDS: dict[str, tuple[str, str]] = {
    "serial_burst": ("连续序号的码集中被扫（疑似码源泄露）", "A burst of consecutive serials (codes leaked?)"),
    "far_from_territory": ("扫码地点远离商品的销售区域（疑似窜货）", "Scanned far outside the goods' territory"),
}
DECISION_WORDS: dict[Decision, tuple[str, str]] = {
    "pay": ("正常发奖", "Pay"),
    "fallback": ("降级为保底奖", "Lower to the fallback prize"),
    "review": ("人工审核", "Hold for review"),
    "reject": ("拒绝", "Reject"),
}


def describe(reason: str) -> tuple[str, str]:
    """(Chinese, English) words for a reason code, for the console and the review queue."""
    if reason in _OTHER_WORDS:
        return _OTHER_WORDS[reason]
    kind = reason.removeprefix("blacklist:")
    if kind != reason and kind in _LISTED_WORDS:
        zh, en = _LISTED_WORDS[kind]
        return f"{zh}在黑名单中", f"The {en} is blacklisted"
    subject, _, span = reason.partition("_")
    if subject in _SUBJECT_WORDS and span in _SPAN_WORDS:
        (subject_zh, subject_en), (span_zh, span_en) = _SUBJECT_WORDS[subject], _SPAN_WORDS[span]
        return f"{subject_zh}{span_zh}扫码过多", f"Too many scans from {subject_en} in {span_en}"
    return reason, reason
