"""Sealed CSV packages of any size, built on every core.

Every row has the same width and every package chunk but the last holds exactly ``CHUNK`` bytes,
so where each sealed chunk lands in the file is known before anything is computed. The file is
cut into groups of chunks. Worker processes (``python -m yima.codes.printwork``, which imports
only NumPy, cryptography and the token code) each compute, seal and write their own groups in
place; the job's process hashes the file behind them, in order, and reports progress. Nothing big
crosses a process boundary: the keys go down each worker's stdin once, finished group numbers
come back on its stdout. Small batches run the same code in a thread of the job's process.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from yima.codes.package import CHUNK, Sealer, chunk_count
from yima.codes.printfiles import HEADER, csv_rows, row_width
from yima.codes.tokens import TokenCodec

GROUP_CHUNKS = 8  # 32 MiB of rows a step: big enough for NumPy, small enough to keep memory flat
# Below this, starting processes costs more than it saves.
POOL_THRESHOLD = 1_000_000
MAX_WORKERS = 4
_READ = 8 * 1024 * 1024


@dataclass(frozen=True)
class CsvJob:
    """Everything needed to build one package; ``header`` is the package's header line."""

    token_prefix: str
    token_key: bytes
    package_key: bytes
    header: bytes
    first: int
    last: int
    faces: tuple[str, ...]
    url_prefix: str
    group_chunks: int = GROUP_CHUNKS

    @property
    def units(self) -> int:
        return self.last - self.first + 1

    @property
    def width(self) -> int:
        return row_width(self.faces, self.url_prefix)

    @property
    def plaintext_size(self) -> int:
        return len(HEADER) + self.units * self.width

    @property
    def chunks(self) -> int:
        return chunk_count(self.plaintext_size)

    @property
    def groups(self) -> int:
        return -(-self.chunks // self.group_chunks)

    def chunks_of(self, group: int) -> range:
        return range(group * self.group_chunks, min((group + 1) * self.group_chunks, self.chunks))

    def units_through(self, group: int) -> int:
        """Units whose rows are complete once groups 0..group are written."""
        end = min((group + 1) * self.group_chunks * CHUNK, self.plaintext_size)
        return max(0, end - len(HEADER)) // self.width

    def to_wire(self) -> dict[str, object]:
        values = asdict(self)
        for name in ("token_key", "package_key", "header"):
            values[name] = values[name].hex()
        return values

    @classmethod
    def from_wire(cls, values: dict[str, object]) -> CsvJob:
        raw = {k: bytes.fromhex(str(values[k])) for k in ("token_key", "package_key", "header")}
        faces = values["faces"]
        assert isinstance(faces, list)
        return cls(
            token_prefix=str(values["token_prefix"]),
            first=int(str(values["first"])),
            last=int(str(values["last"])),
            faces=tuple(str(f) for f in faces),
            url_prefix=str(values["url_prefix"]),
            group_chunks=int(str(values["group_chunks"])),
            **raw,
        )


class _GroupWriter:
    """Computes, seals and writes groups of chunks into an open package file."""

    def __init__(self, job: CsvJob, fd: int) -> None:
        self.job, self.fd = job, fd
        self.codec = TokenCodec(job.token_prefix, job.token_key)
        self.sealer = Sealer(job.package_key, job.header)

    def write(self, group: int) -> None:
        job = self.job
        indexes = job.chunks_of(group)
        start = indexes[0] * CHUNK
        plain, base = self._plaintext(start, min((indexes[-1] + 1) * CHUNK, job.plaintext_size))
        sealed = [
            self.sealer.seal(i, plain[i * CHUNK - base : (i + 1) * CHUNK - base], last=i == job.chunks - 1)
            for i in indexes
        ]
        _pwrite_all(self.fd, sealed, self.sealer.offset(indexes[0]))

    def _plaintext(self, start: int, end: int) -> tuple[memoryview, int]:
        """Plaintext covering [start, end) and the plaintext offset it begins at."""
        job, header = self.job, len(HEADER)
        first_row = max(0, start - header) // job.width
        end_row = min(job.units, -(-max(0, end - header) // job.width))
        serials = np.arange(job.first + first_row, job.first + end_row, dtype=np.uint64)
        rows = csv_rows(self.codec, serials, job.faces, job.url_prefix)
        if start < header:  # the first group carries the CSV header line
            return memoryview(HEADER + bytes(rows)), 0
        return rows, header + first_row * job.width


def _pwrite_all(fd: int, pieces: list[bytes], offset: int) -> None:
    views = [memoryview(p) for p in pieces]
    while views:
        written = os.pwritev(fd, views, offset)
        offset += written
        while views and written >= len(views[0]):
            written -= len(views[0])
            views.pop(0)
        if views and written:
            views[0] = views[0][written:]


async def write_csv_package(job: CsvJob, path: Path, progress: Callable[[int], Awaitable[None]]) -> tuple[str, int]:
    """Build the package at ``path``; its SHA-256 (hex) and size in bytes."""
    sealer = Sealer(job.package_key, job.header)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.pwrite(fd, sealer.head, 0)
        workers = min(os.cpu_count() or 1, MAX_WORKERS, job.groups)
        done = _pool(job, path, workers) if job.units >= POOL_THRESHOLD and workers > 1 else _inline(job, fd)
        digest, hashed, next_group, finished = hashlib.sha256(), 0, 0, set()
        async with aclosing(done):
            async for group in done:
                finished.add(group)
                while next_group in finished:
                    last_index = job.chunks_of(next_group)[-1]
                    end = sealer.offset(last_index + 1) if last_index < job.chunks - 1 else os.fstat(fd).st_size
                    await asyncio.to_thread(_hash_range, digest, fd, hashed, end)
                    hashed = end
                    await progress(job.units_through(next_group))
                    next_group += 1
        if next_group != job.groups:
            raise RuntimeError(f"the package is incomplete: {next_group} of {job.groups} parts written")
        return digest.hexdigest(), hashed
    finally:
        os.close(fd)


def _hash_range(digest: hashlib._Hash, fd: int, start: int, end: int) -> None:
    while start < end:
        data = os.pread(fd, min(_READ, end - start), start)
        if not data:
            raise RuntimeError("the package file ended early")
        digest.update(data)
        start += len(data)


async def _inline(job: CsvJob, fd: int) -> AsyncGenerator[int, None]:
    writer = _GroupWriter(job, fd)
    for group in range(job.groups):
        await asyncio.to_thread(writer.write, group)
        yield group


async def _pool(job: CsvJob, path: Path, workers: int) -> AsyncGenerator[int, None]:
    """Group numbers as the worker processes finish them (worker i takes groups i, i+n, …)."""
    procs = []
    queue: asyncio.Queue[int | None] = asyncio.Queue()
    pumps: list[asyncio.Task[None]] = []
    try:
        for index in range(workers):
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "yima.codes.printwork",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            procs.append(proc)
            assert proc.stdin is not None
            order = {"job": job.to_wire(), "path": str(path), "index": index, "workers": workers}
            proc.stdin.write(json.dumps(order).encode() + b"\n")
            await proc.stdin.drain()
            proc.stdin.close()
            pumps.append(asyncio.create_task(_pump(proc, queue)))
        running = workers
        while running:
            group = await queue.get()
            if group is None:
                running -= 1
            else:
                yield group
        for proc in procs:
            if await proc.wait() != 0:
                assert proc.stderr is not None
                detail = (await proc.stderr.read()).decode(errors="replace")[-2000:]
                raise RuntimeError(f"a print worker failed (exit {proc.returncode}): {detail}")
    finally:
        for task in pumps:
            task.cancel()
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


async def _pump(proc: asyncio.subprocess.Process, queue: asyncio.Queue[int | None]) -> None:
    assert proc.stdout is not None
    try:
        async for line in proc.stdout:
            await queue.put(int(line))
    finally:
        await queue.put(None)


def _worker_main() -> None:
    order = json.loads(sys.stdin.readline())
    job = CsvJob.from_wire(order["job"])
    fd = os.open(order["path"], os.O_WRONLY)
    try:
        writer = _GroupWriter(job, fd)
        for group in range(order["index"], job.groups, order["workers"]):
            writer.write(group)
            sys.stdout.write(f"{group}\n")
            sys.stdout.flush()
    finally:
        os.close(fd)


if __name__ == "__main__":
    _worker_main()
