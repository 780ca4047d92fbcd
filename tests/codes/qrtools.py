"""Reading QR symbols back in tests: zxing-cpp on PIL images or grey NumPy arrays, and a tiny
rasteriser for the SVGs yima writes (one path of horizontal strokes, in modules)."""

from __future__ import annotations

import re

import numpy as np
import zxingcpp
from PIL import Image


def decode(image: Image.Image | np.ndarray) -> str:
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, "exactly one QR symbol"
    return str(found[0].text)


def svg_bitmap(svg: bytes, pixels: int = 4) -> np.ndarray:
    """The SVG as a grey image, ``pixels`` to a module: M x y, m dx dy, h n."""
    text = svg.decode()
    side = int(re.search(r'viewBox="0 0 (\d+) \d+"', text).group(1))  # type: ignore[union-attr]
    path = re.search(r' d="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    dark = np.zeros((side, side), dtype=bool)
    x = y = 0.0
    tokens = re.findall(r"[MmHh]|-?\d+(?:\.\d+)?", path)
    i = 0
    while i < len(tokens):
        op = tokens[i]
        if op in "Mm":
            dx, dy = float(tokens[i + 1]), float(tokens[i + 2])
            x, y = (dx, dy) if op == "M" else (x + dx, y + dy)
            i += 3
        else:
            run = float(tokens[i + 1])
            dark[int(y), int(x) : int(x + run)] = True
            x += run
            i += 2
    return np.where(np.kron(dark, np.ones((pixels, pixels), dtype=bool)), 0, 255).astype(np.uint8)
