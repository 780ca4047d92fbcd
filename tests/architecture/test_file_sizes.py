"""STYLE.md: no source file past 500 lines; split a long service into a ``service/`` package by
use case (as identity's is), a long api.py into one router module per area."""

from __future__ import annotations

from tests.architecture.imports import ROOT

MAX_LINES = 500


def test_source_files_stay_short() -> None:
    long = sorted(
        f"{path.relative_to(ROOT)}: {count} lines (limit {MAX_LINES}); split it by use case"
        for path in (ROOT / "src").rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    )
    assert not long, "source files too long:\n" + "\n".join(long)
