"""Process settings: one data directory is one whole instance unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from yima.settings import Settings


def test_the_embedded_database_lives_in_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("YIMA_DATABASE_URL", raising=False)
    monkeypatch.delenv("YIMA_DATA_DIR", raising=False)
    assert Settings().database_url == "sqlite:///var/yima.db"  # make run's
    monkeypatch.setenv("YIMA_DATA_DIR", str(tmp_path))
    assert Settings().database_url == f"sqlite:///{tmp_path}/yima.db"
    monkeypatch.setenv("YIMA_DATABASE_URL", "postgresql://yima@db.example:5432/yima")
    assert Settings().database_url == "postgresql://yima@db.example:5432/yima"
