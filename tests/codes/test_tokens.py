"""Tokens and 防伪码: round trips, bulk equals one-by-one, and nothing forged gets through."""

from __future__ import annotations

import os
import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from yima.codes.tokens import ALPHABET, MAX_SERIAL, TOKEN_LENGTH, Decoded, Face, TokenCodec, plain, prefix_of

KEY = bytes(range(32))
codec = TokenCodec("A7K", KEY)
other_brand = TokenCodec("B2M", bytes(32))
same_prefix_other_key = TokenCodec("A7K", os.urandom(32))


@given(serial=st.integers(1, MAX_SERIAL), face=st.sampled_from(list(Face)))
def test_tokens_round_trip_and_fit_qr_alphanumeric(serial: int, face: Face) -> None:
    token = codec.encode(serial, face)
    assert len(token) == TOKEN_LENGTH
    assert set(token) <= set(ALPHABET)
    decoded = codec.decode(token)
    assert decoded is not None
    assert (decoded.serial, decoded.face) == (serial, face)
    assert codec.decode(token.lower()) == decoded  # people and scanners change case
    assert codec.decode(token.replace("0", "O").replace("1", "I")) == decoded  # Crockford's confusables


@given(serial=st.integers(0, MAX_SERIAL))
def test_anti_fake_numbers_round_trip(serial: int) -> None:
    number = codec.anti_fake(serial)
    assert len(number) == 12
    assert number.isdigit()
    assert codec.serial_of_anti_fake(number) == serial


def test_bulk_encoding_equals_one_by_one() -> None:
    serials = np.array([*random.Random(7).sample(range(1, MAX_SERIAL), 3000), 1, MAX_SERIAL], dtype=np.uint64)
    for face in Face:
        bulk = codec.encode_many(serials, face)
        assert [bytes(row).decode() for row in bulk] == [codec.encode(int(s), face) for s in serials]
    numbers = codec.anti_fake_many(serials)
    assert [bytes(row).decode() for row in numbers] == [codec.anti_fake(int(s)) for s in serials]


def test_consecutive_serials_look_unrelated() -> None:
    tokens = [codec.encode(s, Face.INNER)[3:] for s in range(1000, 1010)]
    numbers = [codec.anti_fake(s) for s in range(1000, 1010)]
    assert len({t[:6] for t in tokens}) == 10
    assert len({n[:4] for n in numbers}) >= 9


def _mutations(token: str, rng: random.Random) -> list[str]:
    i = rng.randrange(3, TOKEN_LENGTH)
    other = rng.choice([c for c in ALPHABET if c != token[i]])
    j = rng.randrange(3, TOKEN_LENGTH - 1)
    return [
        token[:i] + other + token[i + 1 :],  # one character changed (a typo, a bit flip)
        token[:j] + token[j + 1] + token[j] + token[j + 2 :],  # two characters swapped
        token[:-1],  # truncated
        token + rng.choice(ALPHABET),  # extended
        "".join(rng.choice(ALPHABET) for _ in range(TOKEN_LENGTH - 3)).join(["A7K", ""]),  # guessed
    ]


def test_forged_mistyped_and_foreign_tokens_are_refused() -> None:
    rng = random.Random(20261123)
    refused = 0
    for _ in range(4000):
        token = codec.encode(rng.randrange(1, MAX_SERIAL), rng.choice(list(Face)))
        for candidate in _mutations(token, rng):
            if candidate != token:
                assert codec.decode(candidate) is None, candidate
                refused += 1
        assert same_prefix_other_key.decode(token) is None  # copied to another brand's key
        assert other_brand.decode(token) is None  # another brand's prefix
    assert refused >= 4000 * 4


@settings(max_examples=300)
@given(text=st.text(max_size=40))
def test_any_text_is_decoded_or_refused_without_error(text: str) -> None:
    decoded = codec.decode(text)
    assert decoded is None or codec.encode(decoded.serial, decoded.face) == plain(text).strip().upper().translate(
        str.maketrans("OIL", "011")
    ).replace("-", "").replace(" ", "")


def test_prefix_of() -> None:
    token = codec.encode(5, Face.OUTER)
    assert prefix_of(token) == "A7K"
    assert prefix_of(token.lower()) == "A7K"
    assert prefix_of("short") is None


def _wide(text: str) -> str:
    """As a Chinese input method in full-width mode types it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def test_full_width_characters_read_as_their_ascii_selves() -> None:
    token = codec.encode(77, Face.INNER)
    assert codec.decode(_wide(token)) == Decoded(77, Face.INNER)
    assert codec.decode(_wide(token.lower())) == Decoded(77, Face.INNER)
    number = codec.anti_fake(77)
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    assert codec.serial_of_anti_fake(_wide(spaced)) == 77
    assert prefix_of(_wide(token)) == "A7K"


@settings(max_examples=300)
@given(text=st.text(alphabet=st.characters(categories=["Nd", "No", "Zs"]), min_size=12, max_size=14))
def test_any_digits_are_read_or_refused_without_error(text: str) -> None:
    """str.isdigit() passes ² and digits of other scripts that int() refuses or reads its own way."""
    serial = codec.serial_of_anti_fake(text)
    folded = plain(text).strip().replace(" ", "")
    assert serial is None or (folded.isascii() and codec.anti_fake(serial) == folded)


def test_superscripts_fold_and_other_scripts_digits_are_refused() -> None:
    assert codec.serial_of_anti_fake("¹²³" * 4) == codec.serial_of_anti_fake("123" * 4)
    assert codec.serial_of_anti_fake("١٢٣٤٥٦٧٨٩٠١٢") is None  # int() reads these; nobody types them for a 防伪码
