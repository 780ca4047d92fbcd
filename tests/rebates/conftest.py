"""The issue-6 world (goods packed and activated, a dealer with its store, another dealer's
store, channel accounts) for every rebates test module."""

from __future__ import annotations

import httpx
import pytest

from tests.rebates.world import World, build_world
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner


@pytest.fixture
async def world(db: Database, client: httpx.AsyncClient, runner: Runner) -> World:
    return await build_world(db, client, runner)
