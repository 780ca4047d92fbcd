"""Print files: the CSV a printer loads, built a chunk of units at a time with NumPy.

One row a unit, its outer and inner code side by side (同级码 are printed together):

    serial,outer_url,outer_token,inner_url,inner_token,anti_fake_code

Every column has a fixed width (serials zero-padded), so a chunk of rows is one uint8 matrix
filled column by column — ten million rows take seconds. URLs are upper case when the base is
plain ASCII: scheme and host are case-insensitive and ``/C/`` is served like ``/c/``, and an
all-upper-case URL fits QR alphanumeric mode, the densest mode a small cap code can use.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from yima.codes.tokens import ANTI_FAKE_DIGITS, SIX_DIGITS, TOKEN_LENGTH, Face, TokenCodec, split_millions

HEADER = b"serial,outer_url,outer_token,inner_url,inner_token,anti_fake_code\n"
SERIAL_DIGITS = 12  # zero-padded: two six-digit halves


def url_prefix(base_url: str, gtin: str | None) -> str:
    """What comes before the token: ``{base}/C/`` or GS1 Digital Link ``{base}/01/{gtin}/21/``."""
    base = base_url.rstrip("/")
    if base.isascii():
        base = base.upper()
    return f"{base}/01/{gtin}/21/" if gtin else f"{base}/C/"


def row_width(faces: Sequence[str], prefix: str) -> int:
    """Bytes in every row: serial, then per face ``,url,token`` (or ``,,``), ``,防伪码`` and newline."""
    per_face = 2 + len(prefix.encode()) + 2 * TOKEN_LENGTH
    carried = sum(1 for face in Face if face.name.lower() in faces)
    return SERIAL_DIGITS + carried * per_face + (2 - carried) * 2 + 1 + ANTI_FAKE_DIGITS + 1


def csv_rows(codec: TokenCodec, serials: np.ndarray, faces: Sequence[str], prefix: str) -> memoryview:
    """CSV rows (no header) for ``serials``; a face the level does not carry stays empty."""
    n = serials.size
    high, low = split_millions(serials)
    # The row as a template of constant bytes, and where each computed column goes in it.
    template = bytearray()
    slots: list[tuple[int, np.ndarray]] = []

    def column(values: np.ndarray) -> None:
        slots.append((len(template), values))
        template.extend(bytes(values.shape[1]))

    column(np.take(SIX_DIGITS, high, axis=0))
    column(np.take(SIX_DIGITS, low, axis=0))
    for face in (Face.OUTER, Face.INNER):
        if face.name.lower() in faces:
            tokens = codec.encode_many(serials, face)
            template.extend(b"," + prefix.encode())
            column(tokens)
            template.extend(b",")
            column(tokens)
        else:
            template.extend(b",,")
    template.extend(b",")
    column(codec.anti_fake_many(serials))
    template.extend(b"\n")
    width = len(template)
    rows = np.empty((n, width), dtype=np.uint8)
    # Copies through void views move whole fields at a time, several times faster than bytes.
    rows.view(f"V{width}")[:, 0] = np.frombuffer(bytes(template), dtype=f"V{width}")[0]
    for at, values in slots:
        size = values.shape[1]
        rows[:, at : at + size].view(f"V{size}")[:, 0] = np.ascontiguousarray(values).view(f"V{size}")[:, 0]
    return rows.reshape(-1).data
