"""The CBV 2.0 EPCIS event hash (CBV 2.0 §8.9): an event's identity, computed from its content.

``event_hash(event, prefixes)`` → ``ni:///sha-256;{hex}?ver=CBV2.0`` (RFC 6920), the SHA-256 of a
canonical *pre-hash string*. Two serialisations of one event — fields in any order, other
namespace prefixes, URNs instead of Digital Links, other time zones, extra whitespace, ``1.0``
for ``1`` — give one string, so one hash; any change of a value gives another.

The pre-hash string, as the GS1 reference implementation (github.com/RalphTro/epcis-event-hash-
generator, profile CBV2.0) builds it and its published vectors pin down:

1. ``eventType=…``, then the standard fields in the canonical order below, each ``key=value``,
   concatenated without separators; absent or empty fields add nothing.
2. A list adds its name once, then its elements sorted (``epcList`` + ``epc=…epc=…``); an
   element with fields is its name plus its fields in order (``quantityElement``
   ``epcClass=…quantity=…uom=…``); typed elements put ``type=…`` first
   (``type=…BTT-po`` ``bizTransaction=…``). Sensor elements appear without the list's name.
3. Values: trimmed; times in UTC at millisecond precision (the fourth decimal rounds half up)
   with ``Z``; numbers without trailing zeros (also numeric strings: ``"23.0"`` → ``23``);
   standard vocabulary as web URIs (``shipping`` → ``https://ref.gs1.org/cbv/BizStep-shipping``,
   ``Temperature`` → ``https://ref.gs1.org/voc/Temperature``, CBV URNs likewise); CURIEs of the
   GS1 prefixes expanded; every GS1 key — EPC URI or Digital Link on any domain — as its
   constrained canonical Digital Link on ``https://id.gs1.org`` (identifiers.parse).
4. Then everything else, sorted: ``ilmd`` and its contents, extension fields (as
   ``{namespace}localName=value``, nested ones after their parent's name), and the extension
   fields of readPoint, bizLocation and sensor elements under their parent's name.
   ``eventID``, ``recordTime``, ``errorDeclaration``, ``certificationInfo`` and comments are no
   part of an event's identity and are left out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from typing import Any

from yima.trace.epcis import identifiers
from yima.trace.epcis import vocabulary as vocab

VERSION = "CBV2.0"
_IGNORED = frozenset(
    {
        "type",
        "@context",
        "eventID",
        "recordTime",
        "errorDeclaration",
        "certificationInfo",
        "comment",
        "rdfs:comment",
        "#text",
    }
)
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:?\d{2})?$")


# values -------------------------------------------------------------------------------------


def canonical_time(text: str) -> str:
    """``2023-02-02T12:04:03.1415+01:00`` → ``2023-02-02T11:04:03.142Z``."""
    match = _TIME.match(text.strip())
    if match is None:
        return text.strip()
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    fraction = (fraction or "").ljust(4, "0")
    millis = int(fraction[:3]) + (1 if fraction[3] >= "5" else 0)
    if zone in (None, "Z", "z"):
        offset = dt.timedelta(0)
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        return text.strip()
    moment = moment - offset + dt.timedelta(milliseconds=millis)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def canonical_number(value: Any) -> str:
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        return str(value)
    return str(int(number)) if number.is_integer() else str(number)


def canonical_value(value: Any, prefixes: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return canonical_number(value)
    if value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    head, sep, rest = text.partition(":")
    if sep and head in prefixes and prefixes[head].startswith(("https://ref.gs1.org", "https://gs1.org")):
        text = prefixes[head] + rest  # only the GS1 prefixes expand inside values
    text = vocab.urn_to_web(text)
    if _NUMBER.match(text):
        return canonical_number(text)
    if text.startswith(("urn:epc:", "http://", "https://")) and not text.startswith("https://ref.gs1.org/"):
        try:
            return identifiers.parse_cached(text).key
        except identifiers.IdentifierError:
            return text
    return text


def _identifier(key: str, value: Any, prefixes: dict[str, str]) -> str:
    """``key=value`` for a field that holds an identifier: its canonical key straight away."""
    if isinstance(value, str):
        try:
            return f"{key}={identifiers.parse_cached(value.strip()).key}"
        except identifiers.IdentifierError:
            pass
    return _pair(key, value, prefixes)


def _pair(key: str, value: Any, prefixes: dict[str, str], time: bool = False) -> str:
    text = canonical_time(value) if isinstance(value, str) and time else canonical_value(value, prefixes)
    return f"{key}={text}" if text else ""


def _vocab_pair(key: str, value: Any, vocabulary: vocab.Vocabulary, prefixes: dict[str, str]) -> str:
    if isinstance(value, str):
        value = vocab.web_uri(vocabulary, value.strip())
    return _pair(key, value, prefixes)


# the standard fields, in the canonical order --------------------------------------------------

Part = tuple[str, list[str]]  # (ordered text, leftover texts for the sorted tail)
Field = Callable[[Any, dict[str, str]], Part]


def _list_of(name: str, values: Iterable[str]) -> str:
    kept = sorted(v for v in values if v)
    return name + "".join(kept) if kept else ""


def _epcs(child: str) -> Field:
    def field(value: Any, prefixes: dict[str, str]) -> Part:
        items = value if isinstance(value, list) else [value]
        return _list_of("", (_identifier(child, v, prefixes) for v in items)), []

    return field


def _quantities(value: Any, prefixes: dict[str, str]) -> Part:
    elements = []
    for element in value if isinstance(value, list) else []:
        if isinstance(element, dict):
            text = "".join(_pair(k, element.get(k), prefixes) for k in ("epcClass", "quantity", "uom"))
            elements.append("quantityElement" + text if text else "")
    return _list_of("", elements), []


def _plain(value: Any, prefixes: dict[str, str]) -> Part:
    return canonical_value(value, prefixes), []


def _id(value: Any, prefixes: dict[str, str]) -> Part:
    return _identifier("", value, prefixes)[1:], []


def _time(value: Any, prefixes: dict[str, str]) -> Part:
    return canonical_time(value) if isinstance(value, str) else canonical_value(value, prefixes), []


def _vocab(vocabulary: vocab.Vocabulary) -> Field:
    def field(value: Any, prefixes: dict[str, str]) -> Part:
        return canonical_value(
            vocab.web_uri(vocabulary, value.strip()) if isinstance(value, str) else value, prefixes
        ), []

    return field


def _persistent(value: Any, prefixes: dict[str, str]) -> Part:
    if not isinstance(value, dict):
        return "", []
    text = ""
    for key in ("set", "unset"):
        items = value.get(key) or []
        text += "".join(sorted(_vocab_pair(key, v, vocab.DISPOSITION, prefixes) for v in items))
    return text, []


def _location(name: str) -> Field:
    def field(value: Any, prefixes: dict[str, str]) -> Part:
        if not isinstance(value, dict):
            return "", []
        text = _identifier("id", value.get("id"), prefixes) if "id" in value else ""
        extra = _generic_children({k: v for k, v in value.items() if k != "id"}, prefixes)
        return text, [name + "".join(extra)] if extra else []

    return field


def _typed(child: str, vocabulary: vocab.Vocabulary) -> Field:
    def field(value: Any, prefixes: dict[str, str]) -> Part:
        elements = []
        for element in value if isinstance(value, list) else []:
            if isinstance(element, dict):
                kind = _vocab_pair("type", element["type"], vocabulary, prefixes) if "type" in element else ""
                elements.append(kind + _identifier(child, element.get(child), prefixes))
        return _list_of("", elements), []

    return field


_METADATA = (
    "time",
    "startTime",
    "endTime",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
)
_REPORT = (
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "time",
    "microorganism",
    "chemicalSubstance",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
    "coordinateReferenceSystem",
)
_REPORT_VOCAB = {"type": vocab.MEASUREMENT_TYPE, "exception": vocab.ALERT_TYPE, "component": vocab.COMPONENT}


def _fields(data: dict[str, Any], order: tuple[str, ...], prefixes: dict[str, str], name: str) -> tuple[str, str]:
    """(standard fields in order, extension fields as a leftover under ``name``)."""
    text = ""
    for key in order:
        if key not in data:
            continue
        if key in _REPORT_VOCAB and name == "sensorReport":
            text += _vocab_pair(key, data[key], _REPORT_VOCAB[key], prefixes)
        else:
            text += _pair(key, data[key], prefixes, time=key in ("time", "startTime", "endTime"))
    extra = _generic_children({k: v for k, v in data.items() if k not in order}, prefixes)
    return (name + text if text else ""), (name + "".join(extra) if extra else "")


def _sensors(value: Any, prefixes: dict[str, str]) -> Part:
    elements, leftovers = [], []
    for element in value if isinstance(value, list) else []:
        if not isinstance(element, dict):
            continue
        text, rest = "", []
        metadata = element.get("sensorMetadata")
        if isinstance(metadata, dict):
            done, extra = _fields(metadata, _METADATA, prefixes, "sensorMetadata")
            text += done
            rest += [extra] if extra else []
        reports, report_rest = [], []
        for report in element.get("sensorReport") or []:
            if isinstance(report, dict):
                done, extra = _fields(report, _REPORT, prefixes, "sensorReport")
                reports.append(done)
                report_rest += [extra] if extra else []
        text += "".join(sorted(r for r in reports if r))
        rest += report_rest
        rest += _generic_children(
            {k: v for k, v in element.items() if k not in ("sensorMetadata", "sensorReport")}, prefixes
        )
        elements.append("sensorElement" + text if text else "")
        if rest:
            leftovers.append("sensorElement" + "".join(sorted(rest)))
    return _list_of("", elements), leftovers


# name → (how to write its value, how its name appears: "name=value", "name" + value, or not at all)
_ORDER: tuple[tuple[str, Field, str], ...] = (
    ("eventTime", _time, "scalar"),
    ("eventTimeZoneOffset", _plain, "scalar"),
    ("epcList", _epcs("epc"), "named"),
    ("parentID", _id, "scalar"),
    ("inputEPCList", _epcs("epc"), "named"),
    ("childEPCs", _epcs("epc"), "named"),
    ("quantityList", _quantities, "named"),
    ("childQuantityList", _quantities, "named"),
    ("inputQuantityList", _quantities, "named"),
    ("outputEPCList", _epcs("epc"), "named"),
    ("outputQuantityList", _quantities, "named"),
    ("action", _plain, "scalar"),
    ("transformationID", _plain, "scalar"),
    ("bizStep", _vocab(vocab.BIZ_STEP), "scalar"),
    ("disposition", _vocab(vocab.DISPOSITION), "scalar"),
    ("persistentDisposition", _persistent, "named"),
    ("readPoint", _location("readPoint"), "named"),
    ("bizLocation", _location("bizLocation"), "named"),
    ("bizTransactionList", _typed("bizTransaction", vocab.BIZ_TRANSACTION_TYPE), "named"),
    ("sourceList", _typed("source", vocab.SOURCE_DEST_TYPE), "named"),
    ("destinationList", _typed("destination", vocab.SOURCE_DEST_TYPE), "named"),
    ("sensorElementList", _sensors, "bare"),  # CBV 2.0 writes its elements without the list's name
)
_STANDARD = frozenset(name for name, _, _ in _ORDER)


# everything else -----------------------------------------------------------------------------


def _key(name: str, prefixes: dict[str, str]) -> str:
    head, sep, rest = name.partition(":")
    if sep and head in prefixes and not rest.startswith("//"):
        return "{" + prefixes[head] + "}" + rest
    return name


def _generic(name: str, value: Any, prefixes: dict[str, str]) -> list[str]:
    if isinstance(value, list):
        return [text for item in value for text in _generic(name, item, prefixes)]
    if isinstance(value, dict):
        return [name + "".join(_generic_children(value, prefixes))]
    text = canonical_value(value, prefixes)
    return [f"{name}={text}" if text else name]


def _generic_children(data: dict[str, Any], prefixes: dict[str, str]) -> list[str]:
    found = [t for k, v in data.items() if k not in _IGNORED for t in _generic(_key(k, prefixes), v, prefixes)]
    return sorted(found)


# the hash ------------------------------------------------------------------------------------


def prefixes_of(*contexts: Any) -> dict[str, str]:
    """Namespace prefixes from JSON-LD @context values (document's, then the event's own)."""
    found = dict(vocab.WELL_KNOWN_PREFIXES)
    for context in contexts:
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, dict):
                found.update({k: v for k, v in item.items() if isinstance(v, str) and not k.startswith("@")})
    found["gs1"] = vocab.GS1_VOC  # the reference implementation pins it, whatever a document says
    return found


def pre_hash(event: dict[str, Any], prefixes: dict[str, str]) -> str:
    text = "eventType=" + str(event.get("type", ""))
    leftovers: list[str] = []
    for name, field, style in _ORDER:
        if name not in event:
            continue
        value, rest = field(event[name], prefixes)
        if value:
            text += f"{name}={value}" if style == "scalar" else name + value if style == "named" else value
        leftovers += rest
    for key, value in event.items():
        if key not in _STANDARD and key not in _IGNORED:
            leftovers += _generic(_key(key, prefixes), value, prefixes)
    return text + "".join(sorted(leftovers))


def event_hash(event: dict[str, Any], prefixes: dict[str, str]) -> str:
    digest = hashlib.sha256(pre_hash(event, prefixes).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver={VERSION}"
