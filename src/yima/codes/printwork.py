"""Building big print files on every core: worker processes compute CSV chunks (tokens, 防伪码,
rows) while the job's process seals and writes them in order.

The brand key reaches the workers through the process pool's initializer pipe only. Processes
are spawned (not forked), so no thread, socket or lock of the server is copied into them.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import deque
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np

from yima.codes import printfiles
from yima.codes.tokens import TokenCodec

CHUNK = 250_000
# Below this a pool costs more to start than it saves.
POOL_THRESHOLD = 1_000_000

_worker_codec: TokenCodec | None = None


def _init_worker(prefix: str, key: bytes) -> None:
    global _worker_codec
    _worker_codec = TokenCodec(prefix, key)


def _rows(first: int, last: int, faces: Sequence[str], url_prefix: str) -> bytes:
    assert _worker_codec is not None
    serials = np.arange(first, last + 1, dtype=np.uint64)
    return bytes(printfiles.csv_rows(_worker_codec, serials, faces, url_prefix))


async def csv_chunks(
    codec: TokenCodec, key: bytes, first: int, last: int, faces: Sequence[str], url_prefix: str
) -> AsyncIterator[tuple[int, bytes | memoryview]]:
    """(units done so far, rows) in serial order, computed in a process pool for big batches and
    in a thread otherwise, so the event loop keeps serving meanwhile."""
    bounds = [(start, min(start + CHUNK - 1, last)) for start in range(first, last + 1, CHUNK)]
    workers = min(os.cpu_count() or 1, 4)
    if last - first + 1 < POOL_THRESHOLD or workers < 2:
        for low, high in bounds:
            serials = np.arange(low, high + 1, dtype=np.uint64)
            yield high - first + 1, await asyncio.to_thread(printfiles.csv_rows, codec, serials, faces, url_prefix)
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(codec.prefix, key))
    with pool:
        pending: deque[tuple[int, Future[bytes]]] = deque()
        for low, high in bounds:
            pending.append((high, pool.submit(_rows, low, high, list(faces), url_prefix)))
            if len(pending) >= 2 * workers:  # bounded look-ahead keeps memory flat
                yield await _next(pending, first)
        while pending:
            yield await _next(pending, first)


async def _next(pending: deque[tuple[int, Future[bytes]]], first: int) -> tuple[int, bytes]:
    done_high, future = pending.popleft()
    rows: bytes = await asyncio.wrap_future(future)
    return done_high - first + 1, rows
