"""The public code page (防伪查询): every scan recorded, and what the brand knows of the code —
verdict, scan count, first scan, warnings. The draw (draw.py) builds on the scan recorded here."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from yima.campaigns import service as campaigns
from yima.codes import service as codes
from yima.codes.errors import BadCode, UnknownCode
from yima.codes.schemas import ResolvedCode
from yima.geo import service as geo
from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.platform.errors import Conflict, FieldError, Forbidden, KeyReused, NotFound
from yima.rebates import service as rebates
from yima.scans import repository as repo
from yima.scans import rules
from yima.scans.models import ScanRecord
from yima.scans.permissions import SCANS_READ
from yima.scans.schemas import CodePage, Notice, ScanCreate, ScanFilter, ScanLocation, ScanRead
from yima.trace import service as trace

PROOF_PURPOSE = b"scan-proof"
SOURCE_PURPOSE = b"scan-source"
DEVICE_PURPOSE = b"scan-device"
LOCATE_WITHIN = dt.timedelta(minutes=30)  # a location arrives with the page, not days later


@dataclass(frozen=True)
class DiversionCheck:
    """A scan's own location checked once against the territory of its goods' dealer (窜货)."""

    outside_km: float | None  # None: inside it, or nothing can tell


@dataclass(frozen=True)
class Counted:
    """Risk control's counts of a scan, and the campaigns it was counted for: those the draw grades."""

    awaiting: list[campaigns.LiveCampaign]
    counts: campaigns.RiskCounts


@dataclass(frozen=True)
class Recorded:
    unit: ResolvedCode
    record: ScanRecord
    fresh: bool  # False: a retry with a client key already used, ``record`` is the first scan
    scans: repo.CodeScans  # the code's scans, this one included (its page shows them)
    diversion: DiversionCheck | None = None  # None: the scan came without a location (the page asks later)
    sequential: int | None = None  # risk control's count of neighbouring serials, when read with the scan
    counted: Counted | None = None  # when risk control counted the scan with it


class NotOurCode(NotFound):
    """No brand issued this code (or it was mistyped): the page warns of a counterfeit."""


async def enter_brand(ctx: Ctx, text: str) -> None:
    """Bind ``ctx`` to the brand that issued the code (by its prefix); NotOurCode when none did."""
    tenant_id = await codes.owner_of_printed(ctx.session, text)
    if tenant_id is None:
        raise NotOurCode("no brand issued this code", [FieldError("code", "unknown code", "unknown")])
    await identity.enter_tenant(ctx, tenant_id)


async def _digest(ctx: Ctx, purpose: bytes, message: str) -> str:
    key = await identity.tenant_subkey(ctx.session, ctx.tenant_id, purpose)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Scanner:
    """Who scans, as far as the scan knows: the member person (None on the code page until the
    visitor draws), the app's device id, and the source address (never stored as such)."""

    person_id: int | None = None
    device: str | None = None
    client_key: str | None = None


@contextmanager
def forged_as_not_ours() -> Iterator[None]:
    """A code whose prefix is a brand's but whose rest is not (forged, mistyped) is NotOurCode."""
    try:
        yield
    except (UnknownCode, BadCode) as exc:
        raise NotOurCode("this brand issued no such code", exc.details) from exc


