"""``yima catalog …`` as a person runs it, against the live server's database."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from openpyxl import load_workbook

from tests.catalog.factories import HEADER, workbook
from tests.live import LiveServer


def _yima(live: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yima", *args],
        env=live.env | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_demo_catalog_is_listed(live: LiveServer) -> None:
    listed = live.yima("catalog", "products", "list", "--tenant", "demo", "--status", "active")
    assert "CSH-1985-500" in listed and "06975123001019" in listed and "CSH-LJ-500" not in listed
    assert "JX-6x500" in live.yima("catalog", "specs", "list", "--tenant", "demo")


def test_import_prints_every_problem_and_exits_1_then_imports_a_good_file(live: LiveServer, tmp_path: Path) -> None:
    slug = f"cli-{uuid.uuid4().hex[:6]}"
    live.yima("tenant", "create", "--slug", slug, "--name", "CLI 测试")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([["A-1", "甲", "6975123001018"], ["A-1", "", ""]], header=HEADER[:3]))
    refused = _yima(live, "catalog", "products", "import", "--tenant", slug, str(bad))
    assert refused.returncode == 1
    assert "the check digit should be 9, not 8" in refused.stderr and "repeats row 2" in refused.stderr
    assert "nothing was imported" in refused.stderr

    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([["A-1", "甲", 6975123001019], ["A-2", "乙", ""]], header=HEADER[:3]))
    assert "2 created" in live.yima("catalog", "products", "import", "--tenant", slug, str(good))
    exported = tmp_path / "out.xlsx"
    live.yima("catalog", "products", "export", "--tenant", slug, str(exported))
    rows = list(load_workbook(exported).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert sorted((r[0], r[2]) for r in rows) == [("A-1", "06975123001019"), ("A-2", None)]
