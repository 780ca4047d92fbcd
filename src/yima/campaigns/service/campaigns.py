"""Configuring campaigns: create, edit, publish, pause, resume, end, read, simulate. Every
configuration change is audited in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from yima.campaigns import repository as repo
from yima.campaigns import rules, simulation
from yima.campaigns.errors import WrongState
from yima.campaigns.models import Campaign, CampaignPrize
from yima.campaigns.permissions import CAMPAIGNS_READ, CAMPAIGNS_WRITE
from yima.campaigns.schemas import (
    CampaignCreate,
    CampaignFilter,
    CampaignRead,
    CampaignUpdate,
    PrizeForecast,
    PrizeIn,
    PrizeRead,
    Scope,
    Simulation,
    Targeting,
)
from yima.campaigns.service import spend
from yima.campaigns.service.matching import forget_live
from yima.campaigns.service.plans import prize_state
from yima.catalog import service as catalog
from yima.codes import service as codes
from yima.geo import service as geo
from yima.identity import service as identity
from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Invalid, NotFound
from yima.wallet import service as wallet

_DOCS = ("scope", "targeting", "limits")
# What the configuration checks read (CampaignCreate's fields): its period, budget, documents, prizes.
_CHECKED = ("starts_at", "ends_at", "budget_fen", "daily_cap_fen", *_DOCS, "prizes")


def read_campaign(campaign: Campaign, prizes: Sequence[PrizeRead], now: Any, spent_fen: int) -> CampaignRead:
    state = rules.effective_state(campaign.state, campaign.starts_at, campaign.ends_at, now)  # type: ignore[arg-type]
    shown = ("prizes", "state", "spent_fen")
    return CampaignRead.model_validate(
        {c: getattr(campaign, c) for c in CampaignRead.model_fields if c not in shown}
        | {"state": state, "prizes": prizes, "spent_fen": spent_fen}
    )


async def read_prizes(ctx: Ctx, campaign_ids: Sequence[int]) -> dict[int, list[PrizeRead]]:
    """The campaigns' prizes as shown: a prize the draw counts on its row (stock, a budget of
    its own) as stored, the others with their awards and spend counted from the awards."""
    prizes = await repo.prizes_of(ctx.session, campaign_ids)
    uncounted = [p.id for found in prizes.values() for p in found if not rules.prize_counted(prize_state(p))]
    tallies = await repo.prize_tallies(ctx.session, uncounted) if uncounted else {}

    def read(prize: CampaignPrize) -> PrizeRead:
        shown = PrizeRead.model_validate(prize)
        if prize.id not in uncounted:
            return shown
        awarded, spent = tallies.get(prize.id, (0, 0))
        return shown.model_copy(update={"awarded": awarded, "spent_fen": spent})

    return {campaign_id: [read(p) for p in found] for campaign_id, found in prizes.items()}


async def load_campaign(ctx: Ctx, campaign_id: int) -> Campaign:
    campaign = await repo.get_campaign(ctx.session, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} not found")
    return campaign


async def _prizes(ctx: Ctx, campaign_id: int) -> list[CampaignPrize]:
    return (await repo.prizes_of(ctx.session, [campaign_id]))[campaign_id]


async def _read(ctx: Ctx, campaign: Campaign) -> CampaignRead:
    prizes = (await read_prizes(ctx, [campaign.id]))[campaign.id]
    return read_campaign(campaign, prizes, ctx.now(), (await spend.spent(ctx, [campaign.id]))[campaign.id])


async def _unknown_names(ctx: Ctx, scope: Scope, targeting: Targeting) -> list[FieldError]:
    """Products, batches, regions, dealers and stores must exist (through their contexts' services)."""
    problems: list[FieldError] = []
    for i, product_id in enumerate(scope.product_ids):
        try:
            await catalog.lookup_product(ctx, product_id)
        except NotFound:
            problems.append(FieldError(f"scope.product_ids.{i}", f"no product {product_id}", "unknown_product"))
    for i, batch_id in enumerate(scope.batch_ids):
        try:
            await codes.get_batch(ctx, batch_id)
        except NotFound:
            problems.append(FieldError(f"scope.batch_ids.{i}", f"no batch {batch_id}", "unknown_batch"))
    found = await geo.regions_by_codes(ctx, targeting.regions)
    problems += [
        FieldError(f"targeting.regions.{i}", f"no GB/T 2260 region '{c}'", "unknown_region")
        for i, c in enumerate(targeting.regions)
        if c not in found
    ]
    partners_named = (
        ("dealer", targeting.dealer_ids, partners.lookup_dealers),
        ("store", targeting.store_ids, partners.lookup_stores),
    )
    for kind, ids, lookup in partners_named:
        known = await lookup(ctx, ids) if ids else {}
        problems += [
            FieldError(f"targeting.{kind}_ids.{i}", f"no {kind} {n}", f"unknown_{kind}")
            for i, n in enumerate(ids)
            if n not in known
        ]
    return problems


def _pool_problems(prizes: Sequence[Mapping[str, Any]], budget_fen: int, *, complete: bool = True) -> list[FieldError]:
    """Prizes that can be paid and, ``complete``, a pool that can be drawn from (exactly one fallback)."""
    found = rules.config_problems(prizes) if complete else []
    return [FieldError(*p) for p in found + rules.payable_problems(prizes, budget_fen)]


async def _check(
    ctx: Ctx, config: Mapping[str, Any], *, pool: bool, names: tuple[Scope, Targeting] | None = None,
    end_moved: bool = False,
) -> None:  # fmt: skip
    """Every problem of a configuration (``_CHECKED``, dumped) at once, each naming its field:
    the period (with ``end_moved``, an end not in the past), the budget and the documents, the
    prizes (``pool``: as a complete pool; a draft may have none yet), what ``names`` name."""
    now = ctx.now() if end_moved else None
    found = rules.period_problems(config["starts_at"], config["ends_at"], now) + rules.document_problems(
        config["budget_fen"], config["daily_cap_fen"], config["scope"], config["targeting"], config["limits"]
    )
    problems = [FieldError(*p) for p in found] + _pool_problems(config["prizes"], config["budget_fen"], complete=pool)
    if names is not None:
        problems += await _unknown_names(ctx, *names)
    if problems:
        raise Invalid("the campaign cannot be used as configured", problems)


def _stored_prizes(prizes: Sequence[CampaignPrize | PrizeRead]) -> list[dict[str, Any]]:
    return [PrizeIn.model_validate(p, from_attributes=True).model_dump() for p in prizes]


def _stored_config(campaign: Campaign, prizes: Sequence[CampaignPrize]) -> dict[str, Any]:
    return {key: getattr(campaign, key) for key in _CHECKED if key != "prizes"} | {"prizes": _stored_prizes(prizes)}


def _merged(stored: Mapping[str, Any], sent: BaseModel) -> dict[str, Any]:
    """A stored document with the fields sent in their place, the others kept, validated whole."""
    merged = dict(stored) | sent.model_dump(mode="json", include=sent.model_fields_set)
    return type(sent).model_validate(merged).model_dump(mode="json")


def _prize_rows(ctx: Ctx, campaign_id: int, prizes: Sequence[PrizeIn]) -> list[CampaignPrize]:
    return [
        CampaignPrize(tenant_id=ctx.tenant_id, campaign_id=campaign_id, position=i, stock_left=p.stock, spent_fen=0,
                      awarded=0, **p.model_dump())
        for i, p in enumerate(prizes)
    ]  # fmt: skip


async def create_campaign(ctx: Ctx, data: CampaignCreate) -> CampaignRead:
    ctx.require(CAMPAIGNS_WRITE.name)
    config = data.model_dump(include=set(_CHECKED))
    await _check(ctx, config, pool=bool(data.prizes), names=(data.scope, data.targeting))
    values = data.model_dump(mode="json", include=set(_DOCS)) | data.model_dump(exclude={"prizes", *_DOCS})
    campaign = Campaign(tenant_id=ctx.tenant_id, state="draft", **values)
    repo.add(ctx.session, campaign)
    await ctx.session.flush()
    repo.add(ctx.session, *_prize_rows(ctx, campaign.id, data.prizes))
    await ctx.session.flush()
    identity.record_audit(ctx, "campaign.created", "campaign", campaign.id, data.model_dump(mode="json"))
    return await _read(ctx, campaign)


async def update_campaign(ctx: Ctx, campaign_id: int, data: CampaignUpdate) -> CampaignRead:
    """Change what is sent — within scope, targeting and limits only the fields sent, the
    documents checked whole as merged; a published campaign may change only rules.EDITABLE_LIVE,
    its budget never below what it has spent and its end not into the past."""
    ctx.require(CAMPAIGNS_WRITE.name)
    campaign = await load_campaign(ctx, campaign_id)
    sent = data.model_dump(mode="json", exclude_unset=True)
    state = rules.effective_state(campaign.state, campaign.starts_at, campaign.ends_at, ctx.now())  # type: ignore[arg-type]
    locked = rules.locked_fields(state, sent)
    if locked:
        raise WrongState(
            f"a {state} campaign cannot change {', '.join(locked)}",
            [FieldError(f, f"locked while {state}", "locked") for f in locked],
        )
    published = campaign.state != "draft"
    if (
        published
        and data.budget_fen is not None
        and data.budget_fen < (await spend.spent(ctx, [campaign.id]))[campaign.id]
    ):
        raise Invalid(
            "the budget is below what was spent", [FieldError("budget_fen", "below spent_fen", "below_spent")]
        )
    docs = {key: _merged(getattr(campaign, key), getattr(data, key)) for key in _DOCS if key in sent}
    stored = _stored_config(campaign, [] if data.prizes is not None else await _prizes(ctx, campaign.id))
    config = stored | {key: getattr(data, key) for key in ("starts_at", "ends_at", "budget_fen", "daily_cap_fen")
                       if key in sent} | docs  # fmt: skip
    if data.prizes is not None:
        config["prizes"] = [p.model_dump() for p in data.prizes]
    names = (Scope.model_validate(docs.get("scope", {})), Targeting.model_validate(docs.get("targeting", {})))
    await _check(ctx, config, pool=data.prizes is not None, names=names, end_moved=data.ends_at is not None)
    if data.prizes is not None:
        await repo.delete_prizes(ctx.session, campaign.id)
        repo.add(ctx.session, *_prize_rows(ctx, campaign.id, data.prizes))
    for key in sent:
        if key != "prizes":
            setattr(campaign, key, docs[key] if key in _DOCS else getattr(data, key))
    await ctx.session.flush()
    if published and "budget_fen" in sent:
        await spend.resize(ctx, campaign, spend.TOTAL, campaign.budget_fen)
    if published and "daily_cap_fen" in sent:
        await spend.resize(ctx, campaign, rules.day_key(ctx.local(ctx.now())), campaign.daily_cap_fen)
    forget_live(ctx)
    if sent:
        identity.record_audit(ctx, "campaign.updated", "campaign", campaign.id, sent)
    return await _read(ctx, campaign)


async def _move(ctx: Ctx, campaign_id: int, action: rules.Action) -> tuple[Campaign, rules.State]:
    ctx.require(CAMPAIGNS_WRITE.name)
    campaign = await load_campaign(ctx, campaign_id)
    current = rules.effective_state(campaign.state, campaign.starts_at, campaign.ends_at, ctx.now())  # type: ignore[arg-type]
    after = rules.transition(action, current)
    if after is None:
        raise WrongState(f"a {current} campaign cannot {action}")
    return campaign, after


async def publish_campaign(ctx: Ctx, campaign_id: int) -> CampaignRead:
    """Draft → scheduled (running from its start): the prize pool must be complete; the wallet
    budget (预算账户) the cash prizes are paid from is opened — finance funds it."""
    campaign, after = await _move(ctx, campaign_id, "publish")
    await _check(ctx, _stored_config(campaign, await _prizes(ctx, campaign.id)), pool=True)
    campaign.slices = rules.slice_count(campaign.budget_fen)
    budget = await wallet.open_budget(ctx, "campaign", str(campaign.id), campaign.name, slices=campaign.slices)
    campaign.state, campaign.budget_account_id, campaign.published_at = after, budget.id, ctx.now()
    await ctx.session.flush()
    await spend.open_total(ctx, campaign)
    forget_live(ctx)
    identity.record_audit(ctx, "campaign.published", "campaign", campaign.id, {"budget_account_id": budget.id})
    return await _read(ctx, campaign)


async def _simple_move(ctx: Ctx, campaign_id: int, action: rules.Action) -> CampaignRead:
    campaign, after = await _move(ctx, campaign_id, action)
    campaign.state = after
    if after == "ended":
        campaign.ended_at = ctx.now()
    await ctx.session.flush()
    forget_live(ctx)
    identity.record_audit(ctx, f"campaign.{action}", "campaign", campaign.id, {"state": after})
    return await _read(ctx, campaign)


async def pause_campaign(ctx: Ctx, campaign_id: int) -> CampaignRead:
    return await _simple_move(ctx, campaign_id, "pause")


async def resume_campaign(ctx: Ctx, campaign_id: int) -> CampaignRead:
    return await _simple_move(ctx, campaign_id, "resume")


async def end_campaign(ctx: Ctx, campaign_id: int) -> CampaignRead:
    """End it for good (its wallet budget stays for finance to release or close)."""
    return await _simple_move(ctx, campaign_id, "end")


async def get_campaign(ctx: Ctx, campaign_id: int) -> CampaignRead:
    ctx.require(CAMPAIGNS_READ.name)
    return await _read(ctx, await load_campaign(ctx, campaign_id))


async def list_campaigns(ctx: Ctx, filters: CampaignFilter, limit: int, before_id: int | None) -> list[CampaignRead]:
    """Up to ``limit + 1`` campaigns, newest first; ``filters.state`` is the effective state now."""
    ctx.require(CAMPAIGNS_READ.name)
    now = ctx.now()
    rows = await repo.list_campaigns(ctx.session, filters, limit + 1, before_id, now)
    prizes = await read_prizes(ctx, [c.id for c in rows])
    spent = await spend.spent(ctx, [c.id for c in rows])
    return [read_campaign(c, prizes[c.id], now, spent[c.id]) for c in rows]


async def simulate_campaign(ctx: Ctx, campaign_id: int, expected_scans: int) -> Simulation:
    """The expected cost and prize distribution of ``expected_scans`` more valid scans, from the
    stock and budget left now (simulation.py)."""
    ctx.require(CAMPAIGNS_READ.name)
    campaign = await _read(ctx, await load_campaign(ctx, campaign_id))
    problems = _pool_problems(_stored_prizes(campaign.prizes), campaign.budget_fen)
    if problems:
        raise Invalid("the prize pool cannot be drawn from or paid", problems)
    outcome = simulation.simulate(
        [prize_state(p) for p in campaign.prizes], campaign.budget_fen - campaign.spent_fen, expected_scans
    )
    return Simulation(
        expected_scans=expected_scans,
        expected_cost_fen=round(outcome.cost, 2),
        budget_fen=campaign.budget_fen,
        budget_exhausted_at_scan=outcome.budget_exhausted_at,
        unawarded_scans=outcome.unawarded,
        prizes=[
            PrizeForecast(prize_id=f.prize.id, name=p.name, kind=p.kind, expected_count=f.count,
                          expected_cost_fen=round(f.cost, 2), runs_out_at_scan=f.runs_out_at)
            for f, p in zip(outcome.forecasts, campaign.prizes, strict=True)
        ],
    )  # fmt: skip
