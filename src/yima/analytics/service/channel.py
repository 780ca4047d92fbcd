"""返利看板 / 渠道指标: how much of what reached the channel its people scanned, against the
seeds' norms (consumers 2–3% of bottles, stores 80–90% of cases), what the rebates cost by
policy, region and dealer, and the Bb rebates held, released and forfeited.

- consumer scan rate: distinct bottles consumers scanned / bottles activated in the period;
- store scan rate: cases stores registered (开箱 / 货权登记) / cases dealers and stores received;
- cost: paid and released credits, by the time of their latest change; a store's credit counts
  for its dealer.

The figures come from codes (activations), trace (receipts), scans (consumer scans) and rebates
(registrations and credits), through their services: analytics sits above them all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from yima.analytics.schemas import ChannelMetrics, CostRow, MetricsPeriod, ScanRate
from yima.codes import service as codes
from yima.geo import service as geo
from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Invalid
from yima.rebates import service as rebates
from yima.rebates.permissions import REBATES_READ
from yima.scans import service as scans
from yima.trace import service as trace

DEFAULT_DAYS = 30
MAX_DAYS = 366
CONSUMER_NORM = (0.02, 0.03)  # of bottles (DOMAIN.md §10)
STORE_NORM = (0.80, 0.90)  # of cases
NO_DEALER = "未归属经销商"  # stores without a dealer, the brand's own salesmen, areas' guide groups


def _days(ctx: Ctx, period: MetricsPeriod) -> tuple[dt.date, dt.date]:
    today = ctx.local(ctx.now()).date()
    until = period.until or today
    since = period.since or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise Invalid("the period ends before it starts", [FieldError("since", "after until", "bad_period")])
    if (until - since).days >= MAX_DAYS:
        raise Invalid(f"a period spans {MAX_DAYS} days at most", [FieldError("since", "too early", "bad_period")])
    return since, until


def _moment(ctx: Ctx, day: dt.date) -> dt.datetime:
    """The UTC moment a tenant-local day starts."""
    zone = ctx.local(ctx.now()).tzinfo
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def _rate(scanned: int | None, base: int) -> float | None:
    return None if scanned is None or base == 0 else scanned / base


async def _scan_rates(ctx: Ctx, since: dt.datetime, until: dt.datetime) -> list[ScanRate]:
    runs = await codes.activated_runs(ctx, "bottle")
    bottles = sum(last - first + 1 for first, last, at in runs if since <= at < until)
    cases = [(first, last) for first, last, _ in await codes.activated_runs(ctx, "case")]
    received = await trace.units_received(ctx, since, until, cases)
    opened = await rebates.registered_between(ctx, since, until, cases)
    consumers = await scans.consumer_bottles_scanned(ctx, since, until)
    return [
        ScanRate(
            role="consumer", role_name="消费者扫码率", scanned=consumers, base=bottles, rate=_rate(consumers, bottles),
            norm_low=CONSUMER_NORM[0], norm_high=CONSUMER_NORM[1],
            why="消费者扫码的瓶数（去重）÷ 期间激活的瓶数",
        ),
        ScanRate(
            role="store", role_name="门店扫码率", scanned=opened, base=received, rate=_rate(opened, received),
            norm_low=STORE_NORM[0], norm_high=STORE_NORM[1],
            why="门店开箱登记的箱数 ÷ 期间经销商和门店收货的箱数",
        ),
    ]  # fmt: skip


def _rows(totals: Iterable[tuple[str, str, int, int]]) -> list[CostRow]:
    rows = [CostRow(key=k, name=n, count=c, amount_fen=a) for k, n, c, a in totals]
    return sorted(rows, key=lambda r: (-r.amount_fen, r.key))


async def _by_policy(ctx: Ctx, since: dt.datetime, until: dt.datetime) -> list[CostRow]:
    found = await rebates.credit_totals(ctx, since, until, "policy", paid_only=True)
    names = await rebates.policy_names(ctx, {p for p, _, _ in found})
    return _rows((str(p), names[p], c, a) for p, c, a in found)


async def _by_region(ctx: Ctx, since: dt.datetime, until: dt.datetime) -> list[CostRow]:
    found = await rebates.credit_totals(ctx, since, until, "region", paid_only=True)
    regions = await geo.regions_by_codes(ctx, [code for code, _, _ in found if code])
    name = {code: r.full_name for code, r in regions.items()}
    return _rows((code or "", name.get(code or "", "未定位"), c, a) for code, c, a in found)


async def _dealers_of(ctx: Ctx, found: list[tuple[Any, ...]]) -> dict[tuple[str, int], int | None]:
    """(receiver kind, id) → the dealer a credit's cost belongs to: a dealer itself; a store's
    dealer; a salesman's dealer (None: the brand's own); a guide's store's dealer (None: an
    area's guide group)."""
    roles = await partners.lookup_roles(ctx, {i for kind, i, _, _ in found if kind in ("salesman", "guide")})
    store_ids = {i for kind, i, _, _ in found if kind == "store"} | {r.store_id for r in roles.values() if r.store_id}
    stores = await partners.lookup_stores(ctx, store_ids)
    dealer_of: dict[tuple[str, int], int | None] = {}
    for kind, receiver_id, _, _ in found:
        role = roles.get(receiver_id) if kind in ("salesman", "guide") else None
        if kind == "dealer":
            dealer_id = receiver_id
        elif kind == "salesman":
            dealer_id = role.dealer_id if role else None
        else:
            store = stores.get(receiver_id if kind == "store" else role.store_id if role and role.store_id else 0)
            dealer_id = store.dealer_id if store else None
        dealer_of[kind, receiver_id] = dealer_id
    return dealer_of


async def _by_dealer(ctx: Ctx, since: dt.datetime, until: dt.datetime) -> list[CostRow]:
    found = await rebates.credit_totals(ctx, since, until, "receiver", paid_only=True)
    dealer_of = await _dealers_of(ctx, found)
    totals: dict[int | None, tuple[int, int]] = {}
    for kind, receiver_id, count, amount in found:
        dealer_id = dealer_of[kind, receiver_id]
        before = totals.get(dealer_id, (0, 0))
        totals[dealer_id] = (before[0] + count, before[1] + amount)
    dealers = await partners.lookup_dealers(ctx, {d for d in totals if d is not None})
    return _rows((str(d or ""), dealers[d].name if d in dealers else NO_DEALER, c, a) for d, (c, a) in totals.items())


async def channel_metrics(ctx: Ctx, period: MetricsPeriod) -> ChannelMetrics:
    """The channel's figures over a period of local days; for those who read the rebates."""
    ctx.require(REBATES_READ.name)
    first, last = _days(ctx, period)
    since, until = _moment(ctx, first), _moment(ctx, last + dt.timedelta(days=1))
    by_policy = await _by_policy(ctx, since, until)
    bb = await rebates.credit_totals(ctx, since, until, "state", kinds=["bb"])
    return ChannelMetrics(
        since=first, until=last, scan_rates=await _scan_rates(ctx, since, until),
        cost_fen=sum(r.amount_fen for r in by_policy), by_policy=by_policy,
        by_region=await _by_region(ctx, since, until), by_dealer=await _by_dealer(ctx, since, until),
        bb=rebates.state_totals(bb),
    )  # fmt: skip
