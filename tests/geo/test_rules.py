"""Pure rules: code arithmetic, the hierarchy, distances, territories, address confidence."""

from __future__ import annotations

import pytest

from yima.geo import rules


class TestCodes:
    @pytest.mark.parametrize(
        ("code", "level", "parent", "city", "province"),
        [
            ("330000", "province", None, None, "330000"),
            ("330100", "city", "330000", "330100", "330000"),
            ("330106", "district", "330100", "330100", "330000"),
            ("110101", "district", "110100", "110100", "110000"),  # 北京 东城区 under 市辖区
            ("429004", "district", "429000", "429000", "420000"),  # 仙桃, 省直辖县级
            ("500233", "district", "500200", "500200", "500000"),  # 重庆 忠县 under 县
        ],
    )
    def test_code_arithmetic(self, code: str, level: str, parent: str | None, city: str | None, province: str) -> None:
        assert (rules.level_of(code), rules.parent_of(code), rules.city_of(code)) == (level, parent, city)
        assert rules.province_of(code) == province


class TestBuildRegions:
    ROWS = (
        ("110000000000", "北京市", 116.407, 39.904),
        ("110100000000", "市辖区", 116.407, 39.904),
        ("110101000000", "东城区", 116.416, 39.928),
        ("420000000000", "湖北省", 114.3, 30.5),
        ("429000000000", "省直辖县级行政区划", None, None),
        ("429004000000", "仙桃市", 113.42, 30.36),
        ("440000000000", "广东省", 113.2, 23.1),
        ("441900000000", "东莞市", 113.75, 23.02),
        ("810000000000", "香港特别行政区", 114.17, 22.28),
    )

    def test_fields_and_full_names_skip_placeholders(self) -> None:
        by_code = {r.code: r for r in rules.build_regions(self.ROWS)}
        assert by_code["110101"] == rules.RegionRecord(
            "110101", "东城区", "district", "110100", "110000", "110100", "北京市 东城区", 116.416, 39.928
        )
        assert by_code["429004"].full_name == "湖北省 仙桃市"
        assert by_code["110100"].full_name == "北京市 市辖区"  # a placeholder still names itself
        assert by_code["810000"].full_name == "香港特别行政区"
        assert list(by_code) == sorted(by_code)  # parents before children

    def test_a_missing_parent_is_refused(self) -> None:
        with pytest.raises(ValueError, match="330106 西湖区: parent 330100 missing"):
            rules.build_regions([("330000000000", "浙江省", 120.15, 30.27), ("330106000000", "西湖区", 120.13, 30.26)])

    def test_locatable_are_the_leaves_with_a_centroid(self) -> None:
        codes = {code for code, _, _ in rules.locatable(rules.build_regions(self.ROWS))}
        assert codes == {"110101", "429004", "441900", "810000"}


class TestDistance:
    def test_known_distances(self) -> None:
        assert rules.haversine_km(30.0, 120.0, 30.0, 120.0) == 0.0
        # One degree of latitude is πR/180 km everywhere.
        assert rules.haversine_km(30.0, 120.0, 31.0, 120.0) == pytest.approx(111.195, abs=0.001)
        # 北京 天安门 → 上海 人民广场
        assert rules.haversine_km(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1067.3, abs=0.5)

    def test_antipodes(self) -> None:
        assert rules.haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(20015.1, abs=0.1)


class TestTerritory:
    TERRITORY = frozenset({"330100", "310000", "440305"})  # 杭州市, 上海市, 深圳 南山区

    @pytest.mark.parametrize(
        ("code", "inside"),
        [
            ("330106", True),  # a district of a listed city
            ("330100", True),  # the city itself
            ("330200", False),  # 宁波: another city of the same province
            ("330000", False),  # the province is wider than its listed city
            ("310101", True),  # a district of a listed province (municipality)
            ("310100", True),
            ("440305", True),  # the listed district
            ("440304", False),  # its neighbour
            ("440300", False),  # a city is not inside a territory listing one of its districts
            ("810000", False),
        ],
    )
    def test_region_in_territory(self, code: str, inside: bool) -> None:
        assert rules.in_territory(code, self.TERRITORY) is inside

    def test_empty_territory_holds_nothing(self) -> None:
        assert not rules.in_territory("330106", frozenset())


class TestAddressConfidence:
    @pytest.mark.parametrize(
        ("named", "deepest", "shared", "confidence"),
        [
            ((), None, False, 0.0),
            (("province", "city", "district"), "district", False, 1.0),
            (("city", "district"), "district", True, 1.0),  # context settles a shared name
            (("province",), "province", False, 1.0),
            (("district",), "district", False, 0.8),
            (("city",), "city", False, 0.8),
            (("district",), "district", True, 0.5),
            (("province",), "district", False, 0.6),
        ],
    )
    def test_confidence(
        self, named: tuple[rules.Level, ...], deepest: rules.Level | None, shared: bool, confidence: float
    ) -> None:
        assert rules.address_confidence(named, deepest, shared) == confidence
