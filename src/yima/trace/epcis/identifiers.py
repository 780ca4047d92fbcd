"""GS1 identifiers in EPCIS events: EPC URIs (GS1 Tag Data Standard) and GS1 Digital Link URIs.

Pure computation. ``parse(uri)`` says what an identifier is and gives its *key*: the constrained
canonical GS1 Digital Link URI (``https://id.gs1.org/…``, the finest level of identification only,
no query string) for anything that names a GS1 key, whatever its form (``urn:epc:id:sgtin:…``,
``https://brand.example/01/…/21/…``), and the URI itself otherwise. The key is what the event
store indexes and what the CBV 2.0 event hash uses, so an EPC written as a URN and the same EPC
written as a Digital Link match each other.

A string that claims to be a GS1 identifier (an ``urn:epc:`` URI, or an http(s) URI whose path
holds a GS1 primary key) must be a correct one: right lengths, allowed characters, and right check
digits on the keys printed on goods and places (GTIN, SSCC, GLN, PGLN, GSRN, GSIN, ITIP; asset and
document keys — GRAI, GDTI, GCN — are checked for shape only: OpenEPCIS's own valid examples carry a
GRAI whose check digit is wrong, and so do real labels). Any other absolute URI is accepted as a
private identifier, as EPCIS 2.0 allows — which is also how yima's own unit URLs
(``https://{scan-host}/c/{token}``) travel as EPCs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, NamedTuple
from urllib.parse import quote, unquote, urlsplit

Level = Literal["instance", "class", "other"]
CANONICAL_HOST = "https://id.gs1.org"
MAX_LENGTH = 500


class IdentifierError(ValueError):
    """A string that claims to be a GS1 identifier but breaks its rules."""


class Identifier(NamedTuple):
    key: str  # what to index and hash: the canonical Digital Link, or the URI as given
    level: Level  # instance (one thing), class (a product, a lot, a pattern) or other (not GS1)


# GS1 AI encodable character set 82 (serials, lots, asset references) and set 39 (CPID).
_CS82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
_CS39 = frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
_LEADING = re.compile(r"^\d{4}")
_YIMA_UNIT = re.compile(r"^/[cC]/([0-9A-Za-z][0-9A-Za-z\-]{7,40})/?$")


def check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of ``body`` (weights 3, 1, 3, … from the right)."""
    backwards = body[::-1]
    total = 3 * sum(map(int, backwards[0::2])) + sum(map(int, backwards[1::2]))
    return str(-total % 10)


@lru_cache(maxsize=4096)
def _gtin_ok(gtin: str) -> bool:
    """A case of 24 bottles names one GTIN 24 times: check it once."""
    return check_digit(gtin[:13]) == gtin[13]


def _digits(text: str, length: int | None = None) -> bool:
    return bool(text) and set(text) <= _DIGITS and (length is None or len(text) == length)


def _text(value: str, charset: frozenset[str], most: int, what: str, least: int = 1) -> str:
    if not least <= len(value) <= most or not set(value) <= charset:
        raise IdentifierError(f"{what} must be {least}–{most} characters of GS1 {_set_name(charset)}")
    return value


def _set_name(charset: frozenset[str]) -> str:
    return "character set 39" if charset is _CS39 else "character set 82"


def _esc(value: str) -> str:
    """A value inside a canonical Digital Link: every reserved character percent-encoded."""
    return quote(value, safe="")


# EPC URIs (TDS 2.0 §6, §8) -----------------------------------------------------------------


def _company_split(cp: str, ref: str, total: int, what: str) -> None:
    if not _digits(cp) or not 6 <= len(cp) <= 12:
        raise IdentifierError(f"{what}: the GS1 Company Prefix must be 6–12 digits")
    if not (ref == "" or _digits(ref)) or len(cp) + len(ref) != total:
        raise IdentifierError(f"{what}: company prefix and reference must be {total} digits together")


def _with_check(body: str) -> str:
    return body + check_digit(body)


def _gtin(cp: str, item_ref: str, what: str) -> str:
    _company_split(cp, item_ref, 13, what)
    return _with_check(item_ref[:1] + cp + item_ref[1:])


def _parts(body: str, count: int, what: str) -> list[str]:
    parts = body.split(".", count - 1)
    if len(parts) != count:
        raise IdentifierError(f"{what} has {count} dot-separated parts")
    return parts


