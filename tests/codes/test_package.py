"""Supplier packages: they open with their key only, and any damage is detected."""

from __future__ import annotations

import io

import pytest

from yima.codes.package import PackageError, PackageWriter, format_key, new_key, open_package, parse_key


def _sealed(content: bytes, key: bytes) -> bytes:
    out = io.BytesIO()
    writer = PackageWriter(out, key, "batch.csv", "text/csv")
    for start in range(0, len(content), 1_000_003):  # odd-sized writes across chunk borders
        writer.write(content[start : start + 1_000_003])
    writer.close()
    return out.getvalue()


CONTENT = b"serial,outer_url\n" + b"".join(b"%012d,HTTPS://X/C/TOKEN\n" % i for i in range(400_000))


def test_a_package_opens_with_its_key() -> None:
    key = new_key()
    sealed = _sealed(CONTENT, key)
    assert b"HTTPS://X/C/TOKEN" not in sealed
    assert b"".join(open_package(io.BytesIO(sealed), parse_key(format_key(key)))) == CONTENT


def test_the_key_text_is_forgiving_but_exact() -> None:
    key = new_key()
    text = format_key(key)
    assert len(text.replace("-", "")) == 52
    assert parse_key(text.lower().replace("-", " ")) == key
    with pytest.raises(PackageError):
        parse_key(text[:-4])


@pytest.mark.parametrize("damage", ["wrong_key", "flip", "truncate_chunk", "drop_last_chunk", "header"])
def test_damage_is_detected(damage: str) -> None:
    key = new_key()
    sealed = bytearray(_sealed(CONTENT, key))
    if damage == "wrong_key":
        key = new_key()
    elif damage == "flip":
        sealed[len(sealed) // 2] ^= 1
    elif damage == "truncate_chunk":
        del sealed[-100:]
    elif damage == "drop_last_chunk":
        header_end = sealed.index(b"\n", 6) + 1
        first_length = int.from_bytes(sealed[header_end : header_end + 4], "big")
        del sealed[header_end + 4 + first_length :]
    else:
        sealed[10] ^= 1
    with pytest.raises(PackageError):
        b"".join(open_package(io.BytesIO(bytes(sealed)), key))
