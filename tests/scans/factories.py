"""Factories for scans: a scanned code, and the objects the route harnesses point at."""

from __future__ import annotations

from tests.codes.factories import activated_batch
from tests.identity.factories import system
from yima.codes import service as codes
from yima.codes.tokens import Face
from yima.platform.db.session import Database
from yima.scans import service as scans
from yima.scans.schemas import CodePage


async def code_url(db: Database, slug: str, serial: int, face: Face = Face.INNER) -> str:
    async with system(db, slug) as ctx:
        return "https://scan.example.cn/c/" + (await codes.codec(ctx)).encode(serial, face)


async def scan(db: Database, url: str, user_agent: str = "pytest") -> CodePage:
    async with system(db, None) as ctx:  # bound to no brand, as a public request is
        ctx.ip = "203.0.113.7"
        return await scans.open_code(ctx, url, user_agent)


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    batch, _ = await activated_batch(db, slug, quantity=2)
    await scan(db, await code_url(db, slug, batch.first_serial), user_agent=f"{marker} phone")
    return {}, [f"{marker} phone"]