def _epc_id(scheme: str, body: str) -> Identifier:
    what = f"urn:epc:id:{scheme}"
    if scheme == "sgtin":
        cp, ref, serial = _parts(body, 3, what)
        return _dl(f"/01/{_gtin(cp, ref, what)}/21/{_esc(_text(unquote(serial), _CS82, 20, 'the serial'))}")
    if scheme == "sscc":
        cp, ref = _parts(body, 2, what)
        _company_split(cp, ref, 17, what)
        return _dl(f"/00/{_with_check(ref[:1] + cp + ref[1:])}")
    if scheme == "sgln":
        cp, ref, ext = _parts(body, 3, what)
        _company_split(cp, ref, 12, what)
        gln = _with_check(cp + ref)
        ext = _text(unquote(ext), _CS82, 20, "the GLN extension")
        return _dl(f"/414/{gln}" if ext == "0" else f"/414/{gln}/254/{_esc(ext)}")
    if scheme == "grai":
        cp, ref, serial = _parts(body, 3, what)
        _company_split(cp, ref, 12, what)
        serial = _text(unquote(serial), _CS82, 16, "the GRAI serial")
        return _dl(f"/8003/0{_with_check(cp + ref)}{_esc(serial)}")
    if scheme == "giai":
        cp, ref = _parts(body, 2, what)
        _company_split(cp, "", len(cp), what)
        asset = _text(cp + unquote(ref), _CS82, 30, "the GIAI")
        return _dl(f"/8004/{_esc(asset)}")
    if scheme in ("gsrn", "gsrnp"):
        cp, ref = _parts(body, 2, what)
        _company_split(cp, ref, 17, what)
        return _dl(f"/{'8018' if scheme == 'gsrn' else '8017'}/{_with_check(cp + ref)}")
    if scheme == "gdti":
        cp, ref, serial = _parts(body, 3, what)
        _company_split(cp, ref, 12, what)
        serial = _text(unquote(serial), _CS82, 17, "the GDTI serial", least=0)
        return _dl(f"/253/{_with_check(cp + ref)}{_esc(serial)}")
    if scheme == "sgcn":
        cp, ref, serial = _parts(body, 3, what)
        _company_split(cp, ref, 12, what)
        if not (serial == "" or _digits(serial)) or len(serial) > 12:
            raise IdentifierError(f"{what}: the coupon serial is up to 12 digits")
        return _dl(f"/255/{_with_check(cp + ref)}{serial}")
    if scheme == "cpi":
        cp, rest = _parts(body, 2, what)
        ref, _, serial = rest.rpartition(".")
        _company_split(cp, "", len(cp), what)
        cpid = _text(cp + unquote(ref), _CS39, 30, "the CPID")
        if not _digits(serial) or len(serial) > 12:
            raise IdentifierError(f"{what}: the CPI serial is 1–12 digits")
        return _dl(f"/8010/{_esc(cpid)}/8011/{serial}")
    if scheme == "ginc":
        cp, ref = _parts(body, 2, what)
        _company_split(cp, "", len(cp), what)
        return _dl(f"/401/{_esc(_text(cp + unquote(ref), _CS82, 30, 'the GINC'))}")
    if scheme == "gsin":
        cp, ref = _parts(body, 2, what)
        _company_split(cp, ref, 16, what)
        return _dl(f"/402/{_with_check(cp + ref)}")
    if scheme == "itip":
        cp, ref, piece, total, serial = _parts(body, 5, what)
        if not (_digits(piece, 2) and _digits(total, 2)):
            raise IdentifierError(f"{what}: piece and total are two digits each")
        serial = _text(unquote(serial), _CS82, 20, "the serial")
        return _dl(f"/8006/{_gtin(cp, ref, what)}{piece}{total}/21/{_esc(serial)}")
    if scheme == "upui":
        cp, ref, tpx = _parts(body, 3, what)
        return _dl(f"/01/{_gtin(cp, ref, what)}/235/{_esc(_text(unquote(tpx), _CS82, 28, 'the TPX'))}")
    if scheme == "pgln":
        cp, ref = _parts(body, 2, what)
        _company_split(cp, ref, 12, what)
        return _dl(f"/417/{_with_check(cp + ref)}")
    if scheme in ("gid", "usdod", "adi", "bic", "imovn"):  # EPC schemes with no GS1 key
        if not re.match(r"^[A-Za-z0-9.\-%:_*#/]+$", body):
            raise IdentifierError(f"{what} has characters an EPC URI does not allow")
        return Identifier(f"urn:epc:id:{scheme}:{body}", "instance")
    raise IdentifierError(f"unknown EPC scheme {scheme!r}")


