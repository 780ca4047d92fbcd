"""The HTTP benchmarks' tools (bench/scan.py, bench/floor.py): a lean HTTP/1.1 load generator on loopback that
keeps a fixed number of requests in flight, and where the time went — CPU seconds per process
tree from /proc, and what PostgreSQL's sessions were doing."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from bench._pg import connect

# The load generator ---------------------------------------------------------------------------


class ConnectionClosed(Exception):
    pass


class Http(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time; answers with Content-Length
    (uvicorn's always have one)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not its subclasses

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None:
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            self.waiter.set_exception(ConnectionClosed("answer without content-length"))
            return
        stop = head.find(b"\r\n", at + 2)
        total = end + 4 + int(head[at + 17 : stop if stop > 0 else len(head)])
        if len(self.buffer) < total:
            return
        body = bytes(self.buffer[end + 4 : total])
        del self.buffer[:total]
        waiter, self.waiter = self.waiter, None
        waiter.set_result((int(head[9:12]), body))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionClosed(str(exc)))
        self.transport = None

    async def send(self, request: bytes) -> tuple[int, bytes]:
        if self.transport is None:
            raise ConnectionClosed("closed")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter


async def open_connection(port: int) -> Http:
    _, protocol = await asyncio.get_running_loop().create_connection(Http, "127.0.0.1", port)
    return protocol


def request_head(method: str, path: str, body_length: int | None = None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if body_length is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {body_length}\r\n"
    return head.encode()


@dataclass
class Tally:
    """What one run of a phase saw."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)  # of the answers counted
    every_outcome: Counter[str] = field(default_factory=Counter)  # of all, settling included
    samples: dict[int, str] = field(default_factory=dict)  # status → one answer, for the log
    elapsed: float = 0.0
    since: float = 0.0  # requests sent before this (perf_counter) are not counted

    def answered(self, sent: float, status: int, body: bytes) -> bool:
        """Count an answer to a request sent at ``sent``; False (not counted) while settling."""
        if sent < self.since:
            return False
        self.latencies_ms.append((time.perf_counter() - sent) * 1000)
        self.statuses[status] += 1
        if status != 200 and status not in self.samples:
            self.samples[status] = body[:300].decode(errors="replace")
        return True

    @property
    def ok(self) -> int:
        return self.statuses[200]

    def merge(self, other: Tally) -> None:
        self.latencies_ms += other.latencies_ms
        self.statuses += other.statuses
        self.outcomes += other.outcomes
        self.every_outcome += other.every_outcome
        self.samples = {**other.samples, **self.samples}
        self.elapsed += other.elapsed

    def errors(self) -> dict[str, int]:
        return {str(s): n for s, n in sorted(self.statuses.items()) if s != 200}


def percentile(values: list[float], share: float) -> float:
    """The value ``share`` of the way up ``values`` sorted (nearest rank); 0 for none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# A slot's work: ``work(connection, tally, deadline)`` sends requests one at a time until the deadline.
Work = Callable[[Http, Tally, float], Awaitable[None]]


async def run_slots(
    port: int, concurrency: int, seconds: float, work: Work, settle: float = 0.0,
    settled: Callable[[], None] | None = None,
) -> Tally:  # fmt: skip
    """``concurrency`` slots, each on its own connection, running ``work(http, tally, deadline)``
    for ``settle`` + ``seconds``; what is sent in the first ``settle`` seconds is not counted
    (``settled()`` is called when they are over)."""
    connections = [await open_connection(port) for _ in range(concurrency)]
    started = time.perf_counter()
    tally = Tally(since=started + settle)
    deadline = tally.since + seconds
    if settled is not None:
        asyncio.get_running_loop().call_later(settle, settled)
    try:
        await asyncio.gather(*(work(http, tally, deadline) for http in connections))
    finally:
        tally.elapsed = time.perf_counter() - tally.since
        for http in connections:
            if http.transport is not None:
                http.transport.close()
    return tally


def fixed_requests(requests: list[bytes]) -> Work:
    """Slots sending ``requests`` round-robin (each slot from its own place in the list)."""
    offsets = iter(range(0, 1 << 30, 7919))

    async def work(http: Http, tally: Tally, deadline: float) -> None:
        i = next(offsets)
        clock = time.perf_counter
        while clock() < deadline:
            request = requests[i % len(requests)]
            i += 1
            sent = clock()
            status, body = await http.send(request)
            tally.answered(sent, status, body)

    return work


# Where the CPU went (from /proc) ------------------------------------------------------------


def _processes() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds so far) of every process we may read."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        found[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    return found


def _tree(processes: dict[int, tuple[int, float]], root: int) -> set[int]:
    members, grew = {root}, True
    while grew:
        more = {pid for pid, (parent, _) in processes.items() if parent in members} - members
        members |= more
        grew = bool(more)
    return members


WORKER = "worker:"


class CpuMeter:
    """CPU seconds of this process, the server's process tree and PostgreSQL's, over a phase."""

    def __init__(self, server_pid: int, postmaster_pid: int | None) -> None:
        self.roots = {"server": server_pid, "postgres": postmaster_pid}

    def workers(self) -> list[int]:
        """The server's worker processes (children of ``yima serve``)."""
        processes = _processes()
        return [pid for pid, (parent, _) in processes.items() if parent == self.roots["server"]]

    def sample(self) -> dict[str, float]:
        processes = _processes()
        seconds = {"load_generator": time.process_time()}
        for name, root in self.roots.items():
            if root is not None:
                seconds[name] = sum(processes[p][1] for p in _tree(processes, root) if p in processes)
        for pid in self.workers():  # each worker's share: are both busy?
            seconds[f"{WORKER}{pid}"] = processes[pid][1]
        return seconds

    @staticmethod
    def spent(before: dict[str, float], after: dict[str, float], wall: float) -> dict[str, Any]:
        spent = {name: round(after[name] - before.get(name, 0.0), 2) for name in after}
        totals = {name: seconds for name, seconds in spent.items() if not name.startswith(WORKER)}
        workers = sorted((seconds for name, seconds in spent.items() if name.startswith(WORKER)), reverse=True)
        busy = round(sum(totals.values()) / wall, 2)
        return {**totals, "server_workers": workers, "wall_s": round(wall, 2), "cores_busy": busy}


ACTIVITY = """
SELECT state, coalesce(wait_event_type || ':' || wait_event, 'on CPU'), wait_event_type = 'Lock', left(query, 70)
FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
"""


async def watch_database(url: str, stop: asyncio.Event) -> dict[str, float]:
    """What the server's database sessions were doing, on average over the phase: how many were
    running, idle in a transaction (the server busy in Python between statements), or waiting
    (``Lock:transactionid``: on a row another transaction holds) and in which statement, sampled
    every 20 ms."""
    connection = await connect(url)
    seen: Counter[str] = Counter()
    polls = 0
    try:
        while not stop.is_set():
            for state, wait, locked, query in await connection.fetch(ACTIVITY):
                seen["in transaction" if state == "idle in transaction" else f"{state} / {wait}"] += 1
                if locked:
                    seen[f"waiting in: {' '.join(query.split())}"] += 1
            polls += 1
            await asyncio.sleep(0.02)
    finally:
        await connection.close()
    return {what: round(n / polls, 2) for what, n in seen.most_common(10)} if polls else {}
