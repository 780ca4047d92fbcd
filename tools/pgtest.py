"""Run a command against a throwaway PostgreSQL server.

    python tools/pgtest.py -- pytest       # the command gets YIMA_TEST_DATABASE_URL
    python tools/pgtest.py --keep-running  # print the URL and serve until Ctrl-C

Standard library only, so it works before and apart from the project's dependencies.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

TOOLS = ("initdb", "pg_ctl", "postgres", "pg_isready", "createdb")
DATABASE = "yima_test"
SUPERUSER = "postgres"
HOST = "127.0.0.1"
START_TIMEOUT = 60.0


class PgTestError(Exception):
    pass


class Terminated(Exception):
    pass


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def is_root() -> bool:
    return os.geteuid() == 0


def run(cmd: Sequence[str], what: str) -> None:
    result = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if result.returncode != 0:
        raise PgTestError(f"{what} failed:\n{result.stdout}{result.stderr}")


def candidate_bindirs() -> list[Path]:
    dirs: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], check=False, capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            dirs.append(Path(out.stdout.strip()))
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    versioned = [p for p in versions if p.parent.name.isdigit()]
    dirs.extend(sorted(versioned, key=lambda p: int(p.parent.name), reverse=True))
    initdb = shutil.which("initdb")
    if initdb:
        # Resolve symlinks so the sibling tools of that installation are found.
        dirs.append(Path(initdb).resolve().parent)
    return dirs


def find_tools() -> dict[str, str] | None:
    """The server tools, from the first installation that has a server."""
    for bindir in candidate_bindirs():
        if not ((bindir / "initdb").is_file() and (bindir / "postgres").is_file()):
            continue
        tools: dict[str, str] = {}
        for name in TOOLS:
            path = bindir / name
            found = str(path) if path.is_file() else shutil.which(name)
            if found:
                tools[name] = found
        if len(tools) == len(TOOLS):
            return tools
    return None


def as_root(cmd: list[str]) -> list[str]:
    if is_root():
        return cmd
    if shutil.which("sudo"):
        return ["sudo", *cmd]
    raise PgTestError(f"need root or sudo to run: {' '.join(cmd)}")


def install_postgresql() -> None:
    print("pgtest: no PostgreSQL server found; installing it", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(as_root(["apt-get", "update"]), check=True, env=env)
    install = ["apt-get", "install", "-y", "postgresql"]
    subprocess.run(as_root(install), check=True, env=env)


def ensure_system_user() -> None:
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError:
        useradd = ["useradd", "--system", "--no-create-home"]
        run([*useradd, "--shell", "/usr/sbin/nologin", SUPERUSER], "useradd")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


class Server:
    def __init__(self, tools: dict[str, str]) -> None:
        self.tools = tools
        self.root = Path(tempfile.mkdtemp(prefix="yima-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        # PostgreSQL refuses to run as root, so then it runs as the postgres user.
        self.as_owner: list[str] = []
        if is_root():
            ensure_system_user()
            shutil.chown(self.root, SUPERUSER, SUPERUSER)
            self.as_owner = ["runuser", "-u", SUPERUSER, "--"]

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@{HOST}:{self.port}/{DATABASE}"

    def start(self) -> None:
        t = self.tools
        data = str(self.data)
        initdb = [t["initdb"], "-D", data, "-U", SUPERUSER, "--auth=trust"]
        initdb += ["--encoding=UTF8", "--locale=C", "--no-sync"]
        run([*self.as_owner, *initdb], "initdb")
        self.port = free_port()
        settings = {
            "listen_addresses": HOST,
            "unix_socket_directories": str(self.root),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
        }
        postgres = [t["postgres"], "-D", data, "-p", str(self.port)]
        for name, value in settings.items():
            postgres += ["-c", f"{name}={value}"]
        with self.log.open("wb") as log:
            # A session of its own keeps a terminal's Ctrl-C away from the server,
            # which must outlive the command under test.
            self.process = subprocess.Popen(
                [*self.as_owner, *postgres],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready(self.process)
        run([t["createdb"], *self.conn_args(), DATABASE], "createdb")

    def conn_args(self) -> list[str]:
        return ["-h", HOST, "-p", str(self.port), "-U", SUPERUSER]

    def wait_ready(self, process: subprocess.Popen[bytes]) -> None:
        isready = [self.tools["pg_isready"], "-q", *self.conn_args(), "-t", "2"]
        deadline = time.monotonic() + START_TIMEOUT
        while subprocess.run(isready, check=False).returncode != 0:
            if process.poll() is not None:
                code = process.returncode
                tail = log_tail(self.log)
                raise PgTestError(f"postgres exited with code {code}:\n{tail}")
            if time.monotonic() > deadline:
                waited = f"{START_TIMEOUT:.0f}s"
                tail = log_tail(self.log)
                raise PgTestError(f"postgres not ready in {waited}:\n{tail}")
            time.sleep(0.1)

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            stop = [self.tools["pg_ctl"], "stop", "-s", "-D", str(self.data)]
            stop += ["-m", "immediate"]
            subprocess.run([*self.as_owner, *stop], check=False)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def run_command(command: Sequence[str], url: str) -> int:
    env = {**os.environ, "YIMA_TEST_DATABASE_URL": url}
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as exc:
        raise PgTestError(f"cannot run {command[0]}: {exc}") from exc
    try:
        return child.wait()
    except (KeyboardInterrupt, Terminated) as exc:
        # A terminal's Ctrl-C reached the child too; a SIGTERM only reached us.
        if isinstance(exc, Terminated):
            child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        raise


def parse_args(argv: list[str]) -> tuple[bool, list[str]]:
    parser = argparse.ArgumentParser(
        prog="pgtest.py",
        usage="%(prog)s (--keep-running | -- command ...)",
        description="Run a command with YIMA_TEST_DATABASE_URL set to a database "
        "on a temporary PostgreSQL server.",
    )
    parser.add_argument("--keep-running", action="store_true", help="print the URL, serve until Ctrl-C")
    command: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, command = argv[:split], argv[split + 1 :]
    keep_running: bool = parser.parse_args(argv).keep_running
    if bool(command) == keep_running:
        parser.error("give either --keep-running or -- command ...")
    return keep_running, command


def main(argv: list[str] | None = None) -> int:
    keep_running, command = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    server: Server | None = None
    try:
        tools = find_tools()
        if tools is None:
            install_postgresql()
            tools = find_tools()
        if tools is None:
            raise PgTestError("no PostgreSQL server binaries found")
        server = Server(tools)
        server.start()
        if not keep_running:
            return run_command(command, server.url)
        print(f"YIMA_TEST_DATABASE_URL={server.url}", flush=True)
        print("pgtest: server running; Ctrl-C stops it", file=sys.stderr)
        while True:
            time.sleep(3600)
    except PgTestError as exc:
        print(f"pgtest: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Terminated:
        return 143
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
