"""QR symbols by the thousand: segno's encoder run on NumPy arrays, for URLs that share a length
and alphanumeric mode (a print file's URLs all do). Module for module the symbols are those
``segno.make_qr`` makes — the same data bits, error correction, placement and mask choice by
ISO/IEC 18004's penalty rules (a test compares them) — but a batch costs microseconds a symbol
where segno, pure Python, takes milliseconds. Anything else falls back to segno itself.

segno supplies the tables (error-correction blocks, generator polynomials, Galois field) and the
symbol's fixed parts: function patterns and, per mask, format and version information, taken
from symbols it makes for a sample URL.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import segno
from segno import consts as _consts
from segno import encoder as _encoder

# segno's internals carry no type hints.
consts: Any = _consts
encoder: Any = _encoder

_ALPHANUMERIC = np.full(256, 255, dtype=np.uint16)
_ALPHANUMERIC[np.frombuffer(consts.ALPHANUMERIC_CHARS, dtype=np.uint8)] = np.arange(45)
_PAD_CODEWORDS = (0xEC, 0x11)
_N3_PATTERN = np.array([1, 0, 1, 1, 1, 0, 1], dtype=np.uint8)
_EXP = np.array(consts.GALIOS_EXP, dtype=np.uint8)
_LOG = np.array(consts.GALIOS_LOG, dtype=np.int32)
_CHUNK = 1000  # symbols evaluated at once (× 8 masks)


def _bits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, k) integers → (n, k·width) bits, most significant first."""
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint16)
    return ((values[..., None].astype(np.uint16) >> shifts) & 1).astype(np.uint8).reshape(values.shape[0], -1)


