"""``yima serve --workers N``: each process listens on its own socket, so connections opened at
once spread over them; one that dies is started again, and SIGTERM stops them all
(platform/web/workers.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.live import _free_port

WORKERS = 2
CONNECTIONS = 24
_ESTABLISHED, _LISTEN = "01", "0A"  # /proc/net/tcp's states


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


def _accepted_on(port: int) -> dict[str, int]:
    """Established connections to ``port`` on the server side, by socket inode."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, state, inode = int(fields[1].split(":")[1], 16), fields[3], fields[9]
        if local_port == port and state == _ESTABLISHED:
            found[inode] = port
    return found


def _wait_listening(port: int, sockets: int) -> None:
    """Until ``sockets`` sockets listen on ``port`` (each worker binds its own when it is ready)."""
    for _ in range(600):
        rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
        if sum(1 for f in rows if int(f[1].split(":")[1], 16) == port and f[3] == _LISTEN) == sockets:
            return
        time.sleep(0.1)
    raise AssertionError(f"not {sockets} sockets listening on {port}")


def test_connections_spread_over_the_workers_a_dead_one_is_replaced_and_sigterm_stops_them(tmp_path: Path) -> None:
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
        _wait_listening(port, WORKERS)
        workers = [pid for pid in _children(server.pid) if Path(f"/proc/{pid}/cmdline").read_bytes()]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNECTIONS)]  # a burst
        time.sleep(1.0)
        accepted = _accepted_on(port)
        per_worker = [len(_socket_inodes(pid) & accepted.keys()) for pid in workers]
        assert sum(per_worker) == CONNECTIONS
        assert sum(1 for n in per_worker if n > 0) == WORKERS  # every worker took some
        for client in clients:
            client.close()
        killed = next(pid for pid, n in zip(workers, per_worker, strict=True) if n > 0)
        os.kill(killed, signal.SIGKILL)  # a worker dies: another takes its place
        for _ in range(300):
            children = _children(server.pid)
            if killed not in children and set(children) - set(workers):
                break
            time.sleep(0.1)
        assert killed not in children and set(children) - set(workers), "no worker replaced the dead one"
        _wait_listening(port, WORKERS)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert not _children(server.pid)
    finally:
        for client in clients:
            client.close()
        if server.poll() is None:
            server.kill()
