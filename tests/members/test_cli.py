"""``yima members …`` as a person runs it (a subprocess on a database of its own), and the demo
brand's members (idempotent)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import new_database_url
from tests.harness import delete_brand
from tests.identity.factories import create_tenant, system
from tests.members.factories import create_member, new_phone
from yima.members import demo
from yima.members import service as members
from yima.members.schemas import PersonFilter
from yima.platform import caches
from yima.platform.db import migrations
from yima.platform.db.session import Database


@pytest.fixture(scope="module")
def cli_url() -> str:
    url = new_database_url("members-cli")
    migrations.upgrade(url)
    return url


def yima(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"YIMA_DATABASE_URL": url, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "yima", *args], env=env, capture_output=True, text=True, timeout=120)


async def test_find_and_list(cli_url: str) -> None:
    db, phone = Database(cli_url), new_phone()
    caches.clear_all()
    try:
        await create_tenant(db, "cli-brand")
        member = await create_member(db, "cli-brand", phone, level=2, tags=["宴席客户"])
        found = yima(cli_url, "members", "find", "--tenant", "cli-brand", phone)
        assert found.returncode == 0, found.stderr
        assert f"person {member.id}  level VIP2  tags 宴席客户" in found.stdout and f"+86{phone}" in found.stdout
        listed = yima(cli_url, "members", "list", "--tenant", "cli-brand")
        assert f"{phone[:3]}****{phone[-4:]}" in listed.stdout and phone not in listed.stdout
        nobody = yima(cli_url, "members", "find", "--tenant", "cli-brand", new_phone())
        assert (nobody.returncode, nobody.stdout.strip()) == (1, "nobody holds this number")
    finally:
        await delete_brand(db, "cli-brand")
        await db.dispose()
        caches.clear_all()


async def test_the_demo_members_are_seeded_once(db: Database) -> None:
    await create_tenant(db, "demo-like")
    for _ in range(2):
        async with system(db, "demo-like") as ctx:
            await demo.seed(ctx)
    async with system(db, "demo-like") as ctx:
        seeded = await members.list_persons(ctx, PersonFilter(), 50, None)
    assert len(seeded) == len(demo.MEMBERS)
    assert sorted((p.level, p.tags) for p in seeded) == sorted((level, sorted(tags)) for _, level, tags in demo.MEMBERS)
