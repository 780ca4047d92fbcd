"""Rebate objects for tests and the isolation harness."""

from __future__ import annotations

from tests.identity.factories import system
from yima.platform.db.session import Database
from yima.rebates import service as rebates
from yima.rebates.schemas import PolicyCreate, PolicyRead


async def create_policy(db: Database, slug: str, **values: object) -> PolicyRead:
    data = PolicyCreate.model_validate({"name": "双向红包", "kind": "bc", "store_fen": 200} | values)
    async with system(db, slug) as ctx:
        return await rebates.create_policy(ctx, data)


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    policy = await create_policy(db, slug, name=f"{marker} 返利")
    return {"policy_id": policy.id}, []
