"""Channel-account tests sign in by SMS: each test gets its own development SMS sink."""

from tests.members.factories import sink  # noqa: F401 (an autouse fixture)
