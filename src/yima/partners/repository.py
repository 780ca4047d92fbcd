"""Every SQL statement of the partners context.

``regions`` arguments carry a regional manager's regions (``Actor.region_codes``; None: the whole
brand): ``_visible_dealers``, ``_visible_stores`` and ``_visible_roles`` are the one place lists
and reads of dealers, stores and channel roles are narrowed to them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, delete, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from yima.partners import rules
from yima.partners.models import (
    ChannelRole,
    ChannelSession,
    Dealer,
    DealerTerritory,
    Store,
    Warehouse,
    WarehouseLocation,
)
from yima.partners.schemas import ChannelRoleFilter, DealerFilter, StoreFilter, WarehouseFilter
from yima.platform.db.base import IdMixin, newest_first
from yima.platform.db.tenancy import ALL_TENANTS

T = TypeVar("T")
M = TypeVar("M", bound=IdMixin)
Regions = Sequence[str] | None
# Keeps IN (...) lists well under SQLite's and asyncpg's bound-parameter limits.
CHUNK = 1000


def add(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)


def _chunks(values: Sequence[T]) -> Iterable[Sequence[T]]:
    return (values[i : i + CHUNK] for i in range(0, len(values), CHUNK))


async def _by_ids(session: AsyncSession, model: type[M], ids: Iterable[int]) -> dict[int, M]:
    found: dict[int, M] = {}
    for chunk in _chunks(sorted(set(ids))):
        rows = await session.scalars(select(model).where(model.id.in_(chunk)))
        found.update((row.id, row) for row in rows)
    return found


async def _by_codes(session: AsyncSession, query: Select[Any], model: Any, codes: Iterable[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(set(codes))):
        found.update((row.code, row) for row in await session.scalars(query.where(model.code.in_(chunk))))
    return found


def _search(q: str | None, *columns: InstrumentedAttribute[Any]) -> ColumnElement[bool] | None:
    if not q or not q.strip():
        return None
    return or_(*(column.icontains(q.strip(), autoescape=True) for column in columns))


def _within(column: InstrumentedAttribute[Any], regions: Collection[str]) -> ColumnElement[bool]:
    """The column's region code lies in one of ``regions``."""
    if not regions:
        return false()
    return or_(*(column.startswith(rules.code_prefix(r), autoescape=True) for r in sorted(set(regions))))


def _overlapping_territories(regions: Collection[str]) -> Select[Any]:
    """Dealers whose territory shares a place with ``regions``: a territory code inside one of
    them, or one enclosing one of them (a province territory overlaps a city)."""
    enclosing = sorted({code for r in regions for code in rules.enclosing(r)})
    return select(DealerTerritory.dealer_id).where(
        or_(_within(DealerTerritory.region_code, regions), DealerTerritory.region_code.in_(enclosing))
    )


def _visible_dealers(query: Select[Any], regions: Regions) -> Select[Any]:
    if regions is None:
        return query
    return query.where(or_(_within(Dealer.region_code, regions), Dealer.id.in_(_overlapping_territories(regions))))


def _visible_stores(query: Select[Any], regions: Regions) -> Select[Any]:
    return query if regions is None else query.where(_within(Store.region_code, regions))


def _visible_roles(query: Select[Any], regions: Regions) -> Select[Any]:
    """Roles at a store or a dealer the regions see, or of an area guide group inside them (a
    brand's own salesman, tied to no place, is seen by the whole brand's staff only)."""
    if regions is None:
        return query
    return query.where(
        or_(
            ChannelRole.store_id.in_(_visible_stores(select(Store.id), regions)),
            ChannelRole.dealer_id.in_(_visible_dealers(select(Dealer.id), regions)),
            _within(ChannelRole.region_code, regions),
        )
    )


# warehouses -------------------------------------------------------------------------------------


async def get_warehouse(session: AsyncSession, warehouse_id: int) -> Warehouse | None:
    return await session.get(Warehouse, warehouse_id)


async def warehouses_by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, Warehouse]:
    return await _by_ids(session, Warehouse, ids)


async def warehouses_by_codes(session: AsyncSession, codes: Iterable[str]) -> dict[str, Warehouse]:
    return await _by_codes(session, select(Warehouse), Warehouse, codes)


def _warehouses(filters: WarehouseFilter) -> Select[Any]:
    query = select(Warehouse)
    found = _search(filters.q, Warehouse.code, Warehouse.name, Warehouse.address)
    if found is not None:
        query = query.where(found)
    if filters.kind:
        query = query.where(Warehouse.kind == filters.kind)
    if filters.active is not None:
        query = query.where(Warehouse.active.is_(filters.active))
    return query


