"""Several server processes on one port: the parent accepts, each connection goes to the worker
that holds the fewest.

Keep-alive clients (a proxy's upstream pool, a load generator) open their connections once and
keep them, so how they are spread at connect time decides each worker's share of the requests
for as long as they last. uvicorn's own ``workers=N`` shares one listening socket: a worker woken
by a burst accepts all of it (measured here: one worker at 9 CPU seconds in 10, the other at
0.1). A socket per worker (SO_REUSEPORT) lets the kernel spread them by a hash of their
addresses: bench/scan.py's 32 connections came out 20/12 in one run, and with both workers
equally busy the one holding 20 answers each request later by as much. So the parent alone
listens, accepts, and hands each connection (its file descriptor, over a Unix socket pair:
SCM_RIGHTS) to the ready worker with the fewest open; a worker tells the parent when it is ready
and when a connection closes (the count lags a close by the moment the worker takes to see it).
The parent takes no part in the requests themselves. It also starts again a worker that dies and
stops them all on SIGINT or SIGTERM (each then finishes its requests, as uvicorn's workers do);
a worker whose parent is gone stops too.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import multiprocessing
import multiprocessing.connection
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from yima.platform.logging import configure_logging
from yima.settings import get_settings

# worker → parent notices, one a message
READY, CLOSED = b"r", b"x"
# How long the parent waits for every worker to be ready before it starts handing connections to
# the ready ones: a burst taken before then would all go to the first worker up.
ALL_READY_WITHIN_S = 60.0


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _serve_one(app: str, host: str, port: int, options: dict[str, Any], channel: socket.socket) -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    run(uvicorn.Config(app, host=host, port=port, **options), channel=channel)


# Allocations between young collections (CPython's default: 700). A request in flight holds
# thousands of objects for tens of milliseconds; at 700 each young collection finds those alive,
# walks them and promotes them, and the older generations fill with garbage that only a full
# collection frees.
YOUNG_COLLECTION_EVERY = 20_000


def run(config: uvicorn.Config, channel: socket.socket | None = None) -> None:
    """Serve ``config``'s app in this process, the cycle collector tuned for a server; with
    ``channel``, on the connections the parent hands over it instead of a socket of its own.

    The app is built first, and what exists then (modules, mappers, models, routes: some 280,000
    objects, alive for the process's life) is frozen out of the collector's reach. Measured under
    bench/scan.py's load, in the scan phase: full collections walked them all, each a pause of
    about 0.16 s; with the defaults the collector took 18 % of the workers' CPU, 7 % after the
    freeze, under 3 % with young collections every 20,000 allocations."""
    config.load()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
    server = uvicorn.Server(config) if channel is None else HandedServer(config, channel)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:  # the app's startup failed: say so, as uvicorn.run does
        sys.exit(STARTUP_FAILURE)


class HandedServer(uvicorn.Server):
    """A uvicorn server without a listening socket of its own: it serves the connections whose
    file descriptors arrive on ``channel``, and says on it when it is ready and when each closes."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel
        self._opening: set[asyncio.Task[None]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app's lifespan; no listener
        protocol = _telling_when_closed(self.config.http_protocol_class, self._closed)
        factory = functools.partial(protocol, config=self.config, server_state=self.server_state,
                                    app_state=self.lifespan.state)  # fmt: skip
        self.channel.setblocking(False)
        asyncio.get_running_loop().add_reader(self.channel.fileno(), self._take, factory)
        self._tell(READY)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().remove_reader(self.channel.fileno())
        await super().shutdown(sockets)

    def _take(self, factory: Any) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self.channel, 1, 1, socket.MSG_CMSG_CLOEXEC)
            except BlockingIOError:
                return
            if not message and not fds:  # the parent is gone: stop, as on SIGTERM
                loop.remove_reader(self.channel.fileno())
                self.should_exit = True
                return
            if not fds:  # dropped on the way (this process is out of descriptors): not open here
                self._closed()
            for fd in fds:
                task = loop.create_task(self._open(factory, socket.socket(fileno=fd)))
                self._opening.add(task)
                task.add_done_callback(self._opening.discard)

    async def _open(self, factory: Any, sock: socket.socket) -> None:
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().connect_accepted_socket(factory, sock)
        except OSError:  # closed by the client before it could be served
            sock.close()
            self._closed()

    def _closed(self) -> None:
        self._tell(CLOSED)

    def _tell(self, notice: bytes) -> None:
        with contextlib.suppress(OSError):  # the parent is gone: nobody to tell
            self.channel.send(notice)


def _telling_when_closed(protocol: type[asyncio.Protocol], closed: Callable[[], None]) -> Any:
    """``protocol`` (uvicorn's HTTP protocol class) calling ``closed()`` when its connection ends."""

    class Telling(protocol):  # type: ignore[valid-type,misc]
        def connection_lost(self, exc: Exception | None) -> None:
            try:
                super().connection_lost(exc)
            finally:
                closed()

    return Telling


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    channel: socket.socket  # the parent's end
    ready: bool = False
    gone: bool = False  # its end of the channel is closed
    open: int = 0  # connections handed to it and not yet closed

    def read_notices(self) -> None:
        while not self.gone:
            try:
                notice = self.channel.recv(16)
            except BlockingIOError:
                return
            except OSError:
                notice = b""
            if notice == READY:
                self.ready = True
            elif notice == CLOSED:
                self.open -= 1
            elif not notice:
                self.gone, self.ready = True, False


def _hand_over(listening: socket.socket, workers: list[_Worker]) -> None:
    """Accept what is waiting and give each connection to the ready worker with the fewest open."""
    while True:
        try:
            connection, _ = listening.accept()
        except BlockingIOError:
            return
        except OSError:  # e.g. the client reset it while it waited
            continue
        with connection:
            if connection.family in (socket.AF_INET, socket.AF_INET6):
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for worker in sorted((w for w in workers if w.ready), key=lambda w: w.open):
                try:
                    socket.send_fds(worker.channel, [b"c"], [connection.fileno()])
                except OSError:  # full (a stuck worker) or gone: the next one
                    continue
                worker.open += 1
                break


def serve(app: str, host: str, port: int, workers: int, **options: Any) -> None:
    """Run ``app`` (a uvicorn import string) in ``workers`` processes on ``host:port``; one that
    dies is started again, until SIGINT or SIGTERM."""
    listening = _listening_socket(host, port)  # fails here when the port is taken
    spawn = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        process = spawn.Process(target=_serve_one, args=(app, host, port, options, theirs))
        process.start()
        theirs.close()
        ours.setblocking(False)
        return _Worker(process, ours)

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for worker in pool:
            if worker.process.is_alive():
                worker.process.terminate()  # SIGTERM: uvicorn shuts down gracefully

    pool = [start() for _ in range(workers)]
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    started = time.monotonic()
    handing = False  # once every worker was ready (or the wait ran out), for good
    while not stopping:
        handing = handing or all(w.ready for w in pool) or time.monotonic() - started > ALL_READY_WITHIN_S
        waiting: list[Any] = [w.channel for w in pool if not w.gone] + [w.process.sentinel for w in pool]
        if handing and any(w.ready for w in pool):
            waiting.append(listening)
        ready = multiprocessing.connection.wait(waiting, timeout=1.0)
        for worker in pool:
            if worker.channel in ready:
                worker.read_notices()
        if listening in ready and not stopping:
            _hand_over(listening, pool)
        if not stopping:
            pool = [w if w.process.is_alive() else _replaced(w, start) for w in pool]
    listening.close()
    for worker in pool:
        worker.process.join()
        worker.channel.close()


def _replaced(worker: _Worker, start: Callable[[], _Worker]) -> _Worker:
    worker.process.join()
    worker.channel.close()  # the connections still in it are closed with it
    return start()
