"""Codes at scale: generate and export a batch, against a row-per-code system doing the same.

yima: one row for the batch; the print file (tokens, 防伪码, CSV, sealed package) is computed
from the brand key. Baseline, in the same run on the same PostgreSQL: generate the same number of
random codes, COPY them into a code table whose unique index stays in place (as a live table's
must), and export them the same way (the same CSV, sealed the same way). The baseline is given
one row per unit holding both faces and the 防伪码 (a real row-per-code system stores one row
per printed code, twice as many): the comparison is conservative.

Also: tokens decoded per second on one core, and a million random and mutated tokens (bit flips,
truncations, other brands' keys) of which none may be accepted. The last line is one JSON object.

    .venv/bin/python tools/pgtest.py -- .venv/bin/python bench/codes.py [--count N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from bench._pg import connect, fresh_database
from yima import contexts
from yima.codes import service as codes
from yima.codes.package import PackageWriter, new_key
from yima.codes.printfiles import HEADER
from yima.codes.schemas import BatchCreate, SupplierCreate
from yima.codes.tokens import ALPHABET, TOKEN_LENGTH, Face, TokenCodec
from yima.identity import service as identity
from yima.identity.permissions import cli_context
from yima.identity.schemas import TenantCreate
from yima.platform.db import migrations
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner

CODE_TABLES = ("code_batches", "code_exports", "code_namespaces", "code_suppliers", "jobs")


def _rss_mb() -> float:
    """Peak resident memory of this process plus the largest worker it spawned (an upper bound
    of what the export needs at once)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers) / 1024


async def yima_generate_export(url: str, count: int) -> dict[str, float]:
    db = Database(url)
    try:
        async with cli_context(db) as ctx:
            await identity.create_tenant(ctx, TenantCreate(slug="bench", name="Bench 酒业"))
        async with cli_context(db, "bench") as ctx:
            supplier = await codes.create_supplier(ctx, SupplierCreate(name="盖厂", kind="cap_factory"))
        started = time.perf_counter()
        async with cli_context(db, "bench") as ctx:
            batch = await codes.create_batch(ctx, BatchCreate(level="bottle", quantity=count, supplier_id=supplier.id))
        await Runner(db, identity.tenant_info).drain()
        elapsed = time.perf_counter() - started
        async with cli_context(db, "bench") as ctx:
            [export] = await codes.list_exports(ctx, batch.id)
        if export.state != "ready":
            raise SystemExit(f"export did not finish: {export.state} {export.error}")
    finally:
        await db.dispose()
    connection = await connect(url)
    try:
        db_bytes = sum([await connection.fetchval("SELECT pg_total_relation_size($1)", t) for t in CODE_TABLES])
    finally:
        await connection.close()
    return {
        "generate_export_s": round(elapsed, 2),
        "codes_per_s": round(count / elapsed),
        "peak_rss_mb": round(_rss_mb(), 1),
        "db_bytes_per_code": round(db_bytes / count, 4),
        "package_bytes": export.size_bytes,
    }


def _random_codes(rng: np.random.Generator, n: int, length: int, alphabet: bytes) -> np.ndarray:
    table = np.frombuffer(alphabet, dtype=np.uint8)
    return np.take(table, rng.integers(0, len(alphabet), size=(n, length), dtype=np.uint8) % len(alphabet))


