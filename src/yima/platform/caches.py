"""In-process caches of facts that never change for a brand (keys, prefixes), registered here so
tests — which roll brands back and reuse their ids — can drop them all at once."""

from __future__ import annotations

from collections.abc import Callable

_clearers: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> Callable[[], None]:
    _clearers.append(clear)
    return clear


def clear_all() -> None:
    for clear in _clearers:
        clear()
