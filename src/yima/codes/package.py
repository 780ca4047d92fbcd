"""Encrypted packages for suppliers: one file, sealed for one recipient, with its key shown once.

Format ``YMPK1`` (streaming, so ten-million-code files never sit in memory):

    b"YMPK1\\n"  header-JSON  b"\\n"                 name, content type, chunk size, nonce prefix
    repeat: uint32 length ‖ AES-256-GCM(chunk)      nonce = prefix(8) ‖ counter(4)

Every chunk but the last holds exactly ``CHUNK`` bytes of plaintext, so where each chunk lands
in the file is known in advance and a package can be sealed by several processes at once.

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


SEALED_CHUNK = 4 + CHUNK + 16  # length prefix, a whole chunk, the GCM tag


class Sealer:
    """Seals any chunk of a package on its own: chunk ``i`` of the plaintext always lands at
    ``head_size + i * SEALED_CHUNK`` in the file, so several processes can seal one package."""

    def __init__(self, key: bytes, header: bytes) -> None:
        self.head = MAGIC + header + b"\n"
        self._aead = AESGCM(key)
        self._prefix = bytes.fromhex(json.loads(header)["nonce_prefix"])
        self._digest = hashlib.sha256(MAGIC + header).digest()

    @classmethod
    def new(cls, key: bytes, name: str, content_type: str) -> Sealer:
        header = {"name": name, "content_type": content_type, "chunk": CHUNK, "nonce_prefix": os.urandom(8).hex()}
        return cls(key, json.dumps(header, ensure_ascii=False).encode())

    @property
    def header(self) -> bytes:
        return self.head[len(MAGIC) : -1]

    def seal(self, index: int, chunk: bytes | bytearray | memoryview, last: bool) -> bytes:
        """``chunk`` (at most CHUNK bytes, exactly CHUNK unless last) sealed with its length prefix."""
        nonce = self._prefix + struct.pack(">I", index)
        sealed = self._aead.encrypt(nonce, chunk, _aad(self._digest, index, last))
        return struct.pack(">I", len(sealed)) + sealed

    def offset(self, index: int) -> int:
        return len(self.head) + index * SEALED_CHUNK


def chunk_count(plaintext_size: int) -> int:
    """How many chunks a plaintext of this size is sealed in (an empty one still has one)."""
    return max(1, -(-plaintext_size // CHUNK))


@dataclass
class PackageWriter:
    """Write plaintext in any pieces; it is sealed in fixed-size chunks as it comes."""

    out: Sink
    key: bytes
    name: str
    content_type: str

    def __post_init__(self) -> None:
        self._sealer = Sealer.new(self.key, self.name, self.content_type)
        self.out.write(self._sealer.head)
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
        self.out.write(self._sealer.seal(self._index, chunk, last))
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
