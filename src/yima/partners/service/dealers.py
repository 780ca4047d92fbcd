"""Dealers (经销商) and their territories (经营区域): a territory is a set of province, city or
district codes; a code covers the regions under it (geo's ``in_territory``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from yima.geo import service as geo
from yima.identity import service as identity
from yima.partners import repository as repo
from yima.partners import rules
from yima.partners.models import Dealer
from yima.partners.permissions import PARTNERS_READ, PARTNERS_WRITE
from yima.partners.schemas import (
    DealerCreate,
    DealerFilter,
    DealerRead,
    DealerUpdate,
    RegionName,
    TerritoryRead,
)
from yima.partners.service import places
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict, FieldError, NotFound

_FIELDS = ("name", "contact_name", "phone", "address", "region_code", "active")


def _names(codes: Iterable[str], names: dict[str, str]) -> list[RegionName]:
    return [RegionName(code=c, name=names.get(c, c)) for c in sorted(codes)]


async def read_dealers(ctx: Ctx, dealers: Sequence[Dealer]) -> list[DealerRead]:
    ids = [d.id for d in dealers]
    territories = await repo.territories(ctx.session, ids)
    counts = await repo.store_counts(ctx.session, ids)
    codes = [d.region_code for d in dealers] + [c for codes in territories.values() for c in codes]
    names = await places.region_names(ctx, codes)
    return [
        DealerRead(
            id=d.id,
            code=d.code,
            name=d.name,
            contact_name=d.contact_name,
            phone=d.phone,
            address=d.address,
            region_code=d.region_code,
            region_name=names.get(d.region_code or ""),
            level=d.level,
            parent_id=d.parent_id,
            active=d.active,
            territory=_names(territories.get(d.id, ()), names),
            store_count=counts.get(d.id, 0),
            created_at=d.created_at,
            updated_at=d.updated_at,
        )
        for d in dealers
    ]


async def load_dealer(ctx: Ctx, dealer_id: int, *, scoped: bool = True) -> Dealer:
    """The dealer, if the actor may see it (a regional manager: seated or selling in their
    regions); NotFound otherwise, as for a dealer that does not exist."""
    dealer = await repo.get_dealer(ctx.session, dealer_id, places.scope(ctx) if scoped else None)
    if dealer is None:
        raise NotFound(f"dealer {dealer_id} not found")
    return dealer


async def replace_territory(ctx: Ctx, dealer: Dealer, codes: Sequence[str], field: str) -> dict[str, list[str]]:
    """Replace the territory (codes checked, simplified); returns what was added and removed."""
    await places.check_regions(ctx, codes, field, indexed=True)
    wanted = set(rules.simplify_territory(codes))
    current = (await repo.territories(ctx.session, [dealer.id])).get(dealer.id, set())
    await repo.replace_territory(ctx.session, ctx.tenant_id, dealer.id, wanted)
    await ctx.session.flush()
    return {"added": sorted(wanted - current), "removed": sorted(current - wanted)}


async def create_dealer(ctx: Ctx, data: DealerCreate) -> DealerRead:
    ctx.require(PARTNERS_WRITE.name)
    if await repo.dealers_by_codes(ctx.session, [data.code]):
        raise Conflict("a dealer with that code exists", [FieldError("code", "already used", "taken")])
    values = data.model_dump(exclude={"territory"})
    values["region_code"] = await places.region_of(ctx, data.region_code, data.address, None, None)
    dealer = Dealer(tenant_id=ctx.tenant_id, level=1, active=True, **values)
    repo.add(ctx.session, dealer)
    await ctx.session.flush()
    territory = await replace_territory(ctx, dealer, data.territory, "territory")
    identity.record_audit(ctx, "dealer.created", "dealer", dealer.id, values | {"territory": territory["added"]})
    return (await read_dealers(ctx, [dealer]))[0]


async def update_dealer(ctx: Ctx, dealer_id: int, data: DealerUpdate) -> DealerRead:
    ctx.require(PARTNERS_WRITE.name)
    dealer = await load_dealer(ctx, dealer_id)
    sent = data.model_dump(exclude_unset=True)
    current = {k: getattr(dealer, k) for k in _FIELDS}
    wanted = {k: v for k, v in sent.items() if k in _FIELDS and (k == "region_code" or v is not None)}
    wanted["region_code"] = await places.updated_region(ctx, current, wanted)
    diff = rules.changes(current, wanted)
    for key, (_, new) in diff.items():
        setattr(dealer, key, new)
    await ctx.session.flush()
    if diff:
        identity.record_audit(ctx, "dealer.updated", "dealer", dealer.id, diff)
    return (await read_dealers(ctx, [dealer]))[0]


async def deactivate_dealer(ctx: Ctx, dealer_id: int) -> DealerRead:
    """Stop working with a dealer (终止合作): it stays, with its stores, territory and history;
    doing it again changes nothing."""
    return await update_dealer(ctx, dealer_id, DealerUpdate(active=False))


async def get_dealer(ctx: Ctx, dealer_id: int) -> DealerRead:
    ctx.require(PARTNERS_READ.name)
    return (await read_dealers(ctx, [await load_dealer(ctx, dealer_id)]))[0]


async def list_dealers(ctx: Ctx, filters: DealerFilter, limit: int, before_id: int | None) -> list[DealerRead]:
    """Up to ``limit + 1`` dealers the actor may see, newest first (the extra one tells the edge
    a page follows)."""
    ctx.require(PARTNERS_READ.name)
    rows = await repo.list_dealers(ctx.session, filters, places.scope(ctx), limit + 1, before_id)
    return await read_dealers(ctx, rows)


async def lookup_dealer(ctx: Ctx, dealer_id: int) -> DealerRead:
    """A dealer for another context's use case (trace, rebates): no permission and no regional
    scope of its own, since the caller has checked what its use case needs. NotFound when absent."""
    return (await read_dealers(ctx, [await load_dealer(ctx, dealer_id, scoped=False)]))[0]


async def lookup_dealers(ctx: Ctx, dealer_ids: Iterable[int]) -> dict[int, DealerRead]:
    """Many dealers at once, by id (those that exist), like ``lookup_dealer``."""
    found = await repo.dealers_by_ids(ctx.session, dealer_ids)
    return {d.id: d for d in await read_dealers(ctx, list(found.values()))}


async def find_dealer(ctx: Ctx, code: str) -> DealerRead | None:
    """The dealer with ``code``, or None (no permission of its own, like the lookups)."""
    dealer = (await repo.dealers_by_codes(ctx.session, [code])).get(code)
    return (await read_dealers(ctx, [dealer]))[0] if dealer else None


# territories ------------------------------------------------------------------------------------


async def get_territory(ctx: Ctx, dealer_id: int) -> TerritoryRead:
    ctx.require(PARTNERS_READ.name)
    dealer = await load_dealer(ctx, dealer_id)
    codes = (await repo.territories(ctx.session, [dealer.id])).get(dealer.id, set())
    return TerritoryRead(dealer_id=dealer.id, regions=_names(codes, await places.region_names(ctx, codes)))


async def set_territory(ctx: Ctx, dealer_id: int, region_codes: Sequence[str]) -> TerritoryRead:
    """The dealer's territory becomes exactly ``region_codes`` (each must be a GB/T 2260 region;
    a code another listed code covers is dropped: the same places, said once)."""
    ctx.require(PARTNERS_WRITE.name)
    dealer = await load_dealer(ctx, dealer_id)
    change = await replace_territory(ctx, dealer, region_codes, "regions")
    if change["added"] or change["removed"]:
        identity.record_audit(ctx, "dealer.territory_set", "dealer", dealer.id, change | {"code": dealer.code})
    return await get_territory(ctx, dealer.id)


async def territory_of(ctx: Ctx, dealer_id: int) -> frozenset[str]:
    """The dealer's territory codes, for another context (trace's diversion check): no
    permission of its own. Empty when none is set (then no region is inside). NotFound when the
    dealer does not exist."""
    dealer = await load_dealer(ctx, dealer_id, scoped=False)
    return frozenset((await repo.territories(ctx.session, [dealer.id])).get(dealer.id, ()))


async def territories_of(ctx: Ctx, dealer_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """Many dealers' territories in one query (an empty set for a dealer without one; ids of no
    dealer are left out), like ``territory_of``."""
    ids = sorted(set(dealer_ids))
    existing = await repo.dealers_by_ids(ctx.session, ids)
    found = await repo.territories(ctx.session, list(existing))
    return {i: frozenset(found.get(i, ())) for i in existing}


async def dealer_covers(ctx: Ctx, dealer_id: int, region_code: str) -> bool:
    """Is ``region_code`` inside the dealer's territory? (No permission of its own.)"""
    return geo.in_territory(region_code, await territory_of(ctx, dealer_id))


async def dealers_covering(ctx: Ctx, region_code: str) -> list[int]:
    """The ids of the dealers whose territory covers ``region_code`` (whose territory goods
    scanned there were diverted into). No permission of its own."""
    return await repo.dealers_covering(ctx.session, region_code)
