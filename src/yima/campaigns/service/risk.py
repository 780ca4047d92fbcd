"""Risk control (风控) of scan draws: the assessment the scan calls, the brand's settings and
blacklist (staff use cases, audited), and the purge of old counter windows.

``assess_risk`` is for the scans context: no permission of its own, in the caller's
transaction, flush only. Warm, it costs ONE statement (the counters' upsert): the settings and
the blacklist are cached in this process for ``CACHE_TTL`` seconds and dropped here at once
when staff change them (other processes see a change within the TTL). See docs/campaigns.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from yima.campaigns import risk
from yima.campaigns.models import CampaignBlacklistEntry, CampaignRiskSettings
from yima.campaigns.permissions import RISK_MANAGE, RISK_READ, RISK_WRITE
from yima.campaigns.repository import risk as repo
from yima.campaigns.risk import Counts, RiskInput, RiskVerdict
from yima.campaigns.schemas import (
    BlacklistEntryCreate,
    BlacklistEntryFilter,
    BlacklistEntryRead,
    RiskSettings,
    RiskSettingsUpdate,
)
from yima.identity import service as identity
from yima.platform.caches import TtlCache
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.platform.errors import Conflict, FieldError, Invalid, NotFound
from yima.platform.outbox import service as jobs

PURGE_RISK_JOB = "campaigns.purge_risk_counters"
KEEP_COUNTERS = dt.timedelta(days=2)  # a day window lives one day; two leave room for late scans
CACHE_TTL = 30.0  # seconds another process may grade with settings or a blacklist as they were
PURGE_CHECK_EVERY = 6 * 3600.0  # how often a process makes sure a brand's purge job is queued
COUNTER_PURPOSE = b"risk-counters"

_settings: TtlCache[int, tuple[RiskSettings, risk.Policy]] = TtlCache(CACHE_TTL)
_blacklists: TtlCache[int, risk.Blacklist] = TtlCache(CACHE_TTL)
_purge_checked: TtlCache[int, bool] = TtlCache(PURGE_CHECK_EVERY)


def policy_of(settings: RiskSettings) -> risk.Policy:
    def rule(r: Any) -> risk.Rule:
        return risk.Rule(r.limit, r.response)

    return risk.Policy(
        enabled=settings.enabled,
        counters={(s, w): rule(getattr(getattr(settings, s), w)) for s in risk.SUBJECTS for w in risk.SPANS},
        serial_burst=rule(settings.serial_burst),
        far_km=settings.far_from_territory.km,
        far_response=settings.far_from_territory.response,
        blacklist_response=settings.blacklist_response,
    )


async def _stored_settings(ctx: Ctx) -> tuple[CampaignRiskSettings | None, RiskSettings]:
    row = await repo.get_settings(ctx.session)
    return row, RiskSettings.model_validate(row.document) if row else RiskSettings()


async def _policy(ctx: Ctx) -> risk.Policy:
    cached = _settings.get(ctx.tenant_id)
    if cached is None:
        settings = (await _stored_settings(ctx))[1]
        cached = (settings, policy_of(settings))
        _settings.put(ctx.tenant_id, cached)
    return cached[1]


async def _blacklist(ctx: Ctx) -> risk.Blacklist:
    cached = _blacklists.get(ctx.tenant_id)
    if cached is None:
        rows = await repo.live_blacklist(ctx.session, ctx.now())
        cached = risk.Blacklist(risk.Listed(kind, value, expires) for kind, value, expires in rows)  # type: ignore[arg-type]
        _blacklists.put(ctx.tenant_id, cached)
    return cached


def _day_start(ctx: Ctx, now: dt.datetime) -> dt.datetime:
    """The brand's local midnight before ``now``, in UTC."""
    return ctx.local(now).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


async def risk_keys(ctx: Ctx, person_id: int, ip: str | None, device: str | None) -> dict[risk.Subject, str | None]:
    """What the counters key each subject by: the person's id, keyed digests (per brand) of the
    device id, the address and its /24 (IPv6 /48) — the raw values are never stored."""
    key = await identity.tenant_subkey(ctx.session, ctx.tenant_id, COUNTER_PURPOSE)
    return risk.subject_keys(key, person_id, ip, device)


