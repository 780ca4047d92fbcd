"""``yima serve --workers N``: the parent accepts and hands each connection to the worker with the
fewest open, so a burst of keep-alive connections splits evenly and a worker whose connections
closed gets the next ones; a worker that dies is started again and takes connections once ready,
and SIGTERM stops them all (platform/web/workers.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.live import _free_port

WORKERS = 2
CONNECTIONS = 24
_ESTABLISHED = "01"  # /proc/net/tcp's state


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _workers(server: int) -> list[int]:
    """The server's worker processes (not multiprocessing's resource tracker)."""
    found = []
    for pid in _children(server):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:  # gone meanwhile
            continue
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _served_by(port: int, client: socket.socket, workers: list[int]) -> int:
    """The worker holding the server's end of ``client``'s connection."""
    peer = client.getsockname()[1]
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
        if int(local.split(":")[1], 16) == port and int(remote.split(":")[1], 16) == peer and state == _ESTABLISHED:
            return next(pid for pid in workers if inode in _socket_inodes(pid))
    raise AssertionError(f"no server side for the client on port {peer}")


def _health(client: socket.socket) -> None:
    """One keep-alive request on ``client``: it must be answered."""
    client.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    client.settimeout(60)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = client.recv(4096)
        assert chunk, "the connection closed before an answer"
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head[:100]


def _connect(port: int, n: int) -> list[socket.socket]:
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    for client in clients:
        _health(client)
    return clients


def _spread(port: int, clients: list[socket.socket], workers: list[int]) -> dict[int, int]:
    served = [_served_by(port, client, workers) for client in clients]
    return {pid: served.count(pid) for pid in workers}


def _until(condition: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_connections_go_to_the_worker_with_fewest_a_dead_one_is_replaced_and_sigterm_stops_them(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {**os.environ, "YIMA_DATABASE_URL": f"sqlite:///{tmp_path}/yima.db", "YIMA_DATA_DIR": str(tmp_path),
           "YIMA_RUN_WORKER_INLINE": "false"}  # fmt: skip
    subprocess.run([sys.executable, "-m", "yima", "migrate"], env=env, check=True, capture_output=True, timeout=120)
    server = subprocess.Popen(
        [sys.executable, "-m", "yima", "serve", "--no-console", "--workers", str(WORKERS), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    clients: list[socket.socket] = []
    try:
        _until(lambda: len(_workers(server.pid)) == WORKERS, "the workers did not start")
        workers = _workers(server.pid)
        # A burst before the workers are up: the parent holds it until all are ready, then splits it.
        clients = _connect(port, CONNECTIONS)
        assert _spread(port, clients, workers) == {pid: CONNECTIONS // WORKERS for pid in workers}

        first = workers[0]
        leaving = [c for c in clients if _served_by(port, c, workers) == first][:6]
        for client in leaving:
            clients.remove(client)
            client.close()
        _until(lambda: _spread(port, clients, workers)[first] == CONNECTIONS // WORKERS - 6, "not closed")
        time.sleep(0.5)  # the worker's notices reach the parent
        newcomers = _connect(port, 6)
        assert {_served_by(port, c, workers) for c in newcomers} == {first}  # the fewest open
        clients += newcomers

        os.kill(first, signal.SIGKILL)  # a worker dies: another takes its place and, once ready, connections
        _until(lambda: first not in _children(server.pid) and len(_workers(server.pid)) == WORKERS, "not replaced")
        replacement = next(pid for pid in _workers(server.pid) if pid not in workers)
        now = [pid for pid in workers if pid != first] + [replacement]
        served: list[int] = []

        def reaches_replacement() -> bool:
            clients.extend(_connect(port, 1))
            served.append(_served_by(port, clients[-1], now))
            return served[-1] == replacement

        _until(reaches_replacement, "no connection reached the new worker")
        later = _connect(port, 3)
        clients += later
        assert {_served_by(port, c, now) for c in later} == {replacement}  # it holds the fewest

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert not _children(server.pid)
    finally:
        for client in clients:
            client.close()
        if server.poll() is None:
            server.kill()
