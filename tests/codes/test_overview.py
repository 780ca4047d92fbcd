"""What a batch's page lists besides the batch: its activation ranges and its blocks."""

from __future__ import annotations

import pytest

from tests.codes.factories import activated_batch, create_batch
from tests.identity.factories import create_tenant, system
from yima.codes import service as codes
from yima.codes.schemas import BlockCreate, SerialRange
from yima.platform.db.session import Database
from yima.platform.errors import NotFound


async def test_a_batch_lists_its_activations_and_blocks_only(db: Database) -> None:
    await create_tenant(db, "acme")
    batch, product_id = await activated_batch(db, "acme", quantity=10)
    other = await create_batch(db, "acme", "bottle", 5)
    async with system(db, "acme") as ctx:
        await codes.block(
            ctx,
            BlockCreate(
                range=SerialRange(serial_from=batch.first_serial + 2, serial_to=batch.first_serial + 3),
                kind="blacklist",
                reason="stolen",
            ),
        )
        assignments = await codes.list_assignments(ctx, batch.id)
        blocks = await codes.list_blocks(ctx, batch.id)
        assert await codes.list_assignments(ctx, other.id) == []
        assert await codes.list_blocks(ctx, other.id) == []
    assert [(a.serial_from, a.serial_to, a.product_id) for a in assignments] == [
        (batch.first_serial, batch.last_serial, product_id)
    ]
    assert [(b.serial_from, b.serial_to, b.kind, b.reason) for b in blocks] == [
        (batch.first_serial + 2, batch.first_serial + 3, "blacklist", "stolen")
    ]


async def test_another_brands_batch_is_not_found(db: Database) -> None:
    await create_tenant(db, "acme")
    await create_tenant(db, "rival")
    theirs = await create_batch(db, "rival", "bottle", 3)
    async with system(db, "acme") as ctx:
        with pytest.raises(NotFound):
            await codes.list_assignments(ctx, theirs.id)
        with pytest.raises(NotFound):
            await codes.list_blocks(ctx, theirs.id)
