"""Factories for analytics: a brand whose channel holds a marked dealer's stock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.catalog.factories import create_product
from tests.codes.factories import activate, create_batch, create_supplier
from tests.identity.factories import system
from tests.partners.factories import create_dealer
from yima.codes import service as codes
from yima.platform.db.session import Database
from yima.trace import service as trace


def receipt(epcs: list[str], dealer_id: int, when: dt.datetime) -> dict[str, Any]:
    """A receiving ObjectEvent at a dealer, as logistics writes them, at ``when``."""
    place = f"urn:yima:dealer:{dealer_id}"
    return {
        "type": "ObjectEvent",
        "eventTime": when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "eventTimeZoneOffset": "+08:00",
        "epcList": epcs,
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "sellable_accessible",
        "readPoint": {"id": place},
        "bizLocation": {"id": place},
    }


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int | str], list[str]]:
    """A marked dealer holding one bottle: it shows in the brand's channel inventory only."""
    product = await create_product(db, slug)
    supplier = await create_supplier(db, slug)
    batch = await create_batch(db, slug, "bottle", 1, supplier_id=supplier)
    await activate(db, slug, batch.first_serial, batch.last_serial, product.id)
    dealer = await create_dealer(db, slug, name=f"{marker} 库存经销商", region_code="510104")
    async with system(db, slug) as ctx:
        epc = await codes.unit_epc(ctx, batch.first_serial)
        await trace.capture_events(ctx, [receipt([epc], dealer.id, ctx.now())], source="test")
    return {}, [marker]
