"""Several server processes on one port, each with its own listening socket (SO_REUSEPORT).

uvicorn's own ``workers=N`` shares one listening socket: a worker woken by a burst of
connections accepts all of them, so keep-alive clients (a proxy's upstream pool, a load
generator) can end up on one process while the others idle — measured here: one worker at 9 CPU
seconds in 10, the other at 0.1. With a socket per process the kernel spreads new connections
over them by their addresses. The parent starts the processes, starts again one that dies, and
stops them on SIGINT or SIGTERM (each then finishes its requests, as uvicorn's workers do).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import signal
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

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
    run(uvicorn.Config(app, host=host, port=port, **options), sockets=[sock])


# Allocations between young collections (CPython's default: 700). A request in flight holds
# thousands of objects for tens of milliseconds; at 700 each young collection finds those alive,
# walks them and promotes them, and the older generations fill with garbage that only a full
# collection frees.
YOUNG_COLLECTION_EVERY = 20_000


def run(config: uvicorn.Config, sockets: list[socket.socket] | None = None) -> None:
    """Serve ``config``'s app in this process, the cycle collector tuned for a server.

    The app is built first, and what exists then (modules, mappers, models, routes: some 280,000
    objects, alive for the process's life) is frozen out of the collector's reach. Measured under
    bench/scan.py's load, in the scan phase: full collections walked them all, each a pause of
    about 0.16 s; with the defaults the collector took 18 % of the workers' CPU, 7 % after the
    freeze, under 3 % with young collections every 20,000 allocations."""
    config.load()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=sockets)
    if not server.started:  # the app's startup failed: say so, as uvicorn.run does
        sys.exit(STARTUP_FAILURE)


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
