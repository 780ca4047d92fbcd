"""Where the console's login may send someone afterwards: only inside the console."""

from __future__ import annotations

import pytest

from yima.identity.console.login import HOME, safe_next


@pytest.mark.parametrize(
    "target",
    [
        "/console",
        "/console/",
        "/console/identity/staff",
        "/console/identity/audit?action=staff.updated",
        "/m/trace/warehouse-in",  # the staff phone pages sign in through the console too
    ],
)
def test_a_console_path_is_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/console/",
        "//evil.example/console/",
        "/\\evil.example",
        "/console\\@evil.example",
        "javascript:alert(1)",
        "/api/v1/me",
        "/consoles",
        "/console/../api/v1/me",
        "/m/../api/v1/me",
        "/mobile",
        "/console/login?next=/console/",
        "/console/\r\nSet-Cookie: x=1",
        "/console/" + "a" * 2100,
    ],
)
def test_anything_else_goes_home(target: str | None) -> None:
    assert safe_next(target) == HOME