def _epc_class(scheme: str, body: str, uri: str) -> Identifier:
    what = f"urn:epc:class:{scheme}"
    if scheme != "lgtin":
        raise IdentifierError(f"unknown EPC class scheme {scheme!r}")
    cp, ref, lot = _parts(body, 3, what)
    return _dl(f"/01/{_gtin(cp, ref, what)}/10/{_esc(_text(unquote(lot), _CS82, 20, 'the lot'))}", "class")


def _epc_pattern(scheme: str, body: str, uri: str) -> Identifier:
    """ID patterns: ``CP.REF.*`` (all instances of one class) maps to the class-level key;
    ``CP.*…`` or ``*…`` (a company, everything) stays as written."""
    what = f"urn:epc:idpat:{scheme}"
    parts = body.split(".")
    if not parts or not all(p == "*" or p for p in parts) or "*" not in parts:
        raise IdentifierError(f"{what}: a pattern ends in '*' fields")
    first_star = parts.index("*")
    if any(p != "*" for p in parts[first_star:]):
        raise IdentifierError(f"{what}: every field after a '*' must be '*'")
    fixed = parts[:first_star]
    if scheme in ("sgtin", "upui") and len(fixed) == 2:
        return _dl(f"/01/{_gtin(fixed[0], fixed[1], what)}", "class")
    if scheme == "itip" and len(fixed) == 4:
        if not (_digits(fixed[2], 2) and _digits(fixed[3], 2)):
            raise IdentifierError(f"{what}: piece and total are two digits each")
        return _dl(f"/8006/{_gtin(fixed[0], fixed[1], what)}{fixed[2]}{fixed[3]}", "class")
    if scheme in ("grai", "gdti", "sgcn") and len(fixed) == 2:
        _company_split(fixed[0], fixed[1], 12, what)
        key = _with_check(fixed[0] + fixed[1])
        ai = {"grai": "8003", "gdti": "253", "sgcn": "255"}[scheme]
        return _dl(f"/{ai}/{'0' + key if scheme == 'grai' else key}", "class")
    if scheme == "cpi" and len(fixed) == 2:
        _company_split(fixed[0], "", len(fixed[0]), what)
        return _dl(f"/8010/{_esc(_text(fixed[0] + unquote(fixed[1]), _CS39, 30, 'the CPID'))}", "class")
    if fixed:
        _company_split(fixed[0], "", len(fixed[0]), what)
    return Identifier(uri, "class")


# GS1 Digital Link URIs (GS1 Digital Link URI Syntax 1.2) -------------------------------------

# primary key AI → (value check, allowed qualifier AIs in order)
_PRIMARY = {
    "00": ("n18", ()),
    "01": ("gtin", ("22", "10", "21", "235")),
    "253": ("gdti", ()),
    "255": ("gcn", ()),
    "401": ("x30", ()),
    "402": ("n17", ()),
    "414": ("n13", ("254", "7040")),
    "417": ("n13", ("7040",)),
    "8003": ("grai", ()),
    "8004": ("x30", ()),
    "8006": ("itip", ("22", "10", "21")),
    "8010": ("cpid", ("8011",)),
    "8013": ("gmn", ()),
    "8017": ("n18", ("8019",)),
    "8018": ("n18", ("8019",)),
}
_QUALIFIER_LIMIT = {"22": 20, "10": 20, "21": 20, "235": 28, "254": 20, "7040": 4, "8011": 12, "8019": 10}
# What survives in the constrained canonical form: the finest level only (CBV 2.0 §8.9 rule 18).
_KEEP = {"01": ("21", "235", "10"), "8006": ("21", "10"), "414": ("254",), "8010": ("8011",)}


