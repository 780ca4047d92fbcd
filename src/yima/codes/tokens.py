"""Code tokens and anti-counterfeit numbers: pure computation, no database (DESIGN.md §4).

A **token** is what a QR code carries: ``PPP`` + 17 characters, 20 in all, in an alphabet that QR
alphanumeric mode encodes compactly (Crockford's base 32, upper case: no I, L, O, U). ``PPP`` is
the brand's prefix, so the brand — and so its key — is known before anything is decrypted.

The 17 characters are a deterministic authenticated encryption (SIV construction) of the unit's
44-bit payload — 40-bit serial, 2-bit face, 2-bit version — under the brand's own AES-256 key:

    tag  = AES_k(0x01 ‖ payload)[:40 bits]          (authenticates)
    body = payload ⊕ AES_k(0x02 ‖ tag)[:44 bits]     (hides the serial)

Decoding recomputes the tag; a forged, mistyped, truncated or other-brand token is rejected by
arithmetic alone, and a guessed token passes with probability 2⁻⁴⁰.

The **anti-counterfeit number** (防伪码) is 12 digits for people to type: a format-preserving
encryption of the serial (a balanced Feistel network over two 6-digit halves, 8 rounds, AES as the
round function), so consecutive units get unrelated numbers and the number maps back to its unit
without a lookup table. It authenticates less than a token (any 12 digits decrypt to some serial),
so it answers "is this genuine" for units that exist and are active, and never claims a prize.

Bulk generation (``encode_many``, ``anti_fake_many``) is vectorised with NumPy over one AES-ECB
call per step, so ten million tokens take seconds, not minutes.
"""

from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX_LENGTH = 3
BODY_LENGTH = 17
TOKEN_LENGTH = PREFIX_LENGTH + BODY_LENGTH
SERIAL_BITS = 40
# 防伪码 are 12 digits, so serials stay below 10^12 (2^39.86): about a trillion units a brand.
MAX_SERIAL = 10**12 - 1
ANTI_FAKE_DIGITS = 12
_HALF = 10**6
_ROUNDS = 8
_TAG_BITS = 40
_TAG_MASK = (1 << _TAG_BITS) - 1
_PAD9, _PAD10 = bytes(9), bytes(10)
_VERSION = 0

_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Crockford's rule: letters people confuse with digits decode as those digits.
_VALUE.update({"O": 0, "I": 1, "L": 1})
_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
# Decoding maps our alphabet onto Python's base-32 digits so int(…, 32) does the work in C; the
# characters int() would also accept (U, sign, underscore) map to one it refuses.
_TO_INT_DIGITS = str.maketrans(
    {**{c: "0123456789abcdefghijklmnopqrstuv"[v] for c, v in _VALUE.items()}, "U": "!", "+": "!", "_": "!"}
)


class Face(IntEnum):
    """Which printed code of a unit: 外码 outer (logistics) or 内码 inner (under the cap / in the case)."""

    OUTER = 0
    INNER = 1


@dataclass(frozen=True)
class Decoded:
    serial: int
    face: Face


_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_FACES = tuple(Face)


