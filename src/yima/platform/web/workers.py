"""Several server processes on one port, each with its own listening socket (SO_REUSEPORT).

uvicorn's own ``workers=N`` shares one listening socket: a worker woken by a burst of
connections accepts all of them, so keep-alive clients (a proxy's upstream pool, a load
generator) can end up on one process while the others idle — measured here: one worker at 9 CPU
seconds in 10, the other at 0.1. With a socket per process the kernel spreads new connections
over them by their addresses. The parent starts the processes, starts again one that dies, and
stops them on SIGINT or SIGTERM (each then finishes its requests, as uvicorn's workers do).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import socket
from typing import Any

import uvicorn

from yima.platform.logging import configure_logging
from yima.settings import get_settings


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _serve_one(app: str, host: str, port: int, options: dict[str, Any]) -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    sock = _listening_socket(host, port)
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, **options)).run(sockets=[sock])


def serve(app: str, host: str, port: int, workers: int, **options: Any) -> None:
    """Run ``app`` (a uvicorn import string) in ``workers`` processes on ``host:port``; one that
    dies is started again, until SIGINT or SIGTERM."""
    _listening_socket(host, port).close()  # fail here, not in every child, when the port is taken
    spawn = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> multiprocessing.process.BaseProcess:
        process = spawn.Process(target=_serve_one, args=(app, host, port, options))
        process.start()
        return process

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn shuts down gracefully

    processes = [start() for _ in range(workers)]
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        multiprocessing.connection.wait([p.sentinel for p in processes], timeout=1.0)
        if not stopping:
            processes = [p if p.is_alive() else start() for p in processes]
    for process in processes:
        process.join()
