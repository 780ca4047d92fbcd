"""Real-browser tests share Debian's Chromium (never a downloaded browser), one per test run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# The flags this machine's closed network needs (no background connections, no QUIC).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def launch() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (/usr/bin/chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def fresh_page(browser: Browser, width: int = 1400, height: int = 900, **options: Any) -> Iterator[Page]:
    """A page in a fresh profile (no cookies), Chinese by default."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", **options)
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in(page: Page, login: str, password: str) -> None:
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("button[type=submit]")
