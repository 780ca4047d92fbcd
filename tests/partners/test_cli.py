"""``yima partners …`` as a person runs it, against the live server's database."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from openpyxl import load_workbook

from tests.live import LiveServer
from tests.partners.factories import workbook


def _yima(live: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yima", *args],
        env=live.env | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_demo_channel_is_listed(live: LiveServer) -> None:
    dealers = _yima(live, "partners", "dealers", "list", "--tenant", "demo").stdout
    assert "D-CD-001" in dealers and "四川省 成都市" in dealers
    assert "S-BJ-0003" in _yima(live, "partners", "stores", "list", "--tenant", "demo").stdout
    assert "WH-RH-C01" in _yima(live, "partners", "warehouses", "list", "--tenant", "demo").stdout


def test_import_prints_every_problem_and_exits_1_then_imports_a_good_file(live: LiveServer, tmp_path: Path) -> None:
    slug = f"cli-{uuid.uuid4().hex[:6]}"
    live.yima("tenant", "create", "--slug", slug, "--name", "CLI 测试")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook("dealers", [["D-1", "甲", None, None, None, None, "519999"], ["D-1", "乙"]]))
    refused = _yima(live, "partners", "dealers", "import", "--tenant", slug, str(bad))
    assert refused.returncode == 1
    assert "no GB/T 2260 region 519999" in refused.stderr and "repeats row 2" in refused.stderr
    assert "nothing was imported" in refused.stderr

    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook("dealers", [["D-1", "甲", None, None, None, None, "成都市、重庆"]]))
    assert "1 created" in live.yima("partners", "dealers", "import", "--tenant", slug, str(good))
    exported = tmp_path / "out.xlsx"
    live.yima("partners", "dealers", "export", "--tenant", slug, str(exported))
    rows = list(load_workbook(exported).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[6]) for r in rows] == [("D-1", "500000、510100")]
