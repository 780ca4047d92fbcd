"""The rebates' errors."""

from __future__ import annotations

from yima.platform.errors import Conflict


class WrongState(Conflict):
    """The policy's state does not allow this (activate an active one, edit an ended one)."""

    code = "policy_state"
