"""Factories for trace: EPCIS events and documents, and capturing them into a brand."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from tests.identity.factories import system
from tests.partners.factories import create_dealer
from yima.platform.db.session import Database
from yima.trace import service as trace
from yima.trace.models import DiversionRecord
from yima.trace.schemas import CaptureResult

DATA = Path(__file__).parent / "data"
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
GTIN = "06901234567892"  # a valid GTIN-14 (check digit 2)
_serials = itertools.count(1)


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def valid_documents() -> list[Path]:
    return sorted([*(DATA / "gs1" / "JSON").rglob("*.jsonld"), *(DATA / "openepcis" / "valid").glob("*.json")])


def invalid_documents() -> list[Path]:
    return sorted((DATA / "openepcis" / "invalid").glob("*.json"))


def bottle(serial: int | None = None, gtin: str = GTIN) -> str:
    return f"https://id.gs1.org/01/{gtin}/21/{serial if serial is not None else next(_serials)}"


def object_event(**fields: Any) -> dict[str, Any]:
    """A valid ObjectEvent (a shipping observation of two new bottles); ``fields`` replace or add."""
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2024-05-01T10:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [bottle(), bottle()],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    }
    event.update(fields)
    return {k: v for k, v in event.items() if v is not None}


def document(*events: dict[str, Any], context: list[Any] | None = None) -> dict[str, Any]:
    return {
        "@context": [CONTEXT, *(context or [])],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-01T10:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


async def capture(db: Database, slug: str, *events: dict[str, Any], source: str = "test") -> CaptureResult:
    async with system(db, slug) as ctx:
        return await trace.capture_events(ctx, list(events), source=source)


async def diversion(db: Database, slug: str, dealer_id: int, note: str = "", **fields: Any) -> int:
    """A diversion record as check_diversion makes them (for routes that list and change them)."""
    async with system(db, slug) as ctx:
        record = DiversionRecord(
            tenant_id=ctx.tenant_id,
            serial=fields.pop("serial", next(_serials)),
            level="bottle",
            dealer_id=dealer_id,
            region_code=fields.pop("region_code", "610104"),
            lat=34.26,
            lon=108.94,
            distance_km=612.3,
            source="consumer_scan",
            ref=str(next(_serials)),
            found_at=ctx.now(),
            status="open",
            note=note,
            **fields,
        )
        ctx.session.add(record)
        await ctx.session.flush()
        return record.id


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int | str], list[str]]:
    """An event naming a marked EPC (the /epcis routes are checked by tests/trace/test_epcis_api)
    and a diversion record with a marked note."""
    marked = f"https://{marker}.example.cn/c/MARKED{next(_serials):014d}"
    result = await capture(db, slug, object_event(epcList=[marked]))
    dealer = await create_dealer(db, slug)
    diversion_id = await diversion(db, slug, dealer.id, note=f"{marker} 窜货备注")
    return {"epcis_event_id": result.event_ids[0], "diversion_id": diversion_id}, [marker]