async def record_scan(
    ctx: Ctx, text: str, scanner: Scanner, user_agent: str | None = None, place: ScanCreate | None = None,
    unit: ResolvedCode | None = None,
) -> Recorded:  # fmt: skip
    """Find the unit (unless the caller did: ``unit``), and record the scan (``ctx`` bound to
    the code's brand: ``enter_brand``).
    A forged token raises NotOurCode; a client key this person already used returns that first
    scan (not fresh) — or raises KeyReused, nothing written, when that scan was of another code.
    A located consumer scan is checked for diversion before the store that registered the goods
    is paid for it (双向红包): diverted goods earn nothing, this scan's finding included."""
    if unit is None:
        with forged_as_not_ours():
            unit = await codes.describe(ctx, text)
    now = ctx.now()
    local = ctx.local(now)
    record = ScanRecord(
        tenant_id=ctx.tenant_id, serial=unit.serial, face=unit.face, level=unit.level, input_kind=unit.input_kind,
        state=unit.state, scanned_at=now, local_day=local.date().isoformat(), local_hour=local.hour,
        source_hash=await _digest(ctx, SOURCE_PURPOSE, ctx.ip) if ctx.ip else None,
        net_hash=await _digest(ctx, SOURCE_PURPOSE, rules.network_of(ctx.ip)) if ctx.ip else None,
        device_hash=await _digest(ctx, DEVICE_PURPOSE, scanner.device) if scanner.device else None,
        user_agent=(user_agent or "")[:200] or None, person_id=scanner.person_id, client_key=scanner.client_key,
        outcome="verified",
    )  # fmt: skip
    if place is not None and place.lat is not None and place.lon is not None:
        located = await geo.locate(ctx, place.lat, place.lon)
        record.lat, record.lon, record.accuracy_m, record.located_at = place.lat, place.lon, place.accuracy_m, now
        record.region_code = located.region.code if located.region else None
    # A scan that may draw reads risk control's count with its own insert (one round trip).
    may_draw = scanner.person_id is not None and unit.state == "active" and rules.draw_role(unit.level, unit.face)
    window = repo.SequenceWindow(rules.SEQUENCE_SPAN, now - rules.SEQUENCE_WINDOW) if may_draw else None
    recording = await repo.record(ctx.session, record, window)
    if not recording.inserted:
        assert scanner.person_id is not None
        assert scanner.client_key is not None
        first = await repo.by_client_key(ctx.session, scanner.person_id, scanner.client_key)
        assert first is not None, "the client key's row exists: its insert just collided"
        if (first.serial, first.face) != (unit.serial, unit.face):  # not a retry: another code
            raise KeyReused(
                "this Idempotency-Key was first used for another code; use a new key per scan",
                [FieldError("Idempotency-Key", "used for another code", KeyReused.code)],
            )
        return Recorded(unit, first, fresh=False, scans=await repo.scans_of_code(ctx.session, unit.serial))
    scans = recording.before.with_scan(rules.ScanPoint(now, record.lat, record.lon, record.region_code))
    # The diversion check, the store's rebate and risk control's counters touch independent rows:
    # one round trip for all. Their follow-ups run in that order, so diverted goods earn nothing,
    # this scan's finding included.
    parents = codes.ancestors_of(unit)
    later: dict[str, direct.Deferred[Any] | None] = {}
    if record.region_code:  # 窜货: found outside the territory of the dealer it was shipped to
        later["diversion"] = trace.check_diversion_later(
            ctx, record.serial, record.lat, record.lon, record.region_code, "consumer_scan", str(record.id), parents
        )  # fmt: skip
    if rules.draw_role(unit.level, unit.face) == "consumer":  # 双向红包: the store that registered it earns
        product_id = unit.product.id if unit.product else None
        earlier = recording.before.first  # a store that registered the bottle after it is not paid
        later["rebate"] = await rebates.pay_consumer_scan_later(
            ctx, unit.serial, product_id, record.region_code, scan_ref(record), parents,
            first_scanned_at=earlier.at if earlier else None,
        )  # fmt: skip
    awaiting = await campaigns_awaiting(ctx, unit) if may_draw else []
    if awaiting:  # the draw will grade the scan: count it now
        assert scanner.person_id is not None
        later["risk"] = await campaigns.count_risk_later(ctx, scanner.person_id, ctx.ip, scanner.device)
    sent = {name: d for name, d in later.items() if d is not None}
    found = dict(zip(sent, await direct.run_together(ctx.session, list(sent.values())), strict=True))
    finding = found.get("diversion")
    checked = DiversionCheck(finding.distance_km if finding else None) if "diversion" in sent else None
    return Recorded(
        unit, record, fresh=True, scans=scans, diversion=checked, sequential=recording.sequential,
        counted=Counted(awaiting, found.get("risk", {})) if awaiting else None,
    )  # fmt: skip


def scan_ref(record: ScanRecord) -> str:
    """A scan's idempotency reference (the draw's, the rebates'): a replay finds what it made."""
    return f"scan:{record.id}"


