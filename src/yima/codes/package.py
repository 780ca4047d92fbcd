"""Encrypted packages for suppliers: one file, sealed for one recipient, with its key shown once.

Format ``YMPK1`` (streaming, so ten-million-code files never sit in memory):

    b"YMPK1\\n"  header-JSON  b"\\n"                 name, content type, chunk size, nonce prefix
    repeat: uint32 length ‖ AES-256-GCM(chunk)      nonce = prefix(8) ‖ counter(4)

Each chunk's associated data binds the header's SHA-256, the chunk number and whether it is the
last, so reordering, truncating or swapping headers fails authentication. The key is 32 random
bytes, shown to the operator as 52 characters of Crockford base 32 in groups of four; it is not
stored once the package is built. ``yima codes decrypt`` opens a package.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"YMPK1\n"
CHUNK = 4 * 1024 * 1024
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TO_CROCKFORD = str.maketrans(_B32, _CROCKFORD)
_FROM_CROCKFORD = str.maketrans(_CROCKFORD, _B32)


class PackageError(ValueError):
    """The package is damaged, or the key is wrong."""


def new_key() -> bytes:
    return os.urandom(32)


def format_key(key: bytes) -> str:
    text = base64.b32encode(key).decode().rstrip("=").translate(_TO_CROCKFORD)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_key(text: str) -> bytes:
    cleaned = text.replace("-", "").replace(" ", "").upper().translate(str.maketrans("OIL", "011"))
    try:
        key = base64.b32decode(cleaned.translate(_FROM_CROCKFORD) + "=" * (-len(cleaned) % 8))
    except ValueError as exc:
        raise PackageError("that is not a package key") from exc
    if len(key) != 32:
        raise PackageError("that is not a package key")
    return key


def _aad(header_digest: bytes, index: int, last: bool) -> bytes:
    return header_digest + struct.pack(">I?", index, last)


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


@dataclass
class PackageWriter:
    """Write plaintext in any pieces; it is sealed in fixed-size chunks as it comes."""

    out: Sink
    key: bytes
    name: str
    content_type: str

    def __post_init__(self) -> None:
        self._aead = AESGCM(self.key)
        self._prefix = os.urandom(8)
        header = json.dumps(
            {"name": self.name, "content_type": self.content_type, "chunk": CHUNK, "nonce_prefix": self._prefix.hex()},
            ensure_ascii=False,
        ).encode()
        self._digest = hashlib.sha256(MAGIC + header).digest()
        self.out.write(MAGIC + header + b"\n")
        self._buffer = bytearray()
        self._index = 0

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data).cast("B")
        if self._buffer:  # top the buffer up to a whole chunk first
            taken = min(CHUNK - len(self._buffer), len(view))
            self._buffer += view[:taken]
            view = view[taken:]
            if len(self._buffer) == CHUNK and view:
                self._seal(self._buffer, last=False)
                self._buffer = bytearray()
        # Whole chunks straight from the caller's memory: a 1.6 GB file is never copied twice.
        while len(view) > CHUNK:
            self._seal(view[:CHUNK], last=False)
            view = view[CHUNK:]
        self._buffer += view

    def close(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _seal(self, chunk: bytes | bytearray | memoryview, last: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._index)
        sealed = self._aead.encrypt(nonce, chunk, _aad(self._digest, self._index, last))
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self._index += 1


def read_header(source: BinaryIO) -> tuple[dict[str, object], bytes]:
    if source.read(len(MAGIC)) != MAGIC:
        raise PackageError("not a yima package")
    line = source.readline()
    try:
        header = json.loads(line)
    except ValueError as exc:
        raise PackageError("damaged package header") from exc
    return header, hashlib.sha256(MAGIC + line.rstrip(b"\n")).digest()


def open_package(source: BinaryIO, key: bytes) -> Iterator[bytes]:
    """The plaintext, chunk by chunk; raises PackageError on a wrong key or any tampering."""
    header, digest = read_header(source)
    aead = AESGCM(key)
    prefix = bytes.fromhex(str(header["nonce_prefix"]))
    index = 0
    length_bytes = source.read(4)
    while length_bytes:
        if len(length_bytes) != 4:
            raise PackageError("the package is truncated")
        sealed = source.read(struct.unpack(">I", length_bytes)[0])
        length_bytes = source.read(4)
        last = not length_bytes
        try:
            yield aead.decrypt(prefix + struct.pack(">I", index), sealed, _aad(digest, index, last))
        except InvalidTag as exc:
            raise PackageError("wrong key, or the package was altered or truncated") from exc
        index += 1
    if index == 0:
        raise PackageError("the package is truncated")
