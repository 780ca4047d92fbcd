from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from yima.main import create_app
from yima.platform.db.session import Database


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app without a worker and without the console; the database is never opened."""
    db = Database(f"sqlite:///{Path(tmp_path_factory.mktemp('routes')) / 'routes.db'}")
    yield create_app(database=db, run_worker=False)
    db.engine.sync_engine.dispose()