async def risk_reads_phone(ctx: Ctx) -> bool:
    """Does grading a scan read the scanner's phone (a phone is blacklisted)? The scan asks
    before fetching it: most brands blacklist no phone, and the fetch is a query."""
    return (await _policy(ctx)).enabled and (await _blacklist(ctx)).lists("phone")


async def assess_risk(ctx: Ctx, data: RiskInput) -> RiskVerdict:
    """Count the scan (per person, device, address and network, over a minute, an hour and the
    local day) and grade it against the brand's rules and blacklist: pay, fallback, review or
    reject, with every reason that fired. "pay" with no reasons when the brand switched risk
    control off (nothing is counted then)."""
    counting = await count_risk_later(ctx, data.person_id, data.ip, data.device)
    counts = (await direct.run_together(ctx.session, [counting]))[0] if counting else {}
    return await grade_risk(ctx, data, counts)


async def count_risk_later(
    ctx: Ctx, person_id: int, ip: str | None, device: str | None
) -> direct.Deferred[Counts] | None:
    """``assess_risk``'s counting with its statement not yet sent: the scan sends it together
    with other contexts' (``direct.run_together``), then grades with ``grade_risk``. None: the
    brand counts nothing (risk control off, or no counter applies)."""
    policy = await _policy(ctx)
    if not policy.enabled:
        return None
    now = ctx.now()
    keys = risk.counter_keys(policy, await risk_keys(ctx, person_id, ip, device), now, _day_start(ctx, now))
    if not keys:
        return None

    async def then(found: direct.Rows) -> Counts:
        return repo.counts_in(found)

    return direct.Deferred(*repo.count_scans_later(ctx.session, ctx.tenant_id, keys), then)


async def grade_risk(ctx: Ctx, data: RiskInput, counts: Counts) -> RiskVerdict:
    """Grade a scan already counted (``counts``, by subject and window) as ``assess_risk`` does."""
    policy = await _policy(ctx)
    if not policy.enabled:
        return risk.PAY
    now = ctx.now()
    blacklisted = (await _blacklist(ctx)).hits(data, now)
    if _purge_checked.get(ctx.tenant_id) is None:
        _purge_checked.put(ctx.tenant_id, True)
        await schedule_risk_purge(ctx)
    return risk.grade(policy, data, counts, blacklisted)  # type: ignore[arg-type]


# settings -------------------------------------------------------------------------------------


async def get_risk_settings(ctx: Ctx) -> RiskSettings:
    ctx.require(RISK_READ.name)
    return (await _stored_settings(ctx))[1]