async def page_of(ctx: Ctx, text: str, recorded: Recorded) -> CodePage:
    """The verdict, the code's scan count and first scan, and the warnings."""
    unit, record, scans = recorded.unit, recorded.record, recorded.scans
    first = scans.first or rules.ScanPoint(record.scanned_at, record.lat, record.lon, record.region_code)
    points = scans.located
    code = first.region_code
    region = (await geo.regions_by_codes(ctx, [code])).get(code) if code else None  # in process: no query
    assert ctx.tenant is not None
    return CodePage(
        verdict=rules.verdict(unit.state),
        product_name=unit.product.name if unit.product else None,
        product_sku=unit.product.sku if unit.product else None,
        level=unit.level,
        lot=unit.lot,
        production_date=unit.production_date,
        scan_count=scans.count,
        first_scanned_at=ctx.local(first.at),
        first_region=region.full_name if region else None,
        warnings=[Notice(code=w.code, text=w.zh) for w in rules.warnings(unit.state, scans.count, points)],
        scan_id=record.id,
        proof=await scan_proof(ctx, record.id),
        brand_name=ctx.tenant.name,
        code=text,
    )


async def scan_proof(ctx: Ctx, scan_id: int) -> str:
    """What the page is given to act on its scan later (locate it, draw): an HMAC of its id."""
    return await _digest(ctx, PROOF_PURPOSE, str(scan_id))


async def proven_scan(ctx: Ctx, text: str, scan_id: int, proof: str) -> ScanRecord:
    """The scan a page acts on, once the proof it was given checks (Forbidden otherwise)."""
    await enter_brand(ctx, text)
    record = await repo.get(ctx.session, scan_id)
    if record is None or not hmac.compare_digest(await scan_proof(ctx, record.id), proof):
        raise Forbidden("this scan cannot be used from here", code="bad_proof")
    return record


async def open_code(ctx: Ctx, text: str, user_agent: str | None = None) -> CodePage:
    """A phone opened a printed code's page: record the scan, and return the verdict, the first
    scan and the warnings. A code no brand issued raises NotOurCode."""
    await enter_brand(ctx, text)
    recorded = await record_scan(ctx, text, Scanner(), user_agent)
    page = await page_of(ctx, text, recorded)
    return page.model_copy(update={"draw_offered": await draw_offered(ctx, recorded.unit)})


async def verify_typed(ctx: Ctx, slug: str, text: str, user_agent: str | None = None) -> CodePage:
    """A code typed on the brand's query page (防伪查询): the 防伪码 printed beside the QR code,
    or a previous vendor's code, which name no brand by themselves (the page's does). Recorded
    and answered as the code page is, without a draw: a number a shopper can read on the shelf
    wins nothing, the prize is the scanned code's. A code the brand did not issue, or no such
    brand, raises NotOurCode."""
    try:
        tenant = await identity.get_tenant_by_slug(ctx.session, slug)
    except NotFound as exc:
        raise NotOurCode("no such brand", [FieldError("brand", "unknown brand", "unknown")]) from exc
    await identity.enter_tenant(ctx, tenant.id)
    recorded = await record_scan(ctx, text, Scanner(), user_agent)
    return await page_of(ctx, text, recorded)


async def draw_offered(ctx: Ctx, unit: ResolvedCode) -> bool:
    """Does a running campaign await this code's draw (its role's face, active, in scope)?"""
    return bool(await campaigns_awaiting(ctx, unit))


async def campaigns_awaiting(ctx: Ctx, unit: ResolvedCode) -> list[campaigns.LiveCampaign]:
    """The running campaigns that draw on this code (its role's face, active, in scope): in
    process, no query."""
    role = rules.draw_role(unit.level, unit.face)
    if role is None or unit.state != "active":
        return []
    product_id = unit.product.id if unit.product else None
    return await campaigns.campaigns_for_code(ctx, role, product_id, unit.batch_id, unit.serial)  # type: ignore[arg-type]


async def locate_scan(ctx: Ctx, data: ScanLocation) -> ScanRead:
    """The phone's position for a scan just made (the page asks, the scanner consents): once,
    soon after, and only with the proof the page was given."""
    record = await proven_scan(ctx, data.code, data.scan, data.proof)
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
    return scan_read(ctx, record)


def scan_read(ctx: Ctx, record: ScanRecord) -> ScanRead:
    """A scan record as staff see it: its times stored UTC, shown in the brand's time zone."""
    return ctx.shown(ScanRead.model_validate(record))


async def list_scans(ctx: Ctx, filters: ScanFilter, limit: int, before_id: int | None) -> list[ScanRead]:
    ctx.require(SCANS_READ.name)
    serial = (await codes.locate(ctx, filters.code)).serial if filters.code else None
    return [scan_read(ctx, r) for r in await repo.list_for(ctx.session, serial, limit + 1, before_id)]
