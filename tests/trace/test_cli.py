"""``yima trace warehouse-in|ship|receive|return`` as a person runs them, against the live
server's database (the demo brand's channel and codes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.live import LiveServer


def _yima(live: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yima", *args],
        env=live.env | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _sample(live: LiveServer, level: str, count: int) -> list[str]:
    out = live.yima("codes", "sample", "--tenant", "demo", "--level", level, "--face", "outer", "--count", str(count))
    return [line for line in out.splitlines() if line]


def test_a_pallet_session_from_a_file_goes_in_ships_and_is_received(live: LiveServer, tmp_path: Path) -> None:
    pallets = _sample(live, "pallet", 3)[1:]  # two pallets of the demo's activated ones
    scans = tmp_path / "codes.txt"
    scans.write_text("\ufeff" + "\n".join([pallets[0], "", f"  {pallets[1]}  ", pallets[0]]) + "\n", encoding="utf-8")

    stored = _yima(live, "trace", "warehouse-in", "--tenant", "demo", "--warehouse", "WH-RH-C01", "--location", "A-01",
                   "--file", str(scans), "--reference", "RK-CLI-1")  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    assert "✓ 入库 (warehouse_in): 2 scanned unit(s)" in stored.stdout and "2 code(s) read" in stored.stdout

    shipped = _yima(live, "trace", "ship", "--tenant", "demo", "--from-warehouse", "WH-RH-C01",
                    "--to-dealer", "D-CD-001", "--file", str(scans), "--json")  # fmt: skip
    assert shipped.returncode == 0, shipped.stderr
    [event] = json.loads(shipped.stdout)
    assert event["operation"] == "ship" and event["units"] == 2

    received = _yima(live, "trace", "receive", "--tenant", "demo", "--dealer", "D-CD-001", pallets[0])
    assert received.returncode == 0 and "✓ 收货/签收 (receive): 1 scanned unit(s)" in received.stdout
    life = json.loads(live.yima("trace", "lifecycle", pallets[0], "--tenant", "demo", "--json"))
    assert [e["biz_step"] for e in life["events"] if e["source"] == "trace.logistics"][-3:] == [
        "storing",
        "shipping",
        "receiving",
    ]
    assert life["holder"]["dealer_id"] is not None and life["holder"]["biz_step"] == "receiving"

    returned = _yima(live, "trace", "return", "--tenant", "demo", "--from-dealer", "D-CD-001",
                     "--to-warehouse", "WH-RH-C01", pallets[0])  # fmt: skip
    assert returned.returncode == 0 and "✓ 退货 (return)" in returned.stdout


def test_a_refusal_lists_every_problem_and_records_nothing(live: LiveServer) -> None:
    [pallet] = _sample(live, "pallet", 1)
    before = json.loads(live.yima("trace", "lifecycle", pallet, "--tenant", "demo", "--json"))["events"]

    bad = "HTTP://127.0.0.1:8000/C/0000000000000000000X"
    refused = _yima(live, "trace", "ship", "--tenant", "demo", "--from-warehouse", "WH-RH-C01",
                    "--to-store", "S-BJ-0003", pallet, "NOTACODE", bad)  # fmt: skip
    assert refused.returncode == 1
    assert "nothing was recorded: 2 problem(s)" in refused.stderr
    assert "#2" in refused.stderr and "NOTACODE" in refused.stderr and "#3" in refused.stderr

    unknown = _yima(live, "trace", "receive", "--tenant", "demo", "--store", "S-NOPE", pallet)
    assert unknown.returncode == 1 and "no store with this code" in unknown.stderr
    location = _yima(live, "trace", "warehouse-in", "--tenant", "demo", "--warehouse", "WH-RH-C01",
                     "--location", "Z-99", pallet)  # fmt: skip
    assert location.returncode == 1 and "no location with this code" in location.stderr

    after = json.loads(live.yima("trace", "lifecycle", pallet, "--tenant", "demo", "--json"))["events"]
    assert after == before


def test_the_options_must_name_one_partner_and_some_codes(live: LiveServer, tmp_path: Path) -> None:
    both = _yima(live, "trace", "ship", "--tenant", "demo", "--from-warehouse", "WH-RH-C01",
                 "--from-dealer", "D-CD-001", "--to-dealer", "D-CQ-001", "X")  # fmt: skip
    assert both.returncode == 2 and "give exactly one of them" in both.stderr
    blank = tmp_path / "blank.txt"
    blank.write_text("\n\n", encoding="utf-8")
    none = _yima(live, "trace", "receive", "--tenant", "demo", "--dealer", "D-CD-001", "--file", str(blank))
    assert none.returncode == 2 and "give the codes" in none.stderr