def _merge(base: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in sent.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


def _flat(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in doc.items():
        flat |= _flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value}
    return flat


def _validated(current: RiskSettings, data: RiskSettingsUpdate) -> RiskSettings:
    try:
        wanted = RiskSettings.model_validate(_merge(current.model_dump(), data.model_dump(exclude_unset=True)))
    except ValidationError as exc:
        problems = [FieldError(".".join(map(str, e["loc"])), e["msg"], e["type"]) for e in exc.errors()]
        raise Invalid("the risk settings are not valid", problems) from None
    limits = {(s, w): getattr(getattr(wanted, s), w).limit for s in risk.SUBJECTS for w in risk.SPANS}
    problems = [FieldError(f, m, "below_shorter_window") for f, m in risk.window_problems(limits)]
    if problems:
        raise Invalid("a longer window must allow at least as many scans as a shorter one", problems)
    return wanted


async def update_risk_settings(ctx: Ctx, data: RiskSettingsUpdate) -> RiskSettings:
    """Change what is sent (to any depth); takes effect at once in this process."""
    ctx.require(RISK_MANAGE.name)
    row, current = await _stored_settings(ctx)
    wanted = _validated(current, data)
    before, after = _flat(current.model_dump(mode="json")), _flat(wanted.model_dump(mode="json"))
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if row is None:
        row = CampaignRiskSettings(tenant_id=ctx.tenant_id, document={}, updated_by="")
        repo.add(ctx.session, row)
    row.document, row.updated_by = wanted.model_dump(mode="json"), ctx.actor.name[:80]
    await ctx.session.flush()
    _settings.drop(ctx.tenant_id)
    if changes:
        identity.record_audit(ctx, "risk.settings_updated", "risk_settings", ctx.tenant_id, changes)
    return wanted


# blacklists -------------------------------------------------------------------------------------


def _read_entry(entry: CampaignBlacklistEntry, now: dt.datetime) -> BlacklistEntryRead:
    values = {f: getattr(entry, f) for f in BlacklistEntryRead.model_fields if f != "active"}
    return BlacklistEntryRead.model_validate(values | {"active": entry.expires_at is None or entry.expires_at > now})


async def list_blacklist(
    ctx: Ctx, filters: BlacklistEntryFilter, limit: int, before_id: int | None
) -> list[BlacklistEntryRead]:
    """Up to ``limit + 1`` entries, newest first."""
    ctx.require(RISK_READ.name)
    now = ctx.now()
    return [_read_entry(e, now) for e in await repo.list_blacklist(ctx.session, filters, now, limit + 1, before_id)]


async def add_blacklist_entry(ctx: Ctx, data: BlacklistEntryCreate) -> BlacklistEntryRead:
    """Blacklist a person, phone, device, IP address or block, or serial; an expired entry of
    the same value is renewed. Takes effect at once in this process."""
    ctx.require(RISK_WRITE.name)
    now = ctx.now()
    if data.expires_at is not None and data.expires_at <= now:
        raise Invalid("the entry would never apply", [FieldError("expires_at", "already past", "past")])
    entry = await repo.find_blacklist_entry(ctx.session, data.kind, data.value)
    if entry is not None and _read_entry(entry, now).active:
        raise Conflict(
            f"{data.kind} {data.value} is already blacklisted (entry {entry.id})",
            [FieldError("value", "already blacklisted", "blacklisted")],
            code="already_blacklisted",
        )
    if entry is None:
        entry = CampaignBlacklistEntry(tenant_id=ctx.tenant_id, kind=data.kind, value=data.value)
        repo.add(ctx.session, entry)
    entry.reason, entry.expires_at = data.reason, data.expires_at
    entry.created_by, entry.created_at = ctx.actor.name[:80], now
    await ctx.session.flush()
    _blacklists.drop(ctx.tenant_id)
    identity.record_audit(ctx, "risk.blacklisted", "blacklist_entry", entry.id, data.model_dump(mode="json"))
    return _read_entry(entry, now)


async def remove_blacklist_entry(ctx: Ctx, entry_id: int) -> None:
    ctx.require(RISK_WRITE.name)
    entry = await repo.get_blacklist_entry(ctx.session, entry_id)
    if entry is None:
        raise NotFound(f"blacklist entry {entry_id} not found")
    removed = _read_entry(entry, ctx.now()).model_dump(mode="json", include={"kind", "value", "reason", "expires_at"})
    await repo.delete_blacklist_entry(ctx.session, entry)
    _blacklists.drop(ctx.tenant_id)
    identity.record_audit(ctx, "risk.unblacklisted", "blacklist_entry", entry_id, removed)


# the purge ----------------------------------------------------------------------------------------


async def purge_risk_counters(ctx: Ctx) -> int:
    """Delete counter windows older than ``KEEP_COUNTERS`` (the job's work); how many."""
    return await repo.purge_counters(ctx.session, ctx.now() - KEEP_COUNTERS)


async def schedule_risk_purge(ctx: Ctx, delay: dt.timedelta | None = None) -> bool:
    """Queue the brand's purge job (now, or after ``delay``) unless one is queued already."""
    if any(j.state == "queued" for j in await jobs.list_jobs(ctx, PURGE_RISK_JOB, 5, None)):
        return False
    job = await jobs.enqueue_job(ctx, PURGE_RISK_JOB, {})
    job.available_at = ctx.now() + (delay or dt.timedelta())
    await ctx.session.flush()
    return True
