"""What a printed string is: a token, a token URL, a GS1 Digital Link, a 防伪码, or a legacy code.

Pure parsing. Digital Links go through ``biip`` and then our own strict checks, because biip
accepts some invalid URIs (a wrong GTIN check digit is only reported, not refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from biip.gs1_digital_link_uris import GS1DigitalLinkURI

from yima.codes.tokens import ANTI_FAKE_DIGITS, normalize, plain, prefix_of

Kind = Literal["token", "digital_link", "anti_fake", "legacy"]
# GS1 AI encodable character set 82, which AI 21 (serial) uses.
_AI82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")
# Qualifier order the standard allows after the GTIN: 22 (CPV), 10 (lot), 21 (serial).
_DL_PATH = re.compile(r"^/01/(\d{8}|\d{12,14})((?:/22/[^/]+)?(?:/10/[^/]+)?)/21/([^/]+)$")


class LinkError(ValueError):
    """A string that claims to be a Digital Link but breaks its rules."""


@dataclass(frozen=True)
class Printed:
    kind: Kind
    value: str  # the token, the 防伪码 digits, or the legacy string as printed
    gtin: str | None = None


def gtin_check_digit_ok(digits: str) -> bool:
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def parse_digital_link(url: str) -> tuple[str, str]:
    """(GTIN-14, serial) of a GS1 Digital Link URI, or LinkError saying what is wrong."""
    parts = urlsplit(url)
    path = unquote(parts.path).rstrip("/")
    match = _DL_PATH.match(path)
    if match is None:
        raise LinkError("a Digital Link path is /01/{GTIN}[/22/…][/10/…]/21/{serial}, in that order")
    gtin, serial = match.group(1).zfill(14), match.group(3)
    if not gtin_check_digit_ok(gtin):
        raise LinkError(f"GTIN {gtin} has a wrong check digit")
    if not _AI82.match(serial):
        raise LinkError("the serial (AI 21) must be 1–20 characters of the GS1 character set 82")
    try:
        # biip counts path segments: a trailing slash, allowed above, would make an odd number.
        parsed = GS1DigitalLinkURI.parse(urlunsplit(parts._replace(path=parts.path.rstrip("/"))))
    except Exception as exc:  # biip raises its own ParseError family
        raise LinkError(f"not a GS1 Digital Link: {exc}") from exc
    if any(e.gtin_error for e in parsed.element_strings):
        raise LinkError("the GTIN is not valid")
    return gtin, serial


def parse_printed(text: str) -> Printed:
    """What kind of printed string ``text`` is. Full-width characters (typed with a Chinese
    input method) read as their ASCII selves; a legacy code's ``value`` is that folded form, so
    look legacy codes up by the text as given."""
    raw = plain(text).strip()
    if raw.lower().startswith(("http://", "https://")):
        path = urlsplit(raw).path
        if re.match(r"^/[cC]/[^/]+/?$", path):
            return Printed("token", normalize(unquote(path.strip("/").split("/")[1])))  # %41 is A, as the page reads it
        if path.startswith("/01/"):
            gtin, serial = parse_digital_link(raw)
            return Printed("digital_link", normalize(serial), gtin)
        return Printed("legacy", raw)
    if prefix_of(raw) is not None:
        return Printed("token", normalize(raw))
    digits = raw.replace(" ", "").replace("-", "")
    if len(digits) == ANTI_FAKE_DIGITS and digits.isascii() and digits.isdigit():
        return Printed("anti_fake", digits)
    return Printed("legacy", raw)
