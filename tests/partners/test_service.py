"""The partners' use cases through the service, on the real database."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from tests.identity.factories import create_staff, create_tenant, staff_ctx, system
from tests.partners.factories import channel_auth, create_dealer, create_location, create_store, create_warehouse
from yima import demo as brand_demo
from yima.geo import service as geo
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter, RoleCreate
from yima.partners import demo
from yima.partners import service as partners
from yima.partners.schemas import (
    ChannelRoleFilter,
    DealerCreate,
    DealerFilter,
    DealerUpdate,
    LocationCreate,
    LocationUpdate,
    StoreCreate,
    StoreFilter,
    StoreUpdate,
    WarehouseCreate,
    WarehouseFilter,
    WarehouseUpdate,
)
from yima.platform.db.session import Database
from yima.platform.errors import Conflict, Forbidden, Invalid, NotFound
from yima.rebates import demo as rebates_demo


@pytest.fixture(autouse=True)
async def acme(db: Database) -> None:
    await create_tenant(db, "acme")


class TestWarehouses:
    async def test_the_region_is_worked_out_from_the_address_and_audited(self, db: Database) -> None:
        async with system(db, "acme") as ctx:
            made = await partners.create_warehouse(
                ctx, WarehouseCreate(code="WH-1", name="仁怀中心仓", address="贵州省遵义市仁怀市茅台镇 1 号")
            )
            [entry] = await identity.list_audit(ctx, AuditFilter(action="warehouse.created"), 10, None)
        assert (made.kind, made.region_code, made.region_name) == ("central", "520382", "贵州省 遵义市 仁怀市")
        assert entry.target_id == str(made.id) and entry.changes["region_code"] == "520382"

    async def test_from_the_point_when_the_address_names_no_district(self, db: Database) -> None:
        made = await create_warehouse(db, "acme", region_code=None, address="工业园 8 号", lat=28.574, lon=105.693)
        assert made.region_code == "520381"  # 赤水市

    async def test_a_duplicate_code_and_an_unknown_region_are_refused(self, db: Database) -> None:
        await create_warehouse(db, "acme", code="WH-1")
        async with system(db, "acme") as ctx:
            with pytest.raises(Conflict) as taken:
                await partners.create_warehouse(ctx, WarehouseCreate(code="WH-1", name="x"))
            with pytest.raises(Invalid) as unknown:
                await partners.create_warehouse(ctx, WarehouseCreate(code="WH-2", name="x", region_code="519999"))
        assert taken.value.details[0].field == "code"
        assert unknown.value.message == "unknown region code(s): 519999"
        assert [(d.field, d.code) for d in unknown.value.details] == [("region_code", "unknown_region")]

    async def test_a_new_address_moves_the_region_unless_one_is_given(self, db: Database) -> None:
        made = await create_warehouse(db, "acme", region_code=None, address="四川省成都市双流区物联大道 66 号")
        async with system(db, "acme") as ctx:
            moved = await partners.update_warehouse(ctx, made.id, WarehouseUpdate(address="上海市嘉定区兴贤路 1180 号"))
            renamed = await partners.update_warehouse(ctx, made.id, WarehouseUpdate(name="上海区域仓"))
            pinned = await partners.update_warehouse(ctx, made.id, WarehouseUpdate(region_code="310000"))
            stopped = await partners.deactivate_warehouse(ctx, made.id)
            again = await partners.deactivate_warehouse(ctx, made.id)
            audit = await identity.list_audit(ctx, AuditFilter(action="warehouse.updated"), 10, None)
        assert made.region_code == "510116" and moved.region_code == "310114"
        assert renamed.region_code == "310114" and pinned.region_code == "310000"
        assert not stopped.active and not again.active
        assert len(audit) == 4  # address, name, region, deactivation; the repeat changes nothing

    async def test_locations_belong_to_their_warehouse(self, db: Database) -> None:
        one, other = await create_warehouse(db, "acme"), await create_warehouse(db, "acme")
        location = await create_location(db, "acme", one.id, code="A-01")
        async with system(db, "acme") as ctx:
            with pytest.raises(Conflict):
                await partners.create_location(ctx, one.id, LocationCreate(code="A-01", name="重复"))
            same_code_elsewhere = await partners.create_location(ctx, other.id, LocationCreate(code="A-01", name="x"))
            with pytest.raises(NotFound):
                await partners.update_location(ctx, other.id, location.id, LocationUpdate(active=False))
            stopped = await partners.update_location(ctx, one.id, location.id, LocationUpdate(active=False))
            listed = await partners.list_locations(ctx, one.id, 10, None)
            counted = await partners.get_warehouse(ctx, one.id)
        assert same_code_elsewhere.warehouse_id == other.id
        assert not stopped.active and [loc.code for loc in listed] == ["A-01"] and counted.location_count == 1

    async def test_lists_filter_and_page(self, db: Database) -> None:
        for n in range(3):
            await create_warehouse(db, "acme", code=f"F-{n}", kind="factory")
        await create_warehouse(db, "acme", code="R-1", name="区域仓", kind="regional")
        async with system(db, "acme") as ctx:
            first = await partners.list_warehouses(ctx, WarehouseFilter(kind="factory"), 2, None)
            rest = await partners.list_warehouses(ctx, WarehouseFilter(kind="factory"), 2, first[1].id)
            found = await partners.list_warehouses(ctx, WarehouseFilter(q="区域"), 10, None)
        assert [w.code for w in first] == ["F-2", "F-1", "F-0"]  # limit + 1: a page follows
        assert [w.code for w in rest] == ["F-0"] and [w.code for w in found] == ["R-1"]


class TestDealers:
    async def test_a_dealer_with_its_territory(self, db: Database) -> None:
        async with system(db, "acme") as ctx:
            dealer = await partners.create_dealer(
                ctx,
                DealerCreate(
                    code="D-CD",
                    name="成都蓉城酒业",
                    phone=13800000001,  # type: ignore[arg-type]
                    address="四川省成都市锦江区东大街 100 号",
                    territory=["510100", "510104", "500000"],
                ),
            )
        assert dealer.region_code == "510104" and dealer.phone == "13800000001" and dealer.level == 1
        # 锦江区 is inside 成都市: the same places, said once.
        assert [(r.code, r.name) for r in dealer.territory] == [("500000", "重庆市"), ("510100", "四川省 成都市")]

    async def test_an_unknown_territory_code_is_named_with_its_place(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme")
        async with system(db, "acme") as ctx:
            with pytest.raises(Invalid) as error:
                await partners.set_territory(ctx, dealer.id, ["510100", "519999", "990000"])
            kept = await partners.get_territory(ctx, dealer.id)
        assert error.value.message == "unknown region code(s): 519999, 990000"
        assert [(d.field, d.code) for d in error.value.details] == [
            ("regions.1", "unknown_region"),
            ("regions.2", "unknown_region"),
        ]
        assert [r.code for r in kept.regions] == ["510100"]

    async def test_setting_the_territory_replaces_it_and_is_audited(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme", territory=["510100"])
        async with system(db, "acme") as ctx:
            territory = await partners.set_territory(ctx, dealer.id, ["500000", "310000"])
            same = await partners.set_territory(ctx, dealer.id, ["310000", "500000"])
            emptied = await partners.set_territory(ctx, dealer.id, [])
            entries = await identity.list_audit(ctx, AuditFilter(action="dealer.territory_set"), 10, None)
        assert [r.code for r in territory.regions] == ["310000", "500000"] == [r.code for r in same.regions]
        assert emptied.regions == []
        assert [e.changes["removed"] for e in entries] == [["310000", "500000"], ["510100"]]

    async def test_coverage_for_the_trace_context(self, db: Database) -> None:
        chengdu = await create_dealer(db, "acme", territory=["510100"])
        sichuan = await create_dealer(db, "acme", territory=["510000"])
        nowhere = await create_dealer(db, "acme", territory=[])
        async with system(db, "acme") as ctx:
            assert await partners.dealer_covers(ctx, chengdu.id, "510104")  # 锦江区
            assert not await partners.dealer_covers(ctx, chengdu.id, "510300")  # 自贡市
            assert not await partners.dealer_covers(ctx, chengdu.id, "510000")  # all of 四川 is not inside
            assert not await partners.dealer_covers(ctx, nowhere.id, "510104")
            assert await partners.territory_of(ctx, sichuan.id) == frozenset({"510000"})
            assert await partners.territories_of(ctx, [chengdu.id, nowhere.id, 10**12]) == {
                chengdu.id: frozenset({"510100"}),
                nowhere.id: frozenset(),
            }
            assert await partners.dealers_covering(ctx, "510104") == [chengdu.id, sichuan.id]
            assert await partners.dealers_covering(ctx, "310101") == []
            with pytest.raises(NotFound):
                await partners.territory_of(ctx, 10**12)

    async def test_update_deactivate_and_filters(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme", name="成都蓉城酒业", territory=["510100"])
        await create_dealer(db, "acme", name="上海申禾酒业", territory=["310000"], address="四川省成都市锦江区 1 号")
        async with system(db, "acme") as ctx:
            updated = await partners.update_dealer(
                ctx, dealer.id, DealerUpdate(contact_name="张伟", phone="028-8888 8888")
            )
            stopped = await partners.deactivate_dealer(ctx, dealer.id)
            active = await partners.list_dealers(ctx, DealerFilter(active=True), 10, None)
            by_contact = await partners.list_dealers(ctx, DealerFilter(q="张伟"), 10, None)
            in_sichuan = await partners.list_dealers(ctx, DealerFilter(region="510000"), 10, None)
        assert (updated.contact_name, updated.phone, stopped.active) == ("张伟", "028-8888 8888", False)
        assert [d.name for d in active] == ["上海申禾酒业"] and [d.id for d in by_contact] == [dealer.id]
        # 成都蓉城 sells in 四川; 上海申禾 is seated there.
        assert sorted(d.name for d in in_sichuan) == ["上海申禾酒业", "成都蓉城酒业"]

    async def test_every_bad_field_is_reported_at_once(self) -> None:
        with pytest.raises(ValidationError) as error:
            DealerCreate(code="", name="", phone="tel:123", territory=["5101", "510100"])
        assert {e["loc"] for e in error.value.errors()} == {("code",), ("name",), ("phone",), ("territory", 0)}


class TestStores:
    async def test_a_store_with_its_dealer_and_place(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme", territory=["510100"])
        async with system(db, "acme") as ctx:
            store = await partners.create_store(
                ctx,
                StoreCreate(
                    code="S-1",
                    name="春熙路名酒行",
                    dealer_id=dealer.id,
                    address="春熙路 88 号",  # names no region: the point decides
                    lat=30.657,
                    lon=104.081,
                    category="烟酒店",
                    grade="A",
                ),
            )
        assert (store.region_code, store.dealer_code, store.in_dealer_territory) == ("510108", dealer.code, True)

    async def test_a_store_outside_its_dealers_territory_is_flagged(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme", territory=["510100"])
        outside = await create_store(db, "acme", dealer.id, region_code=None, address="重庆市渝中区邹容路 68 号")
        alone = await create_store(db, "acme", None)
        nowhere = await create_store(db, "acme", dealer.id, region_code=None, address="")
        assert (outside.region_code, outside.in_dealer_territory) == ("500103", False)
        assert alone.in_dealer_territory is None and nowhere.in_dealer_territory is None

    async def test_the_dealer_must_exist_and_be_active(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme")
        store = await create_store(db, "acme", dealer.id)
        async with system(db, "acme") as ctx:
            await partners.deactivate_dealer(ctx, dealer.id)
            with pytest.raises(Invalid) as inactive:
                await partners.create_store(ctx, StoreCreate(code="S-X", name="x", dealer_id=dealer.id))
            with pytest.raises(Invalid) as unknown:
                await partners.update_store(ctx, store.id, StoreUpdate(dealer_id=10**12))
            renamed = await partners.update_store(ctx, store.id, StoreUpdate(name="新店名"))  # keeps its dealer
            cleared = await partners.update_store(ctx, store.id, StoreUpdate(dealer_id=None, grade=None))
        assert [(d.field, d.code) for d in inactive.value.details] == [("dealer_id", "dealer_inactive")]
        assert [(d.field, d.code) for d in unknown.value.details] == [("dealer_id", "unknown_dealer")]
        assert renamed.dealer_id == dealer.id and cleared.dealer_id is None

    async def test_moving_the_point_moves_the_region(self, db: Database) -> None:
        store = await create_store(db, "acme", region_code=None, lat=30.657, lon=104.081)
        async with system(db, "acme") as ctx:
            moved = await partners.update_store(ctx, store.id, StoreUpdate(lat=29.557, lon=106.577))
            cleared = await partners.update_store(ctx, store.id, StoreUpdate(lat=None, lon=None))
            with pytest.raises(ValidationError):
                StoreUpdate(lat=30.0)
        assert (store.region_code, moved.region_code, cleared.region_code) == ("510108", "500103", None)

    async def test_filters(self, db: Database) -> None:
        one, two = await create_dealer(db, "acme"), await create_dealer(db, "acme")
        await create_store(db, "acme", one.id, name="锦江店", region_code="510104", grade="A")
        await create_store(db, "acme", two.id, name="渝中店", region_code="500103", owner_name="孙丽")
        async with system(db, "acme") as ctx:

            async def names(**filters: object) -> list[str]:
                return [s.name for s in await partners.list_stores(ctx, StoreFilter(**filters), 10, None)]  # type: ignore[arg-type]

            assert await names(dealer_id=one.id) == ["锦江店"]
            assert await names(region="510000") == ["锦江店"] and await names(region="500000") == ["渝中店"]
            assert await names(q="孙丽") == ["渝中店"] and await names(grade="A") == ["锦江店"]
            counted = await partners.get_dealer(ctx, one.id)
        assert counted.store_count == 1

    async def test_lookups_for_other_contexts_need_no_permission(self, db: Database) -> None:
        dealer = await create_dealer(db, "acme")
        store = await create_store(db, "acme", dealer.id)
        warehouse = await create_warehouse(db, "acme")
        async with system(db, "acme") as ctx:
            await identity.create_role(ctx, RoleCreate(code="viewer", name="只看员工", permissions=["staff:read"]))
        await create_staff(db, "acme", "nobody", roles=("viewer",))
        async with staff_ctx(db, "nobody") as ctx:
            with pytest.raises(Forbidden):
                await partners.get_store(ctx, store.id)
            assert (await partners.lookup_store(ctx, store.id)).code == store.code
            assert (await partners.lookup_dealer(ctx, dealer.id)).code == dealer.code
            assert (await partners.lookup_warehouse(ctx, warehouse.id)).code == warehouse.code
            assert set(await partners.lookup_stores(ctx, [store.id, 10**12])) == {store.id}
            assert await partners.dealer_covers(ctx, dealer.id, "510104")
            with pytest.raises(NotFound):
                await partners.lookup_store(ctx, 10**12)


class TestRegionalManagers:
    async def test_see_the_dealers_and_stores_of_their_regions_only(self, db: Database) -> None:
        chengdu = await create_dealer(db, "acme", territory=["510100"])
        shanghai = await create_dealer(db, "acme", territory=["310000"])
        sichuan_seat = await create_dealer(db, "acme", territory=["500000"], region_code="510104")
        in_chengdu = await create_store(db, "acme", chengdu.id, region_code="510104")
        in_shanghai = await create_store(db, "acme", shanghai.id, region_code="310101")
        await create_staff(db, "acme", "southwest", roles=("regional_manager",), region_codes=["510000"])
        async with staff_ctx(db, "southwest") as ctx:
            dealers = await partners.list_dealers(ctx, DealerFilter(), 10, None)
            stores = await partners.list_stores(ctx, StoreFilter(), 10, None)
            assert (await partners.get_store(ctx, in_chengdu.id)).id == in_chengdu.id
            with pytest.raises(NotFound):
                await partners.get_store(ctx, in_shanghai.id)
            with pytest.raises(NotFound):
                await partners.get_dealer(ctx, shanghai.id)
            with pytest.raises(NotFound):
                await partners.get_territory(ctx, shanghai.id)
            assert (await partners.lookup_dealer(ctx, shanghai.id)).id == shanghai.id  # other contexts: unscoped
            with pytest.raises(Forbidden):
                await partners.set_territory(ctx, chengdu.id, ["510000"])
        assert sorted(d.id for d in dealers) == sorted([chengdu.id, sichuan_seat.id])
        assert [s.id for s in stores] == [in_chengdu.id]


async def test_the_demo_stores_lie_inside_their_dealers_territories(db: Database) -> None:
    async with system(db, "acme") as ctx:
        await demo.seed(ctx)
        await demo.seed(ctx)  # idempotent
        stores = await partners.list_stores(ctx, StoreFilter(), 100, None)
        dealers = await partners.list_dealers(ctx, DealerFilter(), 100, None)
        warehouses = await partners.list_warehouses(ctx, WarehouseFilter(), 100, None)
        located = [await geo.locate(ctx, s.lat or 0, s.lon or 0) for s in stores]
        covered = [
            await partners.dealer_covers(ctx, s.dealer_id or 0, place.region.code if place.region else "")
            for s, place in zip(stores, located, strict=True)
        ]
    assert (len(stores), len(dealers), len(warehouses)) == (20, 6, 4)
    assert all(s.in_dealer_territory for s in stores)  # by the region of the address
    assert all(covered)  # and by the point
    assert {w.region_code for w in warehouses if w.kind != "regional"} == {"520381", "520382"}  # 赤水, 仁怀


async def test_the_demo_salesman_and_guide_sign_in_by_sms(db: Database, client: httpx.AsyncClient) -> None:
    async with system(db, "acme") as ctx:
        await demo.seed(ctx)
        await demo.seed(ctx)  # idempotent
        [salesman] = await partners.list_roles(ctx, ChannelRoleFilter(kind="salesman"), 10, None)
        [guide] = await partners.list_roles(ctx, ChannelRoleFilter(kind="guide"), 10, None)
        looked_after = await partners.stores_of_salesman(ctx, salesman.id)
        bbc_store = await partners.find_store(ctx, rebates_demo.OWN_STORE)  # where the demo's BbC policy pays
        assert bbc_store is not None
        bbc_salesman = (await partners.salesmen_of_stores(ctx, [bbc_store.id]))[bbc_store.id]
        guides = await partners.guides_of_store(ctx, bbc_store.id)
    assert (salesman.partner_name, salesman.phone) == ("成都蓉城酒业有限公司", "+8613800000201")
    assert [s.code for s in looked_after] == ["S-CD-0001", "S-CD-0002", "S-CD-0003"]
    assert bbc_salesman.id == salesman.id  # a BbC salesman share earned there reaches him
    assert (guide.partner_name, guide.phone, [g.id for g in guides]) == ("春熙路名酒行", "+8613900000201", [guide.id])
    for phone, kind in [("13800000201", "salesman"), ("13900000201", "guide")]:
        me = await client.get("/api/v1/partners/me", headers=await channel_auth(client, "acme", phone))
        assert [(r["kind"], r["status"]) for r in me.json()["roles"]] == [(kind, "active")]


def test_make_run_prints_every_demo_phone_login(capsys: pytest.CaptureFixture[str]) -> None:
    brand_demo._print_logins()
    printed = capsys.readouterr().err
    assert all(phone in printed for phone, *_ in demo.ACCOUNTS)
    assert "赵刚, salesman of D-CD-001" in printed and "孙悦, guide of S-CD-0001" in printed
