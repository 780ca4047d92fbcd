"""QR symbols made many at once are segno's symbols, module for module, and read back."""

from __future__ import annotations

import io
import os
import random

import numpy as np
import pytest
import segno
from PIL import Image
from segno import encoder

from tests.codes.qrtools import decode, svg_bitmap
from yima.codes import printfiles, qrbatch
from yima.codes.tokens import Face, TokenCodec

CODEC = TokenCodec("A7K", os.urandom(32))
PREFIXES = [
    printfiles.url_prefix("https://y.cn", None),  # version 2
    printfiles.url_prefix("http://127.0.0.1:8000", None),  # version 3
    printfiles.url_prefix("https://m.example.cn", "06975123001026"),  # a Digital Link, version 4
    printfiles.url_prefix("https://scan." + "long-brand-" * 12 + "example.cn", "06975123001026"),  # ≥ 7: version info
]


def _urls(prefix: str, count: int) -> list[str]:
    return [prefix + CODEC.encode(serial, Face(serial % 2)) for serial in range(1, count + 1)]


def _segno(url: str, batch: qrbatch.QrBatch) -> np.ndarray:
    made = segno.make_qr(url, error=batch.error, version=batch.version, mode=batch.mode, boost_error=False)
    return np.array(made.matrix, dtype=bool)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_symbols_are_the_ones_segno_makes(prefix: str) -> None:
    urls = _urls(prefix, 300)
    batch = qrbatch.QrBatch(urls[0])
    assert batch.mode == "alphanumeric"
    made = batch.make(urls)
    assert all((symbol == _segno(url, batch)).all() for url, symbol in zip(urls, made, strict=True))
    # The version and error level segno would pick for one URL on its own.
    alone = segno.make_qr(urls[0], error="m", mode="alphanumeric")
    assert (alone.version, alone.error) == (batch.version, batch.error)


def test_urls_outside_alphanumeric_mode_are_made_by_segno() -> None:
    urls = [f"https://码.cn/c/{CODEC.encode(s, Face.INNER)}" for s in (1, 2)]
    batch = qrbatch.QrBatch(urls[0])
    assert batch.mode is None
    assert all((symbol == _segno(url, batch)).all() for url, symbol in zip(urls, batch.make(urls), strict=True))


@pytest.mark.parametrize("size", [21, 29, 45])
def test_penalties_are_segnos(size: int) -> None:
    rng = random.Random(size)
    matrices = np.array([[[rng.random() < 0.5 for _ in range(size)] for _ in range(size)] for _ in range(40)])
    # Long runs, blocks and finder-like patterns, not only noise.
    matrices[::2, :, : size // 2] = matrices[::2, :1, : size // 2]
    ours = qrbatch.penalties(matrices.astype(np.uint8))
    theirs = [encoder.evaluate_mask(tuple(bytearray(row) for row in m.astype(np.uint8)), size, size) for m in matrices]
    assert ours.tolist() == theirs


def test_svg_and_png_files_read_back() -> None:
    urls = _urls(PREFIXES[2], 3)
    symbols = qrbatch.QrBatch(urls[0]).make(urls)
    for url, svg, png in zip(urls, qrbatch.svgs(symbols, 2, 8), qrbatch.pngs(symbols, 2, 8), strict=True):
        assert decode(svg_bitmap(svg)) == url
        image = Image.open(io.BytesIO(png))
        assert image.size == ((symbols.shape[1] + 4) * 8,) * 2
        assert decode(image) == url


def test_runs_cover_the_dark_modules() -> None:
    symbol = qrbatch.QrBatch(PREFIXES[0] + "X" * 20).make([PREFIXES[0] + "X" * 20])[0]
    drawn = np.zeros_like(symbol)
    for row, first, length in qrbatch.runs(symbol):
        drawn[row, first : first + length] = True
    assert (drawn == symbol).all()
