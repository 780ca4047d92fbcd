"""Legacy imports: a previous vendor's codes keep their printed strings and map to our units."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import subprocess
import sys
import tracemalloc
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from tests.catalog.factories import create_product, workbook
from tests.codes.factories import create_supplier, legacy_import
from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.live import LiveServer
from yima.codes import service as codes
from yima.codes.models import LegacyCode
from yima.codes.schemas import ActivationCreate, BatchFilter, LegacyImportCreate, UnpackRequest
from yima.codes.service import legacy
from yima.codes.tokens import Face
from yima.identity import service as identity
from yima.platform.db.session import Database
from yima.platform.outbox import service as jobs
from yima.platform.outbox.models import Job
from yima.platform.outbox.runner import Runner

OLD_URL = "https://old.vendor.cn/q?c=000{}"


async def legacy_rows(db: Database, slug: str) -> list[tuple[str, int, str]]:
    async with system(db, slug) as ctx:
        rows = await ctx.session.execute(select(LegacyCode.code, LegacyCode.serial, LegacyCode.face))
        return sorted((c, s, f) for c, s, f in rows.all())


async def batch_count(db: Database, slug: str) -> int:
    async with system(db, slug) as ctx:
        return len(await codes.list_batches(ctx, BatchFilter(), 100, None))


class TestImport:
    async def test_a_csv_imports_and_its_codes_resolve_inactive_until_activated(self, db: Database) -> None:
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme", name="旧码商")
        content = f"code,face\n{OLD_URL.format(1)},inner\nOLD-0002,外码\n老码-0003,\n".encode()
        done = await legacy_import(db, "acme", content, "old.csv", supplier)
        assert (done.state, done.rows_total, done.rows_done, done.problem_count) == ("done", 3, 3, 0)
        assert done.batch_id is not None and done.finished_at is not None
        async with system(db, "acme") as ctx:
            batch = await codes.get_batch(ctx, done.batch_id)
            assert (batch.legacy, batch.state, batch.quantity, batch.faces) == (True, "received", 3, ["outer", "inner"])
            found = await codes.resolve(ctx, OLD_URL.format(1))
            assert (found.input_kind, found.serial, found.level, found.face, found.state) == (
                "legacy",
                batch.first_serial,
                "bottle",
                "inner",
                "inactive",
            )
            assert (await codes.resolve(ctx, "OLD-0002")).face == "outer"
            assert (await codes.resolve(ctx, " 老码-0003 ")).serial == batch.first_serial + 2
        product = await create_product(db, "acme")
        async with system(db, "acme") as ctx:
            await codes.activate(ctx, ActivationCreate(codes=[OLD_URL.format(1), "OLD-0002"], product_id=product.id))
            assert (await codes.resolve(ctx, OLD_URL.format(1))).state == "active"
            assert (await codes.resolve(ctx, "老码-0003")).state == "inactive"

    async def test_an_xlsx_imports_numbers_as_text(self, db: Database) -> None:
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme")
        content = workbook([[88000001, "outer"], ["XLS-2", None], [None, None]], header=["Code", "Face"])
        done = await legacy_import(db, "acme", content, "old.xlsx", supplier, level="case")
        assert (done.state, done.rows_total) == ("done", 2), done.problems
        async with system(db, "acme") as ctx:
            found = await codes.resolve(ctx, "88000001")
            assert (found.level, found.face, found.state) == ("case", "outer", "inactive")
            assert (await codes.resolve(ctx, "XLS-2")).face == "inner"

    async def test_problems_are_reported_by_line_and_nothing_is_applied(self, db: Database) -> None:
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme")
        await legacy_import(db, "acme", b"code\nTAKEN-1\n", "first.csv", supplier)
        before = (await legacy_rows(db, "acme"), await batch_count(db, "acme"))
        async with system(db, "acme") as ctx:
            brand = await codes.codec(ctx)
        lines = [
            "code,face",  # 1
            "A-1,inner",  # 2
            "A-2,sideways",  # 3: bad face
            ",inner",  # 4: empty code
            "A-1,outer",  # 5: repeats line 2
            "X" * 201,  # 6: too long
            brand.encode(7, Face.INNER),  # 7: one of our own tokens
            f"https://x.cn/01/06901234567892/21/{brand.encode(8, Face.OUTER)}",  # 8: our own Digital Link
            "",  # 9: blank, skipped
            "123456789012",  # 10: shaped like a 防伪码, but a legacy code may be
            "TAKEN-1",  # 11: imported before
            "A-3",  # 12
            "A-2",  # 13: repeats line 3 (whose face was bad, but whose code was fine)
        ]
        failed = await legacy_import(db, "acme", "\n".join(lines).encode(), "bad.csv", supplier)
        assert failed.state == "failed" and failed.batch_id is None, failed.problems
        assert [(p.line, p.field, p.code) for p in failed.problems] == [
            (3, "face", "bad_face"),
            (4, "code", "empty"),
            (5, "code", "duplicate"),
            (6, "code", "too_long"),
            (7, "code", "not_legacy"),
            (8, "code", "not_legacy"),
            (11, "code", "exists"),
        ]
        assert failed.problems[2].message == "repeats line 2"
        assert failed.problem_count == 7 and failed.rows_total == 11  # the blank line is no row
        assert (await legacy_rows(db, "acme"), await batch_count(db, "acme")) == before

    async def test_a_file_without_a_code_column_fails_as_a_whole(self, db: Database) -> None:
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme")
        failed = await legacy_import(db, "acme", b"serial,url\n1,x\n", "wrong.csv", supplier)
        assert [(p.line, p.code) for p in failed.problems] == [(1, "file")]

    async def test_gb18030_csv_from_excel(self, db: Database) -> None:
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme")
        done = await legacy_import(db, "acme", "code,face\n旧码-甲,内码\n".encode("gb18030"), "gbk.csv", supplier)
        assert done.state == "done"
        async with system(db, "acme") as ctx:
            assert (await codes.resolve(ctx, "旧码-甲")).face == "inner"

    async def test_a_code_shaped_like_ours_resolves_and_packs_as_legacy(self, db: Database) -> None:
        """A previous vendor's /c/ URL or 20-character string fails our decoding; it is still theirs."""
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme", name="旧码商")
        shaped = [
            "https://old.vendor.cn/c/ABCDEFGHJK0123456789",  # a /c/ URL
            "ABCDEFGHJK0123456789",  # a 20-character token
            "https://old.vendor.cn/01/12345/21/X",  # a broken Digital Link
            "1234-5678-9012",  # a 防伪码
        ]
        content = ("code\n" + "\n".join(shaped)).encode()
        done = await legacy_import(db, "acme", content, "old.csv", supplier, level="case")  # cases: unpackable
        assert done.state == "done", done.problems
        async with system(db, "acme") as ctx:
            found = [await codes.resolve(ctx, text) for text in shaped]
            assert {f.input_kind for f in found} == {"legacy"}
            assert len({f.serial for f in found}) == len(shaped)
            unpacked = await codes.unpack(ctx, UnpackRequest(codes=shaped))  # packing finds them too
            assert (unpacked.parents, unpacked.links_removed) == (len(shaped), 0)