async def list_warehouses(
    session: AsyncSession, filters: WarehouseFilter, limit: int, before_id: int | None
) -> list[Warehouse]:
    query = newest_first(_warehouses(filters), Warehouse, limit, before_id)
    return list((await session.scalars(query)).all())


async def iter_warehouses(session: AsyncSession, filters: WarehouseFilter) -> AsyncIterator[list[Warehouse]]:
    async for batch in _oldest_first(session, _warehouses(filters), Warehouse):
        yield batch


async def location_counts(session: AsyncSession, warehouse_ids: Sequence[int]) -> dict[int, int]:
    if not warehouse_ids:
        return {}
    query = (
        select(WarehouseLocation.warehouse_id, func.count())
        .where(WarehouseLocation.warehouse_id.in_(warehouse_ids))
        .group_by(WarehouseLocation.warehouse_id)
    )
    return {warehouse_id: int(count) for warehouse_id, count in (await session.execute(query)).all()}


async def get_location(session: AsyncSession, location_id: int) -> WarehouseLocation | None:
    return await session.get(WarehouseLocation, location_id)


async def location_by_code(session: AsyncSession, warehouse_id: int, code: str) -> WarehouseLocation | None:
    query = select(WarehouseLocation).where(
        WarehouseLocation.warehouse_id == warehouse_id, WarehouseLocation.code == code
    )
    return (await session.scalars(query)).first()


async def list_locations(
    session: AsyncSession, warehouse_id: int, limit: int, before_id: int | None
) -> list[WarehouseLocation]:
    query = select(WarehouseLocation).where(WarehouseLocation.warehouse_id == warehouse_id)
    return list((await session.scalars(newest_first(query, WarehouseLocation, limit, before_id))).all())


# dealers ------------------------------------------------------------------------------------------


async def get_dealer(session: AsyncSession, dealer_id: int, regions: Regions = None) -> Dealer | None:
    query = _visible_dealers(select(Dealer).where(Dealer.id == dealer_id), regions)
    return (await session.scalars(query)).first()


async def dealers_by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, Dealer]:
    return await _by_ids(session, Dealer, ids)


async def dealers_by_codes(session: AsyncSession, codes: Iterable[str], regions: Regions = None) -> dict[str, Dealer]:
    return await _by_codes(session, _visible_dealers(select(Dealer), regions), Dealer, codes)


def _dealers(filters: DealerFilter, regions: Regions) -> Select[Any]:
    query = _visible_dealers(select(Dealer), regions)
    found = _search(filters.q, Dealer.code, Dealer.name, Dealer.contact_name, Dealer.phone)
    if found is not None:
        query = query.where(found)
    if filters.active is not None:
        query = query.where(Dealer.active.is_(filters.active))
    if filters.region:
        query = _visible_dealers(query, [filters.region])
    return query


async def list_dealers(
    session: AsyncSession, filters: DealerFilter, regions: Regions, limit: int, before_id: int | None
) -> list[Dealer]:
    query = newest_first(_dealers(filters, regions), Dealer, limit, before_id)
    return list((await session.scalars(query)).all())


async def iter_dealers(session: AsyncSession, filters: DealerFilter, regions: Regions) -> AsyncIterator[list[Dealer]]:
    async for batch in _oldest_first(session, _dealers(filters, regions), Dealer):
        yield batch


async def territories(session: AsyncSession, dealer_ids: Sequence[int]) -> dict[int, set[str]]:
    """Each dealer's territory codes (a dealer without any is absent)."""
    found: dict[int, set[str]] = {}
    for chunk in _chunks(sorted(set(dealer_ids))):
        query = select(DealerTerritory.dealer_id, DealerTerritory.region_code).where(
            DealerTerritory.dealer_id.in_(chunk)
        )
        for dealer_id, code in (await session.execute(query)).all():
            found.setdefault(dealer_id, set()).add(code)
    return found


async def replace_territory(session: AsyncSession, tenant_id: int, dealer_id: int, codes: Collection[str]) -> None:
    """The dealer's territory becomes exactly ``codes``: rows no longer listed go, new ones come."""
    current = (await territories(session, [dealer_id])).get(dealer_id, set())
    gone = sorted(current - set(codes))
    if gone:
        await session.execute(
            delete(DealerTerritory).where(DealerTerritory.dealer_id == dealer_id, DealerTerritory.region_code.in_(gone))
        )
    session.add_all(
        DealerTerritory(tenant_id=tenant_id, dealer_id=dealer_id, region_code=code)
        for code in sorted(set(codes) - current)
    )