def _checked(ai: str, value: str) -> str:
    kind = _PRIMARY[ai][0]
    if kind in ("n13", "n17", "n18"):
        size = int(kind[1:])
        if not _digits(value, size):
            raise IdentifierError(f"AI {ai} is {size} digits")
    elif kind == "gtin":
        if not _digits(value) or len(value) not in (8, 12, 13, 14):
            raise IdentifierError("a GTIN is 8, 12, 13 or 14 digits")
        value = value.zfill(14)
    elif kind == "itip":
        if not _digits(value, 18):
            raise IdentifierError("an ITIP is 18 digits")
        if check_digit(value[:13]) != value[13]:
            raise IdentifierError(f"ITIP {value} has a wrong GTIN check digit")
        return value
    elif kind in ("gdti", "gcn"):
        head, tail = value[:13], value[13:]
        if not _digits(head, 13):
            raise IdentifierError(f"AI {ai} starts with 13 digits")
        if kind == "gcn" and not (tail == "" or (_digits(tail) and len(tail) <= 12)):
            raise IdentifierError("a GCN serial is up to 12 digits")
        _text(tail, _CS82, 17, "the serial", least=0)
        return value
    elif kind == "grai":
        head, tail = value[:14], value[14:]
        if not _digits(head, 14) or head[0] != "0":
            raise IdentifierError("a GRAI starts with 0 and 13 digits")
        _text(tail, _CS82, 16, "the GRAI serial", least=0)
        return value
    elif kind == "x30":
        return _text(value, _CS82, 30, f"AI {ai}")
    elif kind == "cpid":
        return _text(value, _CS39, 30, "the CPID")
    elif kind == "gmn":
        return _text(value, _CS82, 25, "the GMN")
    if check_digit(value[:-1]) != value[-1]:
        raise IdentifierError(f"AI {ai} {value} has a wrong check digit")
    return value


def _dl(path: str, level: Level = "instance") -> Identifier:
    return Identifier(CANONICAL_HOST + path, level)


def _digital_link(uri: str) -> Identifier | None:
    """The canonical form of a Digital Link URI, None when ``uri`` holds no GS1 primary key."""
    parts = urlsplit(uri)
    segments = parts.path.split("/")
    # A primary key AI followed by a value that starts like one (a GS1 Company Prefix has at least
    # 4 leading digits in every key) is a claim to be a Digital Link; anything else is a plain URI.
    start = next(
        (i for i in range(1, len(segments) - 1) if segments[i] in _PRIMARY and _LEADING.match(segments[i + 1])),
        None,
    )
    if start is None:
        return None
    ai, value = segments[start], unquote(segments[start + 1])
    value = _checked(ai, value)
    rest = segments[start + 2 :]
    if rest and rest[-1] == "":
        rest.pop()  # a trailing slash
    if len(rest) % 2:
        raise IdentifierError("a Digital Link path is /{AI}/{value} pairs")
    allowed = _PRIMARY[ai][1]
    qualifiers: dict[str, str] = {}
    position = -1
    for q_ai, q_raw in zip(rest[::2], rest[1::2], strict=True):
        if q_ai not in allowed or allowed.index(q_ai) <= position:
            raise IdentifierError(f"AI {q_ai} cannot qualify AI {ai} there")
        position = allowed.index(q_ai)
        q_value = unquote(q_raw)
        if q_ai in ("7040", "8011", "8019"):
            if not (q_value.isascii() and q_value.isalnum() and len(q_value) <= _QUALIFIER_LIMIT[q_ai]):
                raise IdentifierError(f"AI {q_ai} is too long or malformed")
        else:
            _text(q_value, _CS82, _QUALIFIER_LIMIT[q_ai], f"AI {q_ai}")
        qualifiers[q_ai] = q_value
    path = f"/{ai}/{_esc(value)}"
    level: Level = "instance"
    for keep in _KEEP.get(ai, ()):
        if keep in qualifiers:
            path += f"/{keep}/{_esc(qualifiers[keep])}"
            if keep == "10":
                level = "class"
            break
    else:
        if ai in ("01", "8006"):
            level = "class"
    if ai in ("253", "255", "8003") and value == value[: {"253": 13, "255": 13, "8003": 14}[ai]]:
        level = "class"  # a document type, coupon or asset type without its serial
    return _dl(path, level)


# the one entry point --------------------------------------------------------------------------

# The forms nearly every EPC of a capture takes, recognised by one regular expression each (the
# general path below costs ten times more); a serial with other characters takes the general path.
_FAST_DL = re.compile(r"^https?://[^/?#]+/01/(\d{14})/21/([0-9A-Za-z_.\-]{1,20})$")
_FAST_SGTIN = re.compile(r"^urn:epc:id:sgtin:(\d{6,12})\.(\d{1,7})\.([0-9A-Za-z_\-]{1,20})$")


def _fast(uri: str) -> Identifier | None:
    match = _FAST_DL.match(uri)
    if match is not None:
        gtin, serial = match.groups()
        if not _gtin_ok(gtin):
            raise IdentifierError(f"GTIN {gtin} has a wrong check digit")
        return Identifier(f"{CANONICAL_HOST}/01/{gtin}/21/{serial}", "instance")
    match = _FAST_SGTIN.match(uri)
    if match is not None:
        cp, ref, serial = match.groups()
        if len(cp) + len(ref) == 13:
            return Identifier(f"{CANONICAL_HOST}/01/{_sgtin_gtin(cp, ref)}/21/{serial}", "instance")
    return None


