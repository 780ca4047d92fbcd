"""Every members test gets its own development SMS sink (no test sends a real SMS) and the
default code policy unless it asks for another (``policy``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.members.factories import sink  # noqa: F401 (an autouse fixture)
from yima.members import config, sms


@pytest.fixture
def policy(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``policy(otp_phone_daily=2, …)``: these members settings for the rest of the test."""

    def override(**values: Any) -> None:
        settings = config.MembersSettings(**values)
        monkeypatch.setattr(config, "members_settings", lambda: settings)
        for module in _readers():
            monkeypatch.setattr(module, "members_settings", lambda: settings)

    return override


def _readers() -> list[Any]:
    from yima.members import permissions
    from yima.members.service import codes, visitors

    return [permissions, codes, visitors, sms]