async def dealers_covering(session: AsyncSession, region_code: str) -> list[int]:
    """Dealers whose territory lists the region, its city or its province (active or not)."""
    query = (
        select(DealerTerritory.dealer_id)
        .where(DealerTerritory.region_code.in_(sorted(rules.enclosing(region_code))))
        .distinct()
        .order_by(DealerTerritory.dealer_id)
    )
    return list((await session.scalars(query)).all())


async def store_counts(session: AsyncSession, dealer_ids: Sequence[int]) -> dict[int, int]:
    if not dealer_ids:
        return {}
    query = select(Store.dealer_id, func.count()).where(Store.dealer_id.in_(dealer_ids)).group_by(Store.dealer_id)
    return {dealer_id: int(count) for dealer_id, count in (await session.execute(query)).all() if dealer_id}


# stores -------------------------------------------------------------------------------------------


async def get_store(session: AsyncSession, store_id: int, regions: Regions = None) -> Store | None:
    query = _visible_stores(select(Store).where(Store.id == store_id), regions)
    return (await session.scalars(query)).first()


async def stores_by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, Store]:
    return await _by_ids(session, Store, ids)


async def stores_by_codes(session: AsyncSession, codes: Iterable[str], regions: Regions = None) -> dict[str, Store]:
    return await _by_codes(session, _visible_stores(select(Store), regions), Store, codes)


def _stores(filters: StoreFilter, regions: Regions) -> Select[Any]:
    query = _visible_stores(select(Store), regions)
    found = _search(filters.q, Store.code, Store.name, Store.owner_name, Store.owner_phone, Store.address)
    if found is not None:
        query = query.where(found)
    if filters.active is not None:
        query = query.where(Store.active.is_(filters.active))
    if filters.region:
        query = query.where(_within(Store.region_code, [filters.region]))
    if filters.dealer_id:
        query = query.where(Store.dealer_id == filters.dealer_id)
    if filters.grade:
        query = query.where(Store.grade == filters.grade)
    if filters.salesman_id:
        query = query.where(Store.salesman_id == filters.salesman_id)
    return query


async def list_stores(
    session: AsyncSession, filters: StoreFilter, regions: Regions, limit: int, before_id: int | None
) -> list[Store]:
    query = newest_first(_stores(filters, regions), Store, limit, before_id)
    return list((await session.scalars(query)).all())


async def iter_stores(session: AsyncSession, filters: StoreFilter, regions: Regions) -> AsyncIterator[list[Store]]:
    async for batch in _oldest_first(session, _stores(filters, regions), Store):
        yield batch


async def _oldest_first(session: AsyncSession, query: Select[Any], model: type[M]) -> AsyncIterator[list[M]]:
    """Every row of ``query``, oldest first, in batches (for the exports)."""
    after = 0
    while True:
        batch = list((await session.scalars(query.where(model.id > after).order_by(model.id).limit(CHUNK))).all())
        if not batch:
            return
        yield batch
        after = batch[-1].id


# channel accounts ---------------------------------------------------------------------------------


async def get_role(session: AsyncSession, role_id: int, regions: Regions = None) -> ChannelRole | None:
    if regions is None:
        return await session.get(ChannelRole, role_id)
    query = _visible_roles(select(ChannelRole).where(ChannelRole.id == role_id), regions)
    return (await session.scalars(query)).first()


async def roles_of(session: AsyncSession, person_id: int, status: str | None = None) -> list[ChannelRole]:
    query = select(ChannelRole).where(ChannelRole.person_id == person_id).order_by(ChannelRole.id)
    if status is not None:
        query = query.where(ChannelRole.status == status)
    return list((await session.scalars(query)).all())


async def roles_by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, ChannelRole]:
    return await _by_ids(session, ChannelRole, ids)


async def find_role(
    session: AsyncSession, person_id: int, kind: str, dealer_id: int | None, store_id: int | None,
    region_code: str | None = None,
) -> ChannelRole | None:  # fmt: skip
    ties = (
        (ChannelRole.dealer_id, dealer_id),
        (ChannelRole.store_id, store_id),
        (ChannelRole.region_code, region_code),
    )
    query = select(ChannelRole).where(
        ChannelRole.person_id == person_id,
        ChannelRole.kind == kind,
        *(column.is_(None) if value is None else column == value for column, value in ties),
    )
    return (await session.scalars(query)).first()


async def active_roles(
    session: AsyncSession, kind: str, *, store_id: int | None = None, region_code: str | None = None
) -> list[ChannelRole]:
    """The active roles of ``kind`` at a store or in a district (area guides), oldest first."""
    query = select(ChannelRole).where(ChannelRole.kind == kind, ChannelRole.status == "active")
    if store_id is not None:
        query = query.where(ChannelRole.store_id == store_id)
    if region_code is not None:
        query = query.where(ChannelRole.region_code == region_code)
    return list((await session.scalars(query.order_by(ChannelRole.id))).all())