async def baseline(url: str, count: int, out_dir: Path) -> dict[str, float]:
    """What a row-per-code system pays to make the same batch ready to print."""
    connection = await connect(url)
    chunk = 250_000
    rng = np.random.default_rng(1)
    prefix = b"HTTP://127.0.0.1:8000/C/"
    try:
        await connection.execute(
            "CREATE TABLE baseline_codes (serial bigint NOT NULL, outer_code text NOT NULL, "
            "inner_code text NOT NULL, anti_fake text NOT NULL)"
        )
        await connection.execute("CREATE UNIQUE INDEX baseline_codes_inner ON baseline_codes (inner_code)")
        started = time.perf_counter()
        for start in range(0, count, chunk):
            n = min(chunk, count - start)
            outer = _random_codes(rng, n, TOKEN_LENGTH, ALPHABET.encode())
            inner = _random_codes(rng, n, TOKEN_LENGTH, ALPHABET.encode())
            anti = _random_codes(rng, n, 12, b"0123456789")
            records = [
                (start + i + 1, o, c, a)
                for i, (o, c, a) in enumerate(
                    zip(
                        outer.view("S20").ravel().astype(str),
                        inner.view("S20").ravel().astype(str),
                        anti.view("S12").ravel().astype(str),
                        strict=True,
                    )
                )
            ]
            await connection.copy_records_to_table("baseline_codes", records=records)
        package = out_dir / "baseline.ymp"
        with package.open("wb") as sink:
            writer = PackageWriter(sink, new_key(), "baseline.csv", "text/csv")
            writer.write(HEADER)
            query = (
                "SELECT lpad(serial::text, 12, '0') || ',' || $p$" + prefix.decode() + "$p$ || outer_code || ',' || "
                "outer_code || ',' || $p$" + prefix.decode() + "$p$ || inner_code || ',' || inner_code || ',' || "
                "anti_fake FROM baseline_codes ORDER BY serial"
            )
            await connection.copy_from_query(query, output=lambda data: _write(writer, data), format="text")
            writer.close()
        elapsed = time.perf_counter() - started
        table_bytes = await connection.fetchval("SELECT pg_total_relation_size('baseline_codes')")
    finally:
        await connection.close()
    return {"baseline_s": round(elapsed, 2), "baseline_db_bytes_per_code": round(table_bytes / count, 1)}


async def _write(writer: PackageWriter, data: bytes) -> None:
    writer.write(data)


def decode_rate(total: int = 300_000) -> float:
    codec = TokenCodec("A7K", os.urandom(32))
    tokens = [codec.encode(i, Face.INNER) for i in range(1, total + 1)]
    decode = codec.decode
    started = time.perf_counter()
    for token in tokens:
        decode(token)
    return total / (time.perf_counter() - started)


def forged_accepted(total: int = 1_000_000) -> int:
    """Random and mutated tokens the codec accepts (must be none)."""
    rng = random.Random(11)
    codec = TokenCodec("A7K", os.urandom(32))
    other_key = TokenCodec("A7K", os.urandom(32))
    accepted = 0
    for i in range(total):
        kind = i % 5
        genuine = codec.encode(rng.randrange(1, 10**12), Face(rng.randrange(2)))
        if kind == 0:  # random guess with the right prefix
            candidate = "A7K" + "".join(rng.choice(ALPHABET) for _ in range(17))
        elif kind == 1:  # one bit of one character flipped
            pos = rng.randrange(3, TOKEN_LENGTH)
            flipped = ALPHABET[ALPHABET.index(genuine[pos]) ^ (1 << rng.randrange(5))]
            candidate = genuine[:pos] + flipped + genuine[pos + 1 :]
        elif kind == 2:  # truncated or extended
            candidate = genuine[: rng.randrange(3, TOKEN_LENGTH)] + ("" if rng.random() < 0.5 else "0")
        elif kind == 3:  # made with another brand's key, under this prefix
            candidate = other_key.encode(rng.randrange(1, 10**12), Face.INNER)
        else:  # two characters swapped
            pos = rng.randrange(3, TOKEN_LENGTH - 1)
            candidate = genuine[:pos] + genuine[pos + 1] + genuine[pos] + genuine[pos + 2 :]
        if candidate != genuine and codec.decode(candidate) is not None:
            accepted += 1
    return accepted


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000_000)
    parser.add_argument("--forgeries", type=int, default=1_000_000)
    args = parser.parse_args()
    contexts.load()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["YIMA_DATA_DIR"] = tmp
        url = await fresh_database("codes")
        await asyncio.to_thread(migrations.upgrade, url)
        ours = await yima_generate_export(url, args.count)
        theirs = await baseline(url, args.count, Path(tmp))
    result = {
        "count": args.count,
        **ours,
        **theirs,
        "ratio_vs_row_per_code": round(theirs["baseline_s"] / ours["generate_export_s"], 1),
        "decode_per_s": round(decode_rate()),
        "forged_tested": args.forgeries,
        "forged_accepted": forged_accepted(args.forgeries),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