class TestRuns:
    async def test_a_finished_import_does_nothing_when_run_again(self, db: Database) -> None:
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme")
        done = await legacy_import(db, "acme", b"code\nR-1\nR-2\n", "r.csv", supplier)
        before = (await legacy_rows(db, "acme"), await batch_count(db, "acme"))
        async with system(db, "acme") as ctx:
            await jobs.enqueue_job(ctx, legacy.JOB, {"import_id": done.id})
        await Runner(db, identity.tenant_info).drain()
        assert (await legacy_rows(db, "acme"), await batch_count(db, "acme")) == before
        async with system(db, "acme") as ctx:
            assert (await codes.get_legacy_import(ctx, done.id)).state == "done"

    async def test_a_worker_dying_mid_import_applies_nothing_and_the_retry_finishes(
        self, db: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme")
        monkeypatch.setattr(legacy, "CHUNK", 2)
        real_insert = legacy.repo.insert_legacy_codes
        calls = 0

        async def dies_on_second_chunk(*args: object) -> None:
            nonlocal calls
            calls += 1
            if calls == 2:
                raise asyncio.CancelledError  # not an Exception: nothing of ours handles it, as in a kill
            await real_insert(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(legacy.repo, "insert_legacy_codes", dies_on_second_chunk)
        data = LegacyImportCreate(level="bottle", supplier_id=supplier)
        async with system(db, "acme") as ctx:
            started = await codes.start_legacy_import(ctx, data, "k.csv", io.BytesIO(b"code\nK-1\nK-2\nK-3\nK-4\n"))
        with pytest.raises(asyncio.CancelledError):
            await Runner(db, identity.tenant_info).drain()
        assert await legacy_rows(db, "acme") == []
        async with system(db, "acme") as ctx:
            assert (await codes.get_legacy_import(ctx, started.id)).state == "importing"
            past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)  # its lease runs out
            await ctx.session.execute(update(Job).where(Job.id == started.job_id).values(locked_until=past))
        await Runner(db, identity.tenant_info).drain()
        async with system(db, "acme") as ctx:
            finished = await codes.get_legacy_import(ctx, started.id)
            assert finished.batch_id is not None
            batch = await codes.get_batch(ctx, finished.batch_id)
        assert finished.state == "done"
        assert await legacy_rows(db, "acme") == [(f"K-{i + 1}", batch.first_serial + i, "inner") for i in range(4)]

    async def test_a_large_file_streams_in_bounded_memory(self, db: Database, tmp_path: Path) -> None:
        """200,000 rows, ~16 MB: the import's peak allocation stays far below what holding the
        rows as Python objects would take (~45 MB)."""
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme")
        path = tmp_path / "large.csv"
        rows = 200_000
        with path.open("w") as out:
            out.write("code,face\n")
            for i in range(rows):
                out.write(f"https://old-vendor.example.cn/verify?code=LEGACY{i:010d}&batch=2019-Q3-LINE4,inner\n")
        data = LegacyImportCreate(level="bottle", supplier_id=supplier)
        async with system(db, "acme") as ctx:
            with path.open("rb") as source:
                started = await codes.start_legacy_import(ctx, data, path.name, source)
        tracemalloc.start()
        try:
            await Runner(db, identity.tenant_info).drain()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        async with system(db, "acme") as ctx:
            done = await codes.get_legacy_import(ctx, started.id)
            count = await ctx.session.scalar(select(func.count()).select_from(LegacyCode))
        assert (done.state, done.rows_total, count) == ("done", rows, rows)
        assert path.stat().st_size > 15_000_000
        assert peak < 25_000_000, f"peak {peak / 1e6:.1f} MB"  # measured ~16 MB, whatever the row count


class TestApi:
    async def test_upload_follow_and_read(self, db: Database, client: httpx.AsyncClient) -> None:
        await create_tenant(db, "acme")
        supplier = await create_supplier(db, "acme")
        headers = await bearer(client, await create_client(db, "acme", ["codes:read", "codes:write"]))
        sent = await client.post(
            "/api/v1/codes/legacy-imports",
            files={"file": ("old.csv", b"code\nAPI-1\nAPI-2\n", "text/csv")},
            data={"level": "bottle", "supplier_id": str(supplier), "face": "outer"},
            headers=headers,
        )
        assert sent.status_code == 202, sent.text
        assert (sent.json()["state"], sent.json()["default_face"]) == ("queued", "outer")
        await Runner(db, identity.tenant_info).drain()
        read = await client.get(f"/api/v1/codes/legacy-imports/{sent.json()['id']}", headers=headers)
        assert (read.json()["state"], read.json()["rows_done"]) == ("done", 2)
        found = await client.get("/api/v1/codes/resolve", params={"code": "API-2"}, headers=headers)
        assert (found.json()["face"], found.json()["state"]) == ("outer", "inactive")
        unknown = await client.post(
            "/api/v1/codes/legacy-imports",
            files={"file": ("old.csv", b"code\nX\n", "text/csv")},
            data={"level": "bottle", "supplier_id": "999999"},
            headers=headers,
        )
        assert unknown.status_code == 404
        missing = await client.get("/api/v1/codes/legacy-imports/999999", headers=headers)
        assert missing.status_code == 404


def test_the_cli_imports_with_progress_and_lists_problems(live: LiveServer, tmp_path: Path) -> None:
    credentials = live.client_credentials("demo", ["codes:read"])
    token = httpx.post(f"{live.url}/oauth/token", data={"grant_type": "client_credentials", **credentials}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    supplier = httpx.get(f"{live.url}/api/v1/codes/suppliers", headers=headers).json()[0]["id"]
    tag = uuid.uuid4().hex[:8]
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(f"code\nCLI-{tag}-1\nCLI-{tag}-2\nCLI-{tag}-3\n")
    bad.write_text(f"code\nCLI-{tag}-9\nCLI-{tag}-9\n")
    args = ("codes", "import-legacy", "--tenant", "demo", "--level", "bottle", "--supplier", str(supplier))
    imported = _yima(live, *args, str(good))
    assert imported.returncode == 0, imported.stderr
    assert "imported 3 codes into batch" in imported.stderr
    shown = json.loads(live.yima("codes", "show", "--tenant", "demo", f"CLI-{tag}-2"))
    assert (shown["input_kind"], shown["state"]) == ("legacy", "inactive")
    refused = _yima(live, *args, str(bad))
    assert refused.returncode == 1
    assert "1 problem(s); nothing imported" in refused.stderr and "line 3 code: repeats line 2" in refused.stderr


def _yima(live: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "yima", *args]
    return subprocess.run(command, env=live.env | {"COLUMNS": "200"}, capture_output=True, text=True, timeout=120)
