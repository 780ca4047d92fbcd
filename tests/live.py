"""A real yima server in a subprocess, as ``make run`` starts it: for the browser tests and the
API fuzzing, which must see the whole stack (uvicorn, the console, the real database)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    log: Path | None = None

    def yima(self, *args: str) -> str:
        """Run a ``yima`` CLI command against the server's database; return its stdout."""
        result = subprocess.run(
            [sys.executable, "-m", "yima", *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, f"yima {' '.join(args)} failed: {result.stderr}"
        return result.stdout

    def sms_code(self, phone_number: str) -> str:
        """The last SMS code sent to the phone, read from the development SMS sink's log line."""
        assert self.log is not None
        masked = f"{phone_number[:3]}****{phone_number[-4:]}"
        codes = re.findall(rf"code (\d{{6}}) for \+?8?6?{re.escape(masked)}", self.log.read_text())
        assert codes, "the development SMS sink logged no code for the phone"
        return codes[-1]

    def bearer(self, tenant: str, scopes: list[str]) -> dict[str, str]:
        """An API client's access token for the tenant, as the Authorization header."""
        creds = self.client_credentials(tenant, scopes)
        data = {"grant_type": "client_credentials", **creds}
        response = httpx.post(f"{self.url}/oauth/token", data=data, timeout=10)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def client_credentials(self, tenant: str, scopes: list[str]) -> dict[str, str]:
        scope_args = [arg for scope in scopes for arg in ("--scope", scope)]
        out = self.yima("client", "create", "--tenant", tenant, "--name", "tests", *scope_args, "--json")
        return dict(json.loads(out))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(database_url: str, data_dir: Path) -> Iterator[LiveServer]:
    env = {
        **os.environ,
        "YIMA_DATABASE_URL": database_url,
        "YIMA_DATA_DIR": str(data_dir),
        "YIMA_RUN_WORKER_INLINE": "true",
        "YIMA_LOG_LEVEL": "INFO",  # the development SMS sink's codes are read from the log
    }
    env.pop("YIMA_SECRET_KEY", None)
    port = _free_port()
    server = LiveServer(f"http://127.0.0.1:{port}", env, data_dir / "server.log")
    server.yima("migrate")
    server.yima("demo")
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "yima", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {(data_dir / 'server.log').read_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
