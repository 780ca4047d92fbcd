"""Sealed CSV packages built in parts, inline and by worker processes, open to the exact rows."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from yima.codes import printwork
from yima.codes.package import CHUNK, Sealer, open_package
from yima.codes.printfiles import HEADER, csv_rows
from yima.codes.tokens import TokenCodec


def _job(first: int, last: int, faces: tuple[str, ...], group_chunks: int) -> printwork.CsvJob:
    key = os.urandom(32)
    return printwork.CsvJob(
        token_prefix="A7K",
        token_key=os.urandom(32),
        package_key=key,
        header=Sealer.new(key, "batch.csv", "text/csv").header,
        first=first,
        last=last,
        faces=faces,
        url_prefix="HTTP://EXAMPLE.CN/C/",
        group_chunks=group_chunks,
    )


@pytest.mark.parametrize(
    ("units", "faces", "group_chunks", "pool"),
    [
        (1, ("outer", "inner"), 8, False),
        (70_001, ("outer", "inner"), 1, False),  # rows straddle chunk and group borders
        (70_001, ("outer", "inner"), 1, True),  # the same, by two worker processes
        (60_000, ("outer",), 2, True),
    ],
)
async def test_the_package_holds_every_row_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, units: int, faces: tuple[str, ...], group_chunks: int, pool: bool
) -> None:
    monkeypatch.setattr(printwork, "POOL_THRESHOLD", 1 if pool else 10**9)
    monkeypatch.setattr(printwork, "MAX_WORKERS", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    job = _job(5_000_001, 5_000_000 + units, faces, group_chunks)
    seen: list[int] = []

    async def progress(done: int) -> None:
        seen.append(done)

    path = tmp_path / "batch.ymp"
    digest, size = await printwork.write_csv_package(job, path, progress)

    data = path.read_bytes()
    assert (digest, size) == (hashlib.sha256(data).hexdigest(), len(data))
    with path.open("rb") as source:
        plain = b"".join(open_package(source, job.package_key))
    codec = TokenCodec("A7K", job.token_key)
    expected = HEADER + bytes(
        csv_rows(codec, np.arange(job.first, job.last + 1, dtype=np.uint64), faces, job.url_prefix)
    )
    assert plain == expected
    assert job.chunks == -(-len(expected) // CHUNK)
    assert seen == sorted(seen)
    assert seen[-1] == units


async def test_a_failing_worker_fails_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printwork, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    job = _job(1, 70_000, ("outer", "inner"), 1)
    broken = printwork.CsvJob(**{**job.__dict__, "token_prefix": "bad prefix"})

    async def progress(done: int) -> None:
        return None

    with pytest.raises(RuntimeError, match="print worker failed"):
        await printwork.write_csv_package(broken, tmp_path / "broken.ymp", progress)