def plain(text: str) -> str:
    """``text`` with compatibility characters folded (NFKC): the full-width letters, digits and
    spaces a Chinese input method types (Ｏ, １, the ideographic space) become their ASCII
    selves. ASCII text, as every scanned code is, comes back as it is, at once."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def normalize(text: str) -> str:
    """Upper case, without the spaces and hyphens people add when they copy a code."""
    text = plain(text).strip().upper()
    return text if len(text) == TOKEN_LENGTH else text.replace("-", "").replace(" ", "")


def is_prefix(text: str) -> bool:
    return len(text) == PREFIX_LENGTH and all(c in ALPHABET for c in text)


def prefix_of(token: str) -> str | None:
    """The brand prefix of something that looks like a token, else None."""
    text = normalize(token)
    if len(text) != TOKEN_LENGTH:
        return None
    prefix = text[:PREFIX_LENGTH].translate(_CONFUSABLE)
    return prefix if is_prefix(prefix) else None


class TokenCodec:
    """Encodes and decodes one brand's tokens and anti-counterfeit numbers. Not thread-safe
    (it reuses one AES context): use one per thread."""

    def __init__(self, prefix: str, key: bytes) -> None:
        if not is_prefix(prefix):
            raise ValueError(f"a prefix is {PREFIX_LENGTH} characters of {ALPHABET}")
        if len(key) != 32:
            raise ValueError("the token key is 32 bytes (AES-256)")
        self.prefix = prefix
        # ECB here is AES as a block function (PRF/PRP) on single, domain-separated blocks, not a
        # mode for messages: the SIV and Feistel constructions above supply the security.
        self._aes = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305
        self._feistel_tables: np.ndarray | None = None

    # one at a time -------------------------------------------------------------------------

    def _block(self, domain: int, value: int, length: int) -> bytes:
        return self._aes.update(bytes([domain]) + value.to_bytes(length, "big") + bytes(15 - length))

    def _tag(self, payload: int) -> int:
        return int.from_bytes(self._block(1, payload, 6)[:5], "big")

    def _mask(self, tag: int) -> int:
        return int.from_bytes(self._block(2, tag, 5)[:6], "big") >> 4

    def encode(self, serial: int, face: Face) -> str:
        if not 0 <= serial <= MAX_SERIAL:
            raise ValueError(f"serial {serial} is out of range")
        payload = (serial << 4) | (int(face) << 2) | _VERSION
        tag = self._tag(payload)
        body = ((payload ^ self._mask(tag)) << _TAG_BITS) | tag
        chars = [ALPHABET[(body >> (5 * i)) & 31] for i in range(BODY_LENGTH - 1, -1, -1)]
        return self.prefix + "".join(chars)

    def decode(self, token: str) -> Decoded | None:
        """The unit a token names, or None when it is not a valid token of this brand."""
        text = normalize(token)
        if len(text) != TOKEN_LENGTH or text[:PREFIX_LENGTH].translate(_CONFUSABLE) != self.prefix:
            return None
        try:
            body = int(text[PREFIX_LENGTH:].translate(_TO_INT_DIGITS), 32)
        except ValueError:
            return None
        if body >> (_TAG_BITS + 44):
            return None
        # The hot path of every scan: _mask and _tag inlined.
        tag = (body & _TAG_MASK).to_bytes(5, "big")
        aes = self._aes.update
        payload = (body >> _TAG_BITS) ^ (int.from_bytes(aes(b"\x02" + tag + _PAD10)[:6], "big") >> 4)
        if not hmac.compare_digest(aes(b"\x01" + payload.to_bytes(6, "big") + _PAD9)[:5], tag):
            return None
        serial, face, version = payload >> 4, (payload >> 2) & 3, payload & 3
        if version != _VERSION or face > Face.INNER or serial > MAX_SERIAL:
            return None
        return Decoded(serial, _FACES[face])

    def _round(self, round_no: int, half: int) -> int:
        return int.from_bytes(self._block(3, (round_no << 32) | half, 5)[:8], "big") % _HALF

    def anti_fake(self, serial: int) -> str:
        if not 0 <= serial <= MAX_SERIAL:
            raise ValueError(f"serial {serial} is out of range")
        left, right = divmod(serial, _HALF)
        for round_no in range(_ROUNDS):
            left, right = right, (left + self._round(round_no, right)) % _HALF
        return f"{left * _HALF + right:0{ANTI_FAKE_DIGITS}d}"

    def serial_of_anti_fake(self, number: str) -> int | None:
        text = plain(number).strip().replace(" ", "").replace("-", "")
        # ASCII digits only: str.isdigit() also passes ² and other digits int() refuses.
        if len(text) != ANTI_FAKE_DIGITS or not (text.isascii() and text.isdigit()):
            return None
        left, right = divmod(int(text), _HALF)
        for round_no in reversed(range(_ROUNDS)):
            left, right = (right - self._round(round_no, left)) % _HALF, left
        return left * _HALF + right

    # many at once --------------------------------------------------------------------------

    def _aes_many(self, blocks: np.ndarray) -> np.ndarray:
        return np.frombuffer(self._aes.update(blocks.tobytes()), dtype=np.uint8).reshape(-1, 16)

    def encode_many(self, serials: np.ndarray, face: Face) -> np.ndarray:
        """Tokens of ``serials`` (uint64) on one face, as an (n, 20) uint8 array of ASCII."""
        serials = serials.astype(np.uint64)
        if serials.size and int(serials.max()) > MAX_SERIAL:
            raise ValueError("serial out of range")
        n = serials.size
        payload = (serials << np.uint64(4)) | np.uint64((int(face) << 2) | _VERSION)
        blocks = np.zeros((n, 16), dtype=np.uint8)
        blocks[:, 0] = 1
        blocks[:, 1:7] = _be_bytes(payload)[:, 2:]
        tag_bytes = self._aes_many(blocks)[:, :5]
        blocks[:, 0] = 2
        blocks[:, 1:6] = tag_bytes
        blocks[:, 6] = 0
        mask_bytes = self._aes_many(blocks)[:, :6]
        high = payload ^ (_be_uint(mask_bytes) >> np.uint64(4))
        # 44 bits of ciphertext in 9 characters (45 bits, the top one zero), then the 40-bit tag
        # in 8: shifted left by 3, the 45 bits fill the top of 6 bytes and split like base 32.
        high_bytes = _be_bytes(high << np.uint64(3))[:, 2:]
        out = np.empty((n, TOKEN_LENGTH), dtype=np.uint8)
        out[:, :PREFIX_LENGTH] = np.frombuffer(self.prefix.encode(), dtype=np.uint8)
        out[:, PREFIX_LENGTH : PREFIX_LENGTH + 8] = np.take(_ALPHABET_BYTES, _base32_groups(high_bytes[:, :5]))
        out[:, PREFIX_LENGTH + 8] = np.take(_ALPHABET_BYTES, high_bytes[:, 5] >> 3)
        out[:, PREFIX_LENGTH + 9 :] = np.take(_ALPHABET_BYTES, _base32_groups(tag_bytes))
        return out

    def _tables(self) -> np.ndarray:
        """Each Feistel round's function over all 10^6 half values, computed once per codec."""
        if self._feistel_tables is None:
            halves = np.arange(_HALF, dtype=np.uint64)
            tables = np.empty((_ROUNDS, _HALF), dtype=np.uint32)
            blocks = np.zeros((_HALF, 16), dtype=np.uint8)
            blocks[:, 0] = 3
            for round_no in range(_ROUNDS):
                blocks[:, 1:6] = _be_bytes((np.uint64(round_no) << np.uint64(32)) | halves)[:, 3:]
                values = _be_uint(self._aes_many(blocks)[:, :8]) % np.uint64(_HALF)
                tables[round_no] = values.astype(np.uint32)
            self._feistel_tables = tables
        return self._feistel_tables

    def anti_fake_many(self, serials: np.ndarray) -> np.ndarray:
        """防伪码 of ``serials`` as an (n, 12) uint8 array of ASCII digits."""
        tables = self._tables()
        left, right = split_millions(serials)
        half = np.uint32(_HALF)
        for round_no in range(_ROUNDS):
            # np.take, not fancy indexing: several times faster for a gather like this.
            mixed = left + np.take(tables[round_no], right)
            mixed -= half * (mixed >= half)  # (a + b) mod 10^6 without a division
            left, right = right, mixed
        return np.concatenate([np.take(SIX_DIGITS, left, axis=0), np.take(SIX_DIGITS, right, axis=0)], axis=1)