class QrBatch:
    """Makes the QR symbols of many URLs of one length: one version and error level for all."""

    def __init__(self, sample_url: str, error: str = "m") -> None:
        self.length = len(sample_url)
        self.alphanumeric = all(_ALPHANUMERIC[b] < 45 for b in sample_url.encode()) and sample_url.isascii()
        mode = "alphanumeric" if self.alphanumeric else None
        probe = segno.make_qr(sample_url, error=error, mode=mode)
        self.mode, self.version, self.error = mode, int(probe.version), str(probe.error)
        self.size = int(probe.symbol_size(border=0)[0])
        if self.alphanumeric:
            self._prepare(sample_url)

    def _segno(self, url: str, mask: int | None = None) -> segno.QRCode:
        return segno.make_qr(url, error=self.error, version=self.version, mode=self.mode, mask=mask, boost_error=False)

    def _prepare(self, sample_url: str) -> None:
        version, size = self.version, self.size
        error = consts.ERROR_MAPPING[self.error]
        # Function patterns as segno lays them out before masking; 0x2 marks the data modules.
        template = encoder.make_matrix(size, size)
        encoder.add_finder_patterns(template, size, size)
        encoder.add_alignment_patterns(template, size, size)
        frame = np.array([list(row) for row in template], dtype=np.uint8)
        self.data_cells = frame == 2
        cells = int(self.data_cells.sum())
        # Where each bit of the message goes: segno's own placement, run once on bit numbers.
        numbered = [list(row) for row in template]
        encoder.add_codewords(numbered, [k + 3 for k in range(cells)], version)
        order = np.array(numbered, dtype=np.int64) - 3
        self.rows, self.cols = np.nonzero(self.data_cells)
        self.bit_of_cell = order[self.rows, self.cols]
        self.frame = np.where(self.data_cells, 0, frame).astype(np.uint8)
        i, j = np.indices((size, size))
        self.masks = np.array(
            [np.vectorize(f)(i, j) & self.data_cells for f in encoder.get_data_mask_functions(False)], dtype=np.uint8
        )
        # Format and version information for each mask, from symbols segno makes.
        self.finished = np.array([np.array(self._segno(sample_url, k).matrix, dtype=bool) for k in range(8)])
        self.capacity = consts.SYMBOL_CAPACITY[version][error]
        self.blocks = [
            (info.num_data, info.num_total - info.num_data)
            for info in consts.ECC[version][error]
            for _ in range(info.num_blocks)
        ]
        self.count_bits = consts.CHAR_COUNT_INDICATOR_LENGTH[consts.MODE_ALPHANUMERIC][encoder.version_range(version)]
        remainder = cells - sum(d + e for d, e in self.blocks) * 8
        assert remainder in (0, 3, 4, 7), "segno's layout changed"

    def make(self, urls: Sequence[str]) -> np.ndarray:
        """The symbols of ``urls`` as an (n, size, size) bool array, True for dark, no quiet zone."""
        if not urls:
            return np.zeros((0, self.size, self.size), dtype=bool)
        if not self.alphanumeric or any(len(u) != self.length for u in urls):
            return np.array([np.array(self._segno(u).matrix, dtype=bool) for u in urls])
        text = np.frombuffer("".join(urls).encode(), dtype=np.uint8).reshape(len(urls), self.length)
        values = _ALPHANUMERIC[text]
        if (values >= 45).any():
            raise ValueError("a URL has characters outside QR alphanumeric mode")
        parts = [self._symbols(values[i : i + _CHUNK]) for i in range(0, len(urls), _CHUNK)]
        return np.concatenate(parts)

    # the message -----------------------------------------------------------------------------

    def _data_codewords(self, values: np.ndarray) -> np.ndarray:
        n, length = values.shape
        pairs = values[:, 0 : length - 1 : 2] * 45 + values[:, 1:length:2]
        pieces = [
            np.broadcast_to(_bits(np.array([[consts.MODE_ALPHANUMERIC]]), 4), (n, 4)),
            np.broadcast_to(_bits(np.array([[length]]), self.count_bits), (n, self.count_bits)),
            _bits(pairs, 11),
        ]
        if length % 2:
            pieces.append(_bits(values[:, -1:], 6))
        stream = np.concatenate(pieces, axis=1)
        used = stream.shape[1]
        used += min(self.capacity - used, 4)  # terminator
        used += 8 - used % 8  # to a codeword boundary (segno adds a whole zero byte when already there)
        pads = [_PAD_CODEWORDS[k % 2] for k in range(self.capacity // 8 - used // 8)]
        message = np.zeros((n, used + 8 * len(pads)), dtype=np.uint8)
        message[:, : stream.shape[1]] = stream
        if pads:
            message[:, used:] = _bits(np.array([pads]), 8)
        return np.packbits(message[:, : self.capacity], axis=1)

    def _codewords(self, values: np.ndarray) -> np.ndarray:
        """Data and error-correction codewords, interleaved block by block."""
        data = self._data_codewords(values)
        data_blocks, ecc_blocks, at = [], [], 0
        for num_data, num_ecc in self.blocks:
            block = data[:, at : at + num_data]
            at += num_data
            generator = np.array(consts.GEN_POLY[num_ecc], dtype=np.int32)
            work = np.zeros((block.shape[0], num_data + num_ecc), dtype=np.uint8)
            work[:, :num_data] = block
            for k in range(num_data):  # segno's synthetic division, on every symbol at once
                coefficient = work[:, k]
                product = _EXP[_LOG[coefficient][:, None] + generator[None, :]]
                work[:, k + 1 : k + 1 + num_ecc] ^= np.where(coefficient[:, None] != 0, product, 0).astype(np.uint8)
            data_blocks.append(block)
            ecc_blocks.append(work[:, num_data:])
        columns = [b[:, k] for k in range(max(d for d, _ in self.blocks)) for b in data_blocks if k < b.shape[1]]
        columns += [b[:, k] for k in range(self.blocks[0][1]) for b in ecc_blocks]
        return np.stack(columns, axis=1)

    # the matrix ------------------------------------------------------------------------------

    def _symbols(self, values: np.ndarray) -> np.ndarray:
        n = values.shape[0]
        bits = np.unpackbits(self._codewords(values), axis=1)
        cells = int(self.data_cells.sum())
        bits = np.pad(bits, ((0, 0), (0, cells - bits.shape[1])))  # remainder bits
        plain = np.broadcast_to(self.frame, (n, self.size, self.size)).copy()
        plain[:, self.rows, self.cols] = bits[:, self.bit_of_cell]
        candidates = plain[:, None] ^ self.masks[None]  # (n, 8, size, size)
        scores = penalties(candidates.reshape(n * 8, self.size, self.size)).reshape(n, 8)
        best = scores.argmin(axis=1)  # the first of equal scores, as segno picks
        chosen = candidates[np.arange(n), best].astype(bool)
        symbols: np.ndarray = np.where(self.data_cells, chosen, self.finished[best])
        return symbols


def penalties(symbols: np.ndarray) -> np.ndarray:
    """ISO/IEC 18004 7.8.3's penalty score of each (size, size) 0/1 matrix, as segno counts it."""
    count, size, _ = symbols.shape
    # Every row and every column as a line; position along the line first, so each step of the
    # scans below reads one contiguous vector.
    lines = np.ascontiguousarray(np.concatenate([symbols.transpose(2, 0, 1), symbols.transpose(1, 0, 2)], axis=2))
    lines = lines.reshape(size, -1)  # (position, symbol × line)
    per_symbol = 2 * size

    def total(values: np.ndarray) -> np.ndarray:
        summed: np.ndarray = values.reshape(count, per_symbol).sum(axis=1, dtype=np.int64)
        return summed

    # N1: a run of 5 + i modules of one colour costs 3 + i (counted as 1 a module past the 4th,
    # plus 2 at the 5th).
    run = np.ones(lines.shape[1], dtype=np.uint8)
    n1 = np.zeros(lines.shape[1], dtype=np.int16)
    for j in range(1, size):
        run = run * (lines[j] == lines[j - 1]) + np.uint8(1)
        n1 += run >= 5
        n1 += 2 * (run == 5)
    # N2: each 2×2 block of one colour costs 3.
    corner = symbols[:, 1:, 1:]
    same = (corner == symbols[:, 1:, :-1]) & (corner == symbols[:, :-1, 1:]) & (corner == symbols[:, :-1, :-1])
    n2 = 3 * same.sum(axis=(1, 2), dtype=np.int64)
    # N3: 1:1:3:1:1 with 4 light modules on one side costs 40; a counted one hides overlapping ones.
    starts = size - 6
    match = lines[0:starts] == _N3_PATTERN[0]
    for k in range(1, 7):
        match &= lines[k : k + starts] == _N3_PATTERN[k]
    # Whether 4 modules have any dark one, on lines padded with 4 light modules each side (the
    # edge counts as light, as segno's cut-short windows do).
    padded = np.zeros((size + 8, lines.shape[1]), dtype=bool)
    padded[4 : size + 4] = lines
    any_dark = padded[:-3] | padded[1:-2] | padded[2:-1] | padded[3:]
    n3 = np.zeros(lines.shape[1], dtype=np.int16)
    free_from = np.zeros(lines.shape[1], dtype=np.int16)
    for p in range(starts):
        hit = match[p] & (free_from <= p)
        if p not in (0, size - 7):
            hit &= ~any_dark[p] | ~any_dark[p + 11]  # 4 light modules before, or after
        n3 += 40 * hit
        free_from[hit] = p + 7
    # N4: 10 for each 5 % the dark share is away from half.
    share = symbols.sum(axis=(1, 2), dtype=np.int64) / float(size * size)
    n4 = 10 * np.floor(np.abs(share * 100 - 50) / 5).astype(np.int64)
    scores: np.ndarray = total(n1) + n2 + total(n3) + n4
    return scores


# files -------------------------------------------------------------------------------------


def svgs(symbols: np.ndarray, border: int, scale: int) -> list[bytes]:
    """One SVG a symbol: a path stroking each row, a fixed 4-byte step a module (drawn or moved
    over), so every file is the same template with its modules filled in."""
    n, size, _ = symbols.shape
    side = size + 2 * border
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="{side * scale}" '
        f'height="{side * scale}"><path fill="none" stroke="#000" d="'
    ).encode()
    template, slots = bytearray(head), []
    for row in range(size):
        template += f"M{border} {row + border}.5".encode()
        slots.append(len(template))
        template += bytes(4 * size)
    template += b'"/></svg>\n'
    steps = np.frombuffer(b"m1 0h1  ", dtype=np.uint8).reshape(2, 4)  # light, dark
    out = np.broadcast_to(np.frombuffer(bytes(template), dtype=np.uint8), (n, len(template))).copy()
    positions = (np.array(slots)[:, None] + np.arange(4 * size)[None, :]).ravel()
    out[:, positions] = steps[symbols.astype(np.uint8)].reshape(n, -1)
    return [row.tobytes() for row in out]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pngs(symbols: np.ndarray, border: int, scale: int) -> list[bytes]:
    """One black-and-white PNG a symbol (1 bit a pixel)."""
    light = ~np.pad(symbols, ((0, 0), (border, border), (border, border)))
    pixels = light.repeat(scale, axis=1).repeat(scale, axis=2)
    side = pixels.shape[1]
    rows = np.packbits(pixels, axis=2)
    scanlines = np.concatenate([np.zeros((*rows.shape[:2], 1), dtype=np.uint8), rows], axis=2)  # filter: none
    header = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
    end = _chunk(b"IEND", b"")
    return [header + _chunk(b"IDAT", zlib.compress(s.tobytes(), 6)) + end for s in scanlines]


def runs(symbol: np.ndarray) -> list[tuple[int, int, int]]:
    """A symbol's dark modules as horizontal runs (row, first column, length), for drawing."""
    edges = np.diff(np.pad(symbol.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    starts, ends = np.argwhere(edges == 1), np.argwhere(edges == -1)
    return [(int(r), int(c), int(e - c)) for (r, c), e in zip(starts, ends[:, 1], strict=True)]
