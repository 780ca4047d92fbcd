"""Logistics operations, packing events, custody inheritance, store sign-for diversion."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.catalog.factories import create_product, create_spec
from tests.codes.factories import activate, create_batch, create_supplier
from tests.identity.factories import create_tenant, system
from tests.partners.factories import create_dealer, create_store, create_warehouse
from yima.codes import service as codes
from yima.codes.schemas import BlockCreate, PackOperation, PackRequest, SerialRange, UnpackRequest
from yima.codes.tokens import Face
from yima.platform.db.session import Database
from yima.platform.errors import Invalid
from yima.platform.outbox.runner import Runner
from yima.trace import repository as repo
from yima.trace import service as trace
from yima.trace.models import EpcisEvent
from yima.trace.schemas import DiversionFilter, LogisticsResult, PartyRef, Receipt, Shipment, WarehouseIn


async def _line(db: Database) -> tuple[list[str], list[str], list[int], list[int]]:
    """Two cases of 6 bottles, packed; returns (bottle tokens, case tokens, bottle serials, case serials)."""
    await create_tenant(db, "acme")
    spec = await create_spec(db, "acme", bottles_per_case=6, cases_per_pallet=2)
    product = await create_product(db, "acme", packaging_spec_id=spec.id, gtin="06901234567892")
    supplier = await create_supplier(db, "acme")
    bottles = await create_batch(db, "acme", "bottle", 14, supplier_id=supplier, product_id=product.id)
    cases = await create_batch(db, "acme", "case", 2, supplier_id=supplier)
    await activate(db, "acme", bottles.first_serial, bottles.last_serial - 2, product.id)  # the last 2: inactive
    await activate(db, "acme", cases.first_serial, cases.last_serial, product.id)
    b_serials = list(range(bottles.first_serial, bottles.last_serial + 1))
    c_serials = list(range(cases.first_serial, cases.last_serial + 1))
    async with system(db, "acme") as ctx:
        brand = await codes.codec(ctx)
        b = [brand.encode(s, Face.OUTER) for s in b_serials]
        c = [brand.encode(s, Face.OUTER) for s in c_serials]
        ops = [PackOperation(parent=c[i], children=b[6 * i : 6 * i + 6]) for i in range(2)]
        await codes.pack(ctx, PackRequest(operations=ops))
    return b, c, b_serials, c_serials


async def _count(db: Database) -> int:
    async with system(db, "acme") as ctx:
        return int(await ctx.session.scalar(select(func.count()).select_from(EpcisEvent)) or 0)


async def test_packing_is_recorded_once_and_every_printed_form_meets(db: Database, runner: Runner) -> None:
    b, _c, b_serials, c_serials = await _line(db)
    await runner.drain()
    assert await _count(db) == 2  # one AggregationEvent per case
    async with system(db, "acme") as ctx:
        events = await repo.events_of_units(ctx.session, [b_serials[0]], 10)
        assert [(e.event_type, e.action, e.biz_step, role) for e, _, role in events] == [
            ("AggregationEvent", "ADD", "packing", "child")
        ]
        # a re-delivered message stores nothing new
        from yima.codes.events import UnitsPacked
        from yima.trace.handlers import record_packing

        await record_packing(
            ctx,
            UnitsPacked(
                at=events[0][0].event_time, links=[(b_serials[i], c_serials[i // 6]) for i in range(12)], by="x"
            ),
        )
        brand = await codes.codec(ctx)
        inner = brand.encode(b_serials[0], Face.INNER)
        other_forms = [f"https://other.example.cn/c/{inner.lower()}", f"https://m.brand.cn/01/06901234567892/21/{b[0]}"]
        event = {
            "type": "ObjectEvent",
            "eventTime": "2030-01-01T00:00:00Z",
            "eventTimeZoneOffset": "+08:00",
            "epcList": other_forms,
            "action": "OBSERVE",
            "bizStep": "inspecting",
        }
        await trace.capture_events(ctx, [event], source="test")
        found = await repo.events_of_units(ctx.session, [b_serials[0]], 10)
        assert [e.biz_step for e, _, _ in found] == ["packing", "inspecting", "inspecting"]  # both forms, one event
    assert await _count(db) == 3  # two packing events (the re-delivered ones were known) and the observation


async def test_codes_are_checked_first_and_every_problem_listed(db: Database) -> None:
    b, c, b_serials, _ = await _line(db)
    warehouse = await create_warehouse(db, "acme")
    async with system(db, "acme") as ctx:
        await codes.block(
            ctx,
            BlockCreate(
                kind="void", range=SerialRange(serial_from=b_serials[1], serial_to=b_serials[1]), reason="damaged"
            ),
        )
    async with system(db, "acme") as ctx:
        with pytest.raises(Invalid) as caught:
            await trace.warehouse_in(ctx, WarehouseIn(codes=[c[0], "NOTACODE", b[1], b[-1]], warehouse_id=warehouse.id))
    assert [(d.field, d.code) for d in caught.value.details] == [
        ("codes[1]", "unknown_code"),
        ("codes[2]", "voided"),
        ("codes[3]", "inactive"),
    ]
    assert await _count(db) == 0


async def test_custody_is_inherited_and_a_units_own_later_event_overrides(db: Database, runner: Runner) -> None:
    b, c, b_serials, c_serials = await _line(db)
    await runner.drain()
    warehouse = await create_warehouse(db, "acme")
    dealer = await create_dealer(db, "acme", territory=("510100",))
    other = await create_dealer(db, "acme", territory=("610100",))
    async with system(db, "acme") as ctx:
        await trace.warehouse_in(ctx, WarehouseIn(codes=[c[0]], warehouse_id=warehouse.id))
        held = await trace.holder_of(ctx, b_serials[0])
        assert held is not None and held.warehouse_id == warehouse.id and held.inherited_from == c_serials[0]
        source = PartyRef(kind="warehouse", id=warehouse.id)
        await trace.ship(ctx, Shipment(codes=[c[0]], source=source, destination=PartyRef(kind="dealer", id=dealer.id)))
        await trace.ship(ctx, Shipment(codes=[b[2]], source=source, destination=PartyRef(kind="dealer", id=other.id)))
        first, third = await trace.holder_of(ctx, b_serials[0]), await trace.holder_of(ctx, b_serials[2])
        assert first is not None and first.dealer_id == dealer.id and first.place is None
        assert third is not None and third.dealer_id == other.id and third.inherited_from is None
        assert await trace.holder_of(ctx, b_serials[6]) is None  # the other case never moved
        await codes.unpack(ctx, UnpackRequest(codes=[c[0]]))
    await runner.drain()
    async with system(db, "acme") as ctx:  # unpacked: what happened while it sat in the case still counts
        held = await trace.holder_of(ctx, b_serials[0])
        assert held is not None and held.dealer_id == dealer.id and held.inherited_from == c_serials[0]


async def _signed_far_away(db: Database, case: str) -> tuple[int, int, LogisticsResult]:
    """``case`` shipped to a Chengdu dealer and signed for by a store of his in 昆明: (the dealer,
    the store, the sign-for)."""
    warehouse = await create_warehouse(db, "acme")
    dealer = await create_dealer(db, "acme", territory=("510100",))
    far_store = await create_store(db, "acme", dealer.id, region_code="530102")  # 昆明
    async with system(db, "acme") as ctx:
        source = PartyRef(kind="warehouse", id=warehouse.id)
        await trace.ship(ctx, Shipment(codes=[case], source=source, destination=PartyRef(kind="dealer", id=dealer.id)))
        signed = await trace.receive(ctx, Receipt(codes=[case], receiver=PartyRef(kind="store", id=far_store.id)))
    return dealer.id, far_store.id, signed


async def test_a_store_outside_the_dealers_territory_signing_for_goods_is_diversion(db: Database) -> None:
    _b, c, b_serials, c_serials = await _line(db)
    dealer_id, store_id, signed = await _signed_far_away(db, c[1])
    async with system(db, "acme") as ctx:
        assert signed.diversions == 1
        assert await trace.is_diverted(ctx, c_serials[1]) and not await trace.is_diverted(ctx, b_serials[0])
        held = await trace.holder_of(ctx, b_serials[6])
        assert held is not None and held.store_id == store_id and held.dealer_id == dealer_id
        # the same sign-for checked again records nothing new
        again = await trace.check_diversion(ctx, c_serials[1], None, None, "530102", "store_signin", signed.event_id)
        assert again is not None
        listed = await trace.list_diversions(ctx, DiversionFilter(), 10, None)
        assert [(d.serial, d.source, d.dealer_id, d.level) for d in listed] == [
            (c_serials[1], "store_signin", dealer_id, "case")
        ]
        assert listed[0].distance_km is not None and listed[0].distance_km > 500


async def test_a_store_signing_for_goods_of_two_dealers_keeps_each_dealers_goods_his(db: Database) -> None:
    """Goods shipped to a Chengdu dealer and to a Chongqing dealer, signed for together by a
    Chongqing store: the Chengdu goods are diversion (against the Chengdu dealer), the Chongqing
    goods are not — whichever is scanned first."""
    _b, c, b_serials, c_serials = await _line(db)
    warehouse = await create_warehouse(db, "acme")
    chengdu = await create_dealer(db, "acme", territory=("510100",))
    chongqing = await create_dealer(db, "acme", territory=("500000",))
    store = await create_store(db, "acme", chongqing.id, region_code="500103")
    async with system(db, "acme") as ctx:
        source = PartyRef(kind="warehouse", id=warehouse.id)
        for case, dealer in ((c[0], chengdu), (c[1], chongqing)):
            await trace.ship(
                ctx, Shipment(codes=[case], source=source, destination=PartyRef(kind="dealer", id=dealer.id))
            )
        signed = await trace.receive(ctx, Receipt(codes=[c[1], c[0]], receiver=PartyRef(kind="store", id=store.id)))
        assert signed.diversions == 1 and len(signed.event_ids) == 2 and signed.event_id == signed.event_ids[0]
        assert await trace.is_diverted(ctx, c_serials[0]) and not await trace.is_diverted(ctx, c_serials[1])
        listed = await trace.list_diversions(ctx, DiversionFilter(), 10, None)
        assert [(d.serial, d.dealer_id, d.store_id) for d in listed] == [(c_serials[0], chengdu.id, store.id)]
        for bottle, dealer in ((b_serials[0], chengdu), (b_serials[6], chongqing)):
            held = await trace.holder_of(ctx, bottle)
            assert held is not None and (held.dealer_id, held.store_id) == (dealer.id, store.id)


async def test_a_dealer_receiving_goods_shipped_to_another_dealer_elsewhere_is_diversion(db: Database) -> None:
    """Goods shipped to the Chengdu dealer turn up at a Chongqing dealer's receipt, with no
    shipment to it: diversion against the Chengdu dealer. Goods the Chengdu dealer ships on to a
    sub-distributor are not, nor is the Chengdu dealer receiving its own."""
    _b, c, _bs, c_serials = await _line(db)
    warehouse = await create_warehouse(db, "acme")
    chengdu = await create_dealer(db, "acme", territory=("510100",), region_code="510104")
    chongqing = await create_dealer(db, "acme", territory=("500000",), region_code="500103")
    async with system(db, "acme") as ctx:
        to_chengdu = PartyRef(kind="dealer", id=chengdu.id)
        await trace.ship(ctx, Shipment(codes=list(c), source=PartyRef(kind="warehouse", id=warehouse.id),
                                       destination=to_chengdu))  # fmt: skip
        own = await trace.receive(ctx, Receipt(codes=[c[0]], receiver=PartyRef(kind="dealer", id=chengdu.id)))
        assert own.diversions == 0
        shipped_on = Shipment(codes=[c[0]], source=PartyRef(kind="dealer", id=chengdu.id),
                              destination=PartyRef(kind="dealer", id=chongqing.id))  # fmt: skip
        await trace.ship(ctx, shipped_on)
        taken = await trace.receive(ctx, Receipt(codes=[c[0], c[1]], receiver=PartyRef(kind="dealer", id=chongqing.id)))
        assert taken.diversions == 1  # the case shipped on is not; the other, shipped to Chengdu, is
        listed = await trace.list_diversions(ctx, DiversionFilter(), 10, None)
        assert [(d.serial, d.dealer_id, d.source, d.region_code) for d in listed] == [
            (c_serials[1], chengdu.id, "dealer_signin", "500103")
        ]
        assert await trace.is_diverted(ctx, c_serials[1]) and not await trace.is_diverted(ctx, c_serials[0])


async def test_a_bottle_of_a_case_found_diverted_shows_diverted_in_the_brands_time(db: Database) -> None:
    """The lifecycle flags a bottle whose case was found diverted (rebates withhold it too), and
    its moments are in the brand's time."""
    b, c, b_serials, _ = await _line(db)
    await _signed_far_away(db, c[1])
    async with system(db, "acme") as ctx:
        life = await trace.unit_lifecycle(ctx, b[6])
        assert life.diverted and not await trace.is_diverted(ctx, b_serials[6])
        assert not (await trace.unit_lifecycle(ctx, b[0])).diverted
        eight = dt.timedelta(hours=8)
        assert life.events and all(e.event_time.utcoffset() == eight for e in life.events)
        assert life.holder is not None and life.holder.since.utcoffset() == eight