# ASCII of every number below a million, six digits each: digits by lookup, not by division.
def _six_digit_table() -> np.ndarray:
    numbers = np.arange(_HALF, dtype=np.uint32)
    table = np.empty((_HALF, 6), dtype=np.uint8)
    for i in range(5, -1, -1):
        table[:, i] = (numbers % 10).astype(np.uint8) + ord("0")
        numbers //= 10
    return table


SIX_DIGITS = _six_digit_table()


def split_millions(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values // 10^6, values % 10^6) as uint32, for values below 10^12."""
    values = values.astype(np.uint64)
    high = values // np.uint64(_HALF)
    return high.astype(np.uint32), (values - high * np.uint64(_HALF)).astype(np.uint32)


def _be_bytes(values: np.ndarray) -> np.ndarray:
    """uint64 values as (n, 8) big-endian bytes."""
    return values.astype(">u8").view(np.uint8).reshape(-1, 8)


def _be_uint(columns: np.ndarray) -> np.ndarray:
    """Up to 8 big-endian byte columns as uint64."""
    padded = np.zeros((columns.shape[0], 8), dtype=np.uint8)
    padded[:, 8 - columns.shape[1] :] = columns
    return padded.view(">u8").reshape(-1).astype(np.uint64)


def _base32_groups(five: np.ndarray) -> np.ndarray:
    """(n, 5) bytes → (n, 8) 5-bit groups, most significant first."""
    b = [five[:, i] for i in range(5)]
    return np.stack(
        [
            b[0] >> 3,
            ((b[0] & 7) << 2) | (b[1] >> 6),
            (b[1] >> 1) & 31,
            ((b[1] & 1) << 4) | (b[2] >> 4),
            ((b[2] & 15) << 1) | (b[3] >> 7),
            (b[3] >> 2) & 31,
            ((b[3] & 3) << 3) | (b[4] >> 5),
            b[4] & 31,
        ],
        axis=1,
    )
