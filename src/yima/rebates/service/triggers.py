"""What sets the rebates in motion: goods received by a dealer or a store (trace's
GoodsReceived), a store opening or registering goods by scanning them, a diversion found, and
a consumer's scan of a bottle.

- Bb (防窜货返利): when a dealer receives whole cases, each case's Bb rebate is credited to the
  dealer and held. A store of that same dealer signing for or opening the case releases it (paid
  now); a store of another dealer, or the goods found diverted, forfeits it.
- bC / BbC: once a store has registered goods (货权: a case by its inner code, a bottle by its
  outer code), each consumer scan of a bottle of them pays the store (and, BbC, the store's
  dealer and its salesman) once per bottle — unless the goods were found diverted.
- guide policies: the consumer's scan pays the guide who registered the bottle (导购扫码), or
  the registering store's only guide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from yima.codes import service as codes
from yima.partners import service as partners
from yima.partners.schemas import StoreRead
from yima.platform.ctx import Ctx
from yima.platform.db import direct
from yima.rebates import repository as repo
from yima.rebates import rules
from yima.rebates.rules import Registration
from yima.rebates.service.credits import credit, settle_held
from yima.rebates.service.live import LivePolicy, live_policy, running_policies
from yima.trace import service as trace


async def cases_in(ctx: Ctx, serials: Sequence[int]) -> list[int]:
    """The whole cases among the units, a pallet standing for the cases packed in it, in the
    order given (a pallet's cases by serial); units in no batch are none. Two queries however
    many units: their facts, then what the pallets among them hold."""
    facts = await codes.unit_facts_of(ctx, serials)
    levels = {serial: f.batch.level for serial, f in facts.items()}
    pallets = [serial for serial in serials if levels.get(serial) == "pallet"]
    inside = await codes.children_of(ctx, pallets) if pallets else {}
    found: list[int] = []
    for serial in serials:
        if levels.get(serial) == "case":
            found.append(serial)
        elif levels.get(serial) == "pallet":
            found.extend(child for child, level in inside.get(serial, []) if level == "case")
    return found


async def products_of(ctx: Ctx, serials: Sequence[int]) -> dict[int, int | None]:
    """serial → the product each unit is activated for (None: not activated), in one query."""
    facts = await codes.unit_facts_of(ctx, serials)
    return {s: f.assignment.product_id if f.assignment else None for s, f in facts.items()}


def unit_label(serial: int) -> str:
    return f"#{serial}"


async def hold_for_dealer(ctx: Ctx, dealer_id: int, serials: Sequence[int], trigger: str) -> int:
    """The dealer received the units: hold each whole case's Bb rebate; how many were held."""
    policies = await running_policies(ctx, ["bb"])
    if not policies:
        return 0
    dealer = await partners.lookup_dealer(ctx, dealer_id)
    held = 0
    cases = await cases_in(ctx, serials)
    products = await products_of(ctx, cases)
    for case in cases:
        for policy in policies:
            if policy.covers(products.get(case)):
                why = rules.held(policy.name, unit_label(case), dealer.name)
                held += (
                    await credit(ctx, policy, "dealer", dealer_id, case, why, trigger, dealer.region_code) is not None
                )
    return held


async def settle_for_store(ctx: Ctx, store: StoreRead, cases: Sequence[int], trigger: str) -> None:
    """A store signed for or opened the cases: release each held Bb rebate to the dealer when
    the store is that dealer's own and the goods were not found diverted, else forfeit it."""
    held = await repo.held_credits(ctx.session, cases)
    if not held:
        return
    diverted = await trace.diverted_serials(ctx, [c.serial for c in held])
    policies = await repo.policies_by_ids(ctx.session, {c.policy_id for c in held})
    for found in held:
        policy = live_policy(policies[found.policy_id])
        label = unit_label(found.serial)
        if found.serial in diverted:
            why = rules.forfeited_diverted(policy.name, label)
        elif store.dealer_id == found.receiver_id:
            why = rules.released(policy.name, label, store.name)
        else:
            why = rules.forfeited_elsewhere(policy.name, label, store.name)
        await settle_held(ctx, policy, found, why, trigger)


async def forfeit_diverted(ctx: Ctx, serial: int, trigger: str) -> None:
    """Goods were found diverted: the held Bb rebates of the case they are (or sit) in are lost."""
    chain = [serial, *(a.serial for a in await codes.ancestors(ctx, serial))]
    held = await repo.held_credits(ctx.session, [*chain, *await cases_in(ctx, [serial])])
    policies = await repo.policies_by_ids(ctx.session, {c.policy_id for c in held})
    for found in held:
        policy = live_policy(policies[found.policy_id])
        await settle_held(ctx, policy, found, rules.forfeited_diverted(policy.name, unit_label(found.serial)), trigger)


@dataclass(frozen=True)
class Payee:
    """Who a consumer scan of a bottle pays as one kind of receiver."""

    receiver_id: int  # a store or dealer; a salesman's or guide's role
    person_id: int | None  # a salesman or guide is paid themselves; a partner through its owner
    store_name: str  # named in the reason ("" for a guide who registered the bottle in no store)


async def _guide(
    ctx: Ctx, serial: int, store: StoreRead | None, first_scanned_at: dt.datetime | None
) -> Payee | None:
    """The guide who sold the bottle: the one who registered it (导购扫码) before a consumer first
    scanned it, else the registering store's guide when it has exactly one (attributed through
    the store). A guide registering a bottle already scanned did not sell it."""
    registered = (await repo.guide_registrations(ctx.session, [serial])).get(serial)
    if registered is not None and rules.registered_in_time(registered.registered_at, first_scanned_at):
        return Payee(registered.role_id, registered.person_id, "")
    guides = await partners.guides_of_store(ctx, store.id) if store else []
    if store is None or len(guides) != 1:
        return None
    return Payee(guides[0].id, guides[0].person_id, store.name)


async def _payees(
    ctx: Ctx, serial: int, registration: rules.Registration | None, paid: set[rules.Receiver],
    first_scanned_at: dt.datetime | None,
) -> dict[rules.Receiver, Payee]:  # fmt: skip
    """Who the scan pays, by receiver kind, among those a running policy pays (``paid``)."""
    store = await partners.lookup_store(ctx, registration.store_id) if registration else None
    found: dict[rules.Receiver, Payee] = {}
    if store is not None:
        found["store"] = Payee(store.id, None, store.name)
        dealer_id = registration.dealer_id if registration and registration.dealer_id else store.dealer_id
        if dealer_id is not None:
            found["dealer"] = Payee(dealer_id, None, store.name)
        if "salesman" in paid and (salesman := (await partners.salesmen_of_stores(ctx, [store.id])).get(store.id)):
            found["salesman"] = Payee(salesman.id, salesman.person_id, store.name)
    if "guide" in paid and (guide := await _guide(ctx, serial, store, first_scanned_at)):
        found["guide"] = guide
    return found


async def pay_consumer_scan(
    ctx: Ctx, serial: int, product_id: int | None, region: str | None, trigger: str,
    parents: Sequence[codes.Ancestor] | None = None, *, first_scanned_at: dt.datetime | None = None,
) -> int:  # fmt: skip
    """A consumer scanned a bottle: pay its registering store (bC), that store's dealer and
    salesman (BbC) and the guide who sold it (guide policies) once per bottle, unless the goods
    were found diverted; how many credits were written. ``parents``: the bottle's current
    ancestors when the caller has them (the scan does: ``codes.ancestors_of``), else looked up.
    ``first_scanned_at``: when a consumer first scanned the bottle (before this scan; None: never)
    — a store or guide that registered it only after that is not paid (``rules.registered_in_time``)."""
    policies = await _scan_policies(ctx, product_id)
    if not policies:
        return 0
    parents = await codes.ancestors(ctx, serial) if parents is None else parents
    later = _paying(ctx, policies, serial, region, trigger, parents, first_scanned_at)
    return int((await direct.run_together(ctx.session, [later]))[0])


async def pay_consumer_scan_later(
    ctx: Ctx, serial: int, product_id: int | None, region: str | None, trigger: str, parents: Sequence[codes.Ancestor],
    *, first_scanned_at: dt.datetime | None = None,
) -> direct.Deferred[int] | None:  # fmt: skip
    """``pay_consumer_scan`` with its first statement (the registrations) not yet run: the scan
    sends it together with other contexts' (``direct.run_together``). None: no running policy
    pays for this product's consumer scans."""
    policies = await _scan_policies(ctx, product_id)
    return _paying(ctx, policies, serial, region, trigger, parents, first_scanned_at) if policies else None


async def _scan_policies(ctx: Ctx, product_id: int | None) -> list[LivePolicy]:
    return [p for p in await running_policies(ctx, rules.ON_CONSUMER_SCAN) if p.covers(product_id)]


def _paying(
    ctx: Ctx, policies: list[LivePolicy], serial: int, region: str | None, trigger: str,
    parents: Sequence[codes.Ancestor], first_scanned_at: dt.datetime | None,
) -> direct.Deferred[int]:  # fmt: skip
    chain = [serial, *(a.serial for a in parents)]

    async def then(rows: direct.Rows) -> int:
        registered = repo.registrations_in(rows)
        registration = next((registered[s] for s in chain if s in registered), None)
        if registration is not None and not rules.registered_in_time(registration.registered_at, first_scanned_at):
            registration = None
        return await _pay_scan(ctx, policies, serial, chain, registration, region, trigger, first_scanned_at)

    return direct.Deferred(*repo.registrations_later(ctx.session, chain), then)


async def _pay_scan(
    ctx: Ctx, policies: list[LivePolicy], serial: int, chain: list[int], registration: Registration | None,
    region: str | None, trigger: str, first_scanned_at: dt.datetime | None,
) -> int:  # fmt: skip
    paid = {receiver for p in policies for receiver in p.amounts()}
    payees = await _payees(ctx, serial, registration, paid, first_scanned_at)
    if not payees or await trace.diverted_serials(ctx, chain):
        return 0
    written = 0
    for policy in policies:
        for receiver in policy.amounts():
            payee = payees.get(receiver)
            if payee is None:
                continue
            why = rules.consumer_scanned(policy.name, unit_label(serial), payee.store_name, receiver)
            written += (
                await credit(
                    ctx, policy, receiver, payee.receiver_id, serial, why, trigger, region, person_id=payee.person_id
                )
                is not None
            )
    return written
