"""Regions through the service: what the migration loaded, the idempotent loader, reading,
locating and distances."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select, update

from yima.geo import service as geo
from yima.geo.models import Region
from yima.geo.schemas import RegionFilter
from yima.identity.permissions import cli_context
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.platform.errors import Invalid, NotFound


@pytest.fixture
async def ctx(db: Database) -> AsyncIterator[Ctx]:
    async with cli_context(db) as ctx:
        yield ctx


class TestTheLoadedData:
    async def test_counts_by_level(self, ctx: Ctx) -> None:
        provinces = await geo.children_of(ctx)
        assert len(provinces) == 34
        assert {"110000", "310000", "500000", "710000", "810000", "820000"} <= {p.code for p in provinces}
        rows = (await ctx.session.scalars(select(Region))).all()
        counts = {level: sum(1 for r in rows if r.level == level) for level in ("province", "city", "district")}
        assert counts == {"province": 34, "city": 344, "district": 3133}

    async def test_every_region_resolves_to_its_province(self, ctx: Ctx) -> None:
        rows = {r.code: r for r in (await ctx.session.scalars(select(Region))).all()}
        for region in rows.values():
            chain, code = [], region.code
            while code is not None:
                chain.append(code)
                code = rows[code].parent_code
            assert rows[chain[-1]].level == "province" == rows[region.province_code].level
            assert chain[-1] == region.province_code
            if region.level == "district":
                assert region.city_code == region.parent_code and rows[region.parent_code].level == "city"

    async def test_municipalities_and_directly_governed_counties(self, ctx: Ctx) -> None:
        dongcheng, xiantao = await geo.get_region(ctx, "110101"), await geo.get_region(ctx, "429004")
        assert (dongcheng.city_code, dongcheng.province_code, dongcheng.full_name) == (
            "110100",
            "110000",
            "北京市 东城区",
        )
        assert (xiantao.city_code, xiantao.province_code, xiantao.full_name) == ("429000", "420000", "湖北省 仙桃市")


class TestLoader:
    async def test_loading_again_changes_nothing(self, ctx: Ctx) -> None:
        result = await geo.load_regions(ctx)
        assert (result.total, result.inserted, result.updated, result.unchanged) == (3511, 0, 0, 3511)

    async def test_loading_restores_what_is_missing_or_changed(self, ctx: Ctx) -> None:
        try:
            await ctx.session.execute(delete(Region).where(Region.code.in_(["330106", "330108"])))
            await ctx.session.execute(update(Region).where(Region.code == "330105").values(name="改过的名字"))
            result = await geo.load_regions(ctx)
            assert (result.inserted, result.updated, result.unchanged) == (2, 1, 3508)
            assert (await geo.get_region(ctx, "330105")).name == "拱墅区"
            assert (await geo.get_region(ctx, "330106")).full_name == "浙江省 杭州市 西湖区"
            assert (await geo.load_regions(ctx)).unchanged == 3511
        finally:
            geo.forget_catalogue()  # the test's changes roll back; no cache may outlive them


class TestReading:
    async def test_get_region(self, ctx: Ctx) -> None:
        region = await geo.get_region(ctx, "330106")
        assert (region.name, region.level, region.parent_code) == ("西湖区", "district", "330100")
        assert (region.lat, region.lon) == pytest.approx((30.259463, 120.130194))

    async def test_an_unknown_code_is_not_found(self, ctx: Ctx) -> None:
        with pytest.raises(NotFound):
            await geo.get_region(ctx, "999999")

    async def test_children(self, ctx: Ctx) -> None:
        cities = await geo.children_of(ctx, "330000")
        assert len(cities) == 11 and cities[0].code == "330100"
        beijing = await geo.children_of(ctx, "110000")
        assert [c.code for c in beijing] == ["110100"]
        districts = await geo.children_of(ctx, "330100")
        assert "330106" in {d.code for d in districts} and all(d.level == "district" for d in districts)
        assert await geo.children_of(ctx, "330106") == []

    async def test_search_by_name_and_full_name(self, ctx: Ctx) -> None:
        found = {r.code for r in await geo.search_regions(ctx, "西湖")}
        assert {"330106", "360103"} <= found
        hangzhou = await geo.list_regions(ctx, RegionFilter(q="杭州市", level="district"), 100)
        assert {r.city_code for r in hangzhou} == {"330100"}
        assert await geo.search_regions(ctx, "100%_") == []  # wildcards are literal

    async def test_paging_in_code_order(self, ctx: Ctx) -> None:
        first = await geo.list_regions(ctx, RegionFilter(level="province"), 3)
        rest = await geo.list_regions(ctx, RegionFilter(level="province"), 100, first[-1].code)
        codes = [r.code for r in first + rest]
        assert codes[:3] == ["110000", "120000", "130000"] and codes == sorted(codes) and len(codes) == 34


class TestLocateAndDistance:
    @pytest.mark.parametrize(
        ("lat", "lon", "prefix"),
        [(30.2590, 120.1300, "330106"), (31.2304, 121.4737, "3101"), (30.6574, 104.0659, "5101")],
    )
    async def test_known_points(self, ctx: Ctx, lat: float, lon: float, prefix: str) -> None:
        located = await geo.locate(ctx, lat, lon)
        assert located.region is not None and located.region.code.startswith(prefix)
        assert located.distance_km is not None and located.distance_km < 10

    async def test_outside_china_is_an_answer_without_a_region(self, ctx: Ctx) -> None:
        located = await geo.locate(ctx, 35.68, 139.69)  # 东京
        assert (located.region, located.distance_km) == (None, None)

    @pytest.mark.parametrize(
        ("lat", "lon", "field"), [(91.0, 120.0, "lat"), (30.0, -181.0, "lon"), (float("nan"), 1.0, "lat")]
    )
    async def test_a_point_off_the_earth_is_invalid(self, ctx: Ctx, lat: float, lon: float, field: str) -> None:
        with pytest.raises(Invalid) as refused:
            await geo.locate(ctx, lat, lon)
        assert [d.field for d in refused.value.details] == [field]

    async def test_distance_between_regions(self, ctx: Ctx) -> None:
        assert await geo.distance_between(ctx, "110101", "310101") == pytest.approx(
            1069.63, abs=0.01
        )  # centroid to centroid
        assert await geo.distance_between(ctx, "330106", "330106") == 0.0

    async def test_distance_needs_centroids(self, ctx: Ctx) -> None:
        with pytest.raises(Invalid):
            await geo.distance_between(ctx, "429000", "330106")  # 省直辖县级行政区划 has none

    def test_in_territory_through_the_service(self) -> None:
        assert geo.in_territory("330106", {"330000"}) and not geo.in_territory("330106", {"320000"})
