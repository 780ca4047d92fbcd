"""The yima units that event identifiers name: decoding at capture, and the canonical EPCs of
the units yima's own events name.

A unit can be printed as a /c/ URL on any host, on either face, or as a Digital Link whose AI 21
serial is its token; the event store keeps the identifier as written (its canonical key) and,
beside it, the serial the brand's codec decodes from it — pure computation, no database read —
so the lifecycle and custody look a unit up by serial whatever form named it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from yima.codes import service as codes
from yima.platform.ctx import Ctx
from yima.trace.epcis.records import EventRecord

INSTANCE_ROLES = frozenset({"epc", "parent", "child", "input", "output"})
# Canonical keys (identifiers.parse): a yima unit URL keeps its token upper case without
# hyphens; a Digital Link is on id.gs1.org with its serial percent-encoded (a token needs none).
_TOKEN_URL = re.compile(r"^https?://[^/]+/c/([0-9A-Z]{8,40})$")
_DL_SERIAL = re.compile(r"^https://id\.gs1\.org/01/\d{14}/21/([0-9A-Za-z]{8,40})$")


def token_of(key: str) -> str | None:
    """The token a canonical key carries, if it could be a yima unit."""
    match = _TOKEN_URL.match(key) or _DL_SERIAL.match(key)
    return match.group(1) if match else None


async def serial_decoder(ctx: Ctx, rows: Sequence[EventRecord]) -> Callable[[str, str], int | None]:
    """A function (canonical key, role) → the brand's unit serial or None. The codec is loaded
    only when some identifier looks like a token."""
    if not any(role in INSTANCE_ROLES and token_of(key) for r in rows for key, role in r.epcs):
        return lambda key, role: None
    brand = await codes.codec(ctx)

    def decode(key: str, role: str) -> int | None:
        if role not in INSTANCE_ROLES:
            return None
        token = token_of(key)
        decoded = brand.decode(token) if token else None
        return decoded.serial if decoded is not None else None

    return decode


async def serial_of_key(ctx: Ctx, key: str) -> int | None:
    token = token_of(key)
    if token is None:
        return None
    decoded = (await codes.codec(ctx)).decode(token)
    return decoded.serial if decoded is not None else None