@lru_cache(maxsize=4096)
def _sgtin_gtin(cp: str, ref: str) -> str:
    """The GTIN-14 of an SGTIN's class (a case of 24 names one class 24 times: computed once)."""
    return _with_check(ref[:1] + cp + ref[1:])


def parse(uri: str) -> Identifier:
    """What ``uri`` identifies, with its canonical key; IdentifierError when it claims to be a
    GS1 identifier and is not a correct one, or is no absolute URI at all."""
    found = _fast(uri)
    if found is not None:
        return found
    if len(uri) > MAX_LENGTH:
        raise IdentifierError(f"identifiers are at most {MAX_LENGTH} characters")
    if not _ABSOLUTE_URI.match(uri):
        raise IdentifierError("an identifier is an absolute URI")
    head = uri[:14].lower()
    if head.startswith("urn:epc:"):
        fields = uri.split(":", 4)
        if len(fields) != 5 or not fields[3] or not fields[4]:
            raise IdentifierError("an EPC URI is urn:epc:{id|class|idpat}:{scheme}:{value}")
        kind, scheme, body = fields[2], fields[3], fields[4]
        if kind == "id":
            return _epc_id(scheme, body)
        if kind == "class":
            return _epc_class(scheme, body, uri)
        if kind == "idpat":
            return _epc_pattern(scheme, body, uri)
        raise IdentifierError(f"unknown EPC URI kind {kind!r}")
    if head.startswith(("https://", "http://")):
        found = _digital_link(uri)
        if found is not None:
            return found
        parts = urlsplit(uri)
        unit = _YIMA_UNIT.match(parts.path)
        if unit is not None and not parts.query:  # a yima unit URL: token case and hyphens do not matter
            token = unit.group(1).replace("-", "").upper()
            return Identifier(f"{parts.scheme.lower()}://{parts.netloc.lower()}/c/{token}", "instance")
    return Identifier(uri, "other")


def key_of(uri: str) -> str:
    """The canonical key of ``uri``, or ``uri`` itself when it is not a valid identifier (for
    query parameters: an unknown value simply matches nothing)."""
    try:
        return parse_cached(uri).key
    except IdentifierError:
        return uri


@lru_cache(maxsize=1 << 16)
def parse_cached(uri: str) -> Identifier:
    """``parse`` remembered: a document names its parents, places and parties many times, and
    capture parses each identifier twice (to validate, then to index)."""
    return parse(uri)


# Where a company's (or a whole scheme's) keys sit in the canonical Digital Link: the digit
# GTINs, ITIPs and SSCCs put before the company prefix is any digit; GRAI has a leading zero.
_COMPANY_KEYS = {
    "sgtin": ("/01/", True), "upui": ("/01/", True), "itip": ("/8006/", True), "sscc": ("/00/", True),
    "sgln": ("/414/", False), "pgln": ("/417/", False), "grai": ("/8003/0", False), "giai": ("/8004/", False),
    "gsrn": ("/8018/", False), "gsrnp": ("/8017/", False), "gdti": ("/253/", False), "sgcn": ("/255/", False),
    "gsin": ("/402/", False), "ginc": ("/401/", False), "cpi": ("/8010/", False),
}  # fmt: skip


def pattern_prefixes(uri: str) -> list[str]:
    """The key prefixes of every instance a company-wide or scheme-wide EPC pattern
    (``urn:epc:idpat:sgtin:0614141.*.*``, ``urn:epc:idpat:sscc:*``) stands for, which ``parse``
    keeps as written. GS1 Company Prefixes are allocated so that none begins another, so a key
    that starts with one is that company's. Empty for anything else."""
    fields = uri.split(":", 4)
    if len(fields) != 5 or fields[:3] != ["urn", "epc", "idpat"]:
        return []
    scheme, parts = fields[3], fields[4].split(".")
    fixed = parts[: parts.index("*")] if "*" in parts else parts
    if scheme in _COMPANY_KEYS and len(fixed) <= 1:
        path, digit_first = _COMPANY_KEYS[scheme]
        cp = fixed[0] if fixed else ""
        heads = [str(d) for d in range(10)] if digit_first and cp else [""]
        return [f"{CANONICAL_HOST}{path}{head}{cp}" for head in heads]
    if scheme in ("gid", "usdod", "adi", "bic", "imovn"):
        return [f"urn:epc:id:{scheme}:" + "".join(f"{p}." for p in fixed)]
    return []