async def stores_of_salesman(session: AsyncSession, role_id: int, regions: Regions = None) -> list[Store]:
    query = _visible_stores(select(Store).where(Store.salesman_id == role_id), regions)
    return list((await session.scalars(query.order_by(Store.code))).all())


async def list_roles(
    session: AsyncSession, filters: ChannelRoleFilter, person_ids: Sequence[int] | None, limit: int,
    before_id: int | None, regions: Regions = None,
) -> list[ChannelRole]:  # fmt: skip
    """Roles by the filter; ``person_ids`` (the persons of a phone) narrows them when given."""
    query = newest_first(_visible_roles(_roles(filters, person_ids), regions), ChannelRole, limit, before_id)
    return list((await session.scalars(query)).all())


async def iter_roles(
    session: AsyncSession, filters: ChannelRoleFilter, regions: Regions = None
) -> AsyncIterator[list[ChannelRole]]:
    async for batch in _oldest_first(session, _visible_roles(_roles(filters, None), regions), ChannelRole):
        yield batch


def _roles(filters: ChannelRoleFilter, person_ids: Sequence[int] | None) -> Select[Any]:
    query = select(ChannelRole)
    for column, value in (
        (ChannelRole.kind, filters.kind),
        (ChannelRole.status, filters.status),
        (ChannelRole.dealer_id, filters.dealer_id),
        (ChannelRole.store_id, filters.store_id),
        (ChannelRole.region_code, filters.region_code),
    ):
        if value is not None:
            query = query.where(column == value)
    if person_ids is not None:
        query = query.where(ChannelRole.person_id.in_(person_ids))
    return query


async def move_roles(session: AsyncSession, from_person: int, into_person: int) -> None:
    """A merged person's roles become the survivor's; one the survivor holds already goes, and
    the stores it looked after as salesman pass to the survivor's same role."""
    held = {(r.kind, r.dealer_id, r.store_id, r.region_code): r.id for r in await roles_of(session, into_person)}
    for role in await roles_of(session, from_person):
        same = held.get((role.kind, role.dealer_id, role.store_id, role.region_code))
        if same is not None:
            await session.execute(update(Store).where(Store.salesman_id == role.id).values(salesman_id=same))
            await session.delete(role)
        else:
            role.person_id = into_person
    await session.execute(
        update(ChannelSession).where(ChannelSession.person_id == from_person).values(person_id=into_person)
    )
    await session.flush()


class Named(Protocol):
    id: int
    code: str
    name: str
    active: bool


async def stores_of_dealers(session: AsyncSession, dealer_ids: Sequence[int], limit: int) -> list[Store]:
    if not dealer_ids:
        return []
    query = select(Store).where(Store.dealer_id.in_(dealer_ids), Store.active.is_(True)).order_by(Store.code)
    return list((await session.scalars(query.limit(limit))).all())


async def dealers_under(session: AsyncSession, dealer_ids: Sequence[int], limit: int) -> list[Dealer]:
    if not dealer_ids:
        return []
    query = select(Dealer).where(Dealer.parent_id.in_(dealer_ids), Dealer.active.is_(True)).order_by(Dealer.code)
    return list((await session.scalars(query.limit(limit))).all())


async def active_warehouses(session: AsyncSession, limit: int) -> list[Warehouse]:
    query = select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.code).limit(limit)
    return list((await session.scalars(query)).all())


async def session_by_hash(session: AsyncSession, token_hash: str) -> ChannelSession | None:
    """Found before the brand is known (the hash is unique across brands)."""
    query = select(ChannelSession).where(ChannelSession.token_hash == token_hash)
    return (await session.scalars(query.execution_options(**{ALL_TENANTS: True}))).first()


async def payees(session: AsyncSession, kind: str, partner_ids: Collection[int]) -> dict[int, int]:
    """The person paid for each partner: its earliest active owner role (store_owner of a store,
    dealer_owner of a dealer); partners with none are left out."""
    owner = rules.OWNER_KIND[kind]
    column = ChannelRole.store_id if kind == "store" else ChannelRole.dealer_id
    query = (
        select(column, ChannelRole.person_id)
        .where(column.in_(list(partner_ids)), ChannelRole.kind == owner, ChannelRole.status == "active")
        .order_by(ChannelRole.id.desc())  # the earliest written last: it wins below
    )
    return {int(partner): int(person) for partner, person in (await session.execute(query)).all() if partner}
