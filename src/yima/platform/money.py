"""Money as people read it. Amounts are integer fen (分) everywhere (DESIGN.md §2); ``yuan`` is the
one place they become text, for every edge (console, phone pages, CLI) and for the reasons a
context's rules write. Pure: rules modules may import it."""

from __future__ import annotations

NO_AMOUNT = "—"


def yuan(fen: int | float | None) -> str:
    """Fen as yuan, two decimals and thousands separators, without the ``¥`` (callers place it):
    ``123456`` → ``"1,234.56"``, ``-5`` → ``"-0.05"``, ``None`` → ``"—"``.

    Integers are formatted exactly (no float on the way). A float (an expected cost, an average)
    is rounded to the nearest fen first, halves to even, so it never shows ``"-0.00"``."""
    if fen is None:
        return NO_AMOUNT
    exact = round(fen) if isinstance(fen, float) else fen
    whole, cents = divmod(abs(exact), 100)
    return f"{'-' if exact < 0 else ''}{whole:,}.{cents:02d}"
