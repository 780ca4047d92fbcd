"""Scans: the public code page (防伪查询) records every scan and says what the brand knows.

Issue 5 grows this into the scan-to-win engine (campaigns, risk, roles); the page and its
records are the part traceability needs: first scan, scan count, where codes are scanned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from yima.codes import service as codes
from yima.codes.errors import BadCode, UnknownCode
from yima.geo import service as geo
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, Forbidden, NotFound
from yima.scans import repository as repo
from yima.scans import rules
from yima.scans.models import ScanRecord
from yima.scans.permissions import SCANS_READ
from yima.scans.schemas import CodePage, Notice, ScanFilter, ScanLocation, ScanRead
from yima.trace import service as trace

PROOF_PURPOSE = b"scan-proof"
SOURCE_PURPOSE = b"scan-source"
LOCATE_WITHIN = dt.timedelta(minutes=30)  # a location arrives with the page, not days later


class NotOurCode(NotFound):
    """No brand issued this code (or it was mistyped): the page warns of a counterfeit."""


async def _enter_brand(ctx: Ctx, text: str) -> None:
    tenant_id = await codes.owner_of_printed(ctx.session, text)
    if tenant_id is None:
        raise NotOurCode("no brand issued this code", [FieldError("code", "unknown code", "unknown")])
    await identity.enter_tenant(ctx, tenant_id)


async def _digest(ctx: Ctx, purpose: bytes, message: str) -> str:
    key = await identity.tenant_subkey(ctx.session, ctx.tenant_id, purpose)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


async def open_code(ctx: Ctx, text: str, user_agent: str | None = None) -> CodePage:
    """A consumer scanned a printed code: record the scan, and return the verdict, the first
    scan and the warnings. A code no brand issued raises NotOurCode."""
    await _enter_brand(ctx, text)
    try:
        unit = await codes.describe(ctx, text)
    except (UnknownCode, BadCode) as exc:  # the prefix is a brand's, the rest is not: forged
        raise NotOurCode("this brand issued no such code", exc.details) from exc
    record = ScanRecord(
        tenant_id=ctx.tenant_id,
        serial=unit.serial,
        face=unit.face,
        level=unit.level,
        input_kind=unit.input_kind,
        state=unit.state,
        scanned_at=ctx.now(),
        source_hash=await _digest(ctx, SOURCE_PURPOSE, ctx.ip) if ctx.ip else None,
        user_agent=(user_agent or "")[:200] or None,
    )
    repo.add(ctx.session, record)
    await ctx.session.flush()
    count = await repo.count_for(ctx.session, unit.serial)
    first = await repo.first_for(ctx.session, unit.serial) or record
    points = [
        rules.ScanPoint(r.scanned_at, r.lat, r.lon, r.region_code)
        for r in await repo.recent_located(ctx.session, unit.serial)
    ]
    region = await geo.get_region(ctx, first.region_code) if first.region_code else None
    assert ctx.tenant is not None
    return CodePage(
        verdict=rules.verdict(unit.state),
        product_name=unit.product.name if unit.product else None,
        product_sku=unit.product.sku if unit.product else None,
        level=unit.level,
        lot=unit.lot,
        production_date=unit.production_date,
        scan_count=count,
        first_scanned_at=ctx.local(first.scanned_at),
        first_region=region.full_name if region else None,
        warnings=[Notice(code=w.code, text=w.zh) for w in rules.warnings(unit.state, count, points)],
        scan_id=record.id,
        proof=await _digest(ctx, PROOF_PURPOSE, str(record.id)),
        brand_name=ctx.tenant.name,
        code=text,
    )


async def locate_scan(ctx: Ctx, data: ScanLocation) -> ScanRead:
    """The phone's position for a scan just made (the page asks, the scanner consents): once,
    soon after, and only with the proof the page was given."""
    await _enter_brand(ctx, data.code)
    record = await repo.get(ctx.session, data.scan)
    if record is None or not hmac.compare_digest(await _digest(ctx, PROOF_PURPOSE, str(record.id)), data.proof):
        raise Forbidden("this scan cannot be located from here", code="bad_proof")
    if record.located_at is not None:
        raise Conflict("this scan already has its location", [FieldError("scan", "located", "located")])
    if ctx.now() - record.scanned_at > LOCATE_WITHIN:
        raise Conflict("too late to locate this scan", [FieldError("scan", "expired", "expired")])
    place = await geo.locate(ctx, data.lat, data.lon)
    record.lat, record.lon, record.accuracy_m = data.lat, data.lon, data.accuracy_m
    record.region_code = place.region.code if place.region else None
    record.located_at = ctx.now()
    await ctx.session.flush()
    # 窜货: a scan located outside the territory of the dealer the goods were shipped to
    await trace.check_diversion(
        ctx, record.serial, record.lat, record.lon, record.region_code, "consumer_scan", str(record.id)
    )
    return ScanRead.model_validate(record)


async def list_scans(ctx: Ctx, filters: ScanFilter, limit: int, before_id: int | None) -> list[ScanRead]:
    ctx.require(SCANS_READ.name)
    serial = (await codes.locate(ctx, filters.code)).serial if filters.code else None
    return [ScanRead.model_validate(r) for r in await repo.list_for(ctx.session, serial, limit + 1, before_id)]
