"""Channel-account tests sign in by SMS: each test gets its own development SMS sink."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from yima.members import sms


@pytest.fixture(autouse=True)
def sink() -> Iterator[sms.DevSmsSink]:
    dev = sms.DevSmsSink()
    previous = sms.use_sender(dev)
    yield dev
    sms.use_sender(previous)
