"""The partners' pure rules: region-code containment, territories, where a place is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yima.geo import service as geo
from yima.partners import rules
from yima.partners.rules import AddressMatch


class TestRegionCodes:
    @pytest.mark.parametrize(
        ("code", "prefix"), [("510000", "51"), ("510100", "5101"), ("510104", "510104"), ("500000", "50")]
    )
    def test_the_prefix_every_code_inside_starts_with(self, code: str, prefix: str) -> None:
        assert rules.code_prefix(code) == prefix

    def test_containment_goes_down_the_levels_only(self) -> None:
        assert rules.contains("510000", "510104") and rules.contains("510100", "510104")
        assert rules.contains("510104", "510104")
        assert not rules.contains("510104", "510100")  # a district does not contain its city
        assert not rules.contains("510100", "510000")
        assert not rules.contains("510100", "511000")  # 内江 is not in 成都

    def test_enclosing_codes(self) -> None:
        assert rules.enclosing("510104") == {"510104", "510100", "510000"}
        assert rules.enclosing("510000") == {"510000"}

    codes = st.from_regex(r"\A[1-6][0-9](0000|[0-9][1-9]00|[0-9][1-9][0-9][1-9])\Z")

    @given(territory=st.lists(codes, max_size=6), code=codes)
    def test_agrees_with_geos_territory_rule(self, territory: list[str], code: str) -> None:
        """``contains`` over a territory is geo's ``in_territory`` (one definition of inside)."""
        assert any(rules.contains(t, code) for t in territory) == geo.in_territory(code, set(territory))


class TestTerritories:
    def test_codes_another_code_covers_are_dropped(self) -> None:
        assert rules.simplify_territory(["510104", "510100", "500000", "500103", "310000", "510100"]) == [
            "310000",
            "500000",
            "510100",
        ]
        assert rules.simplify_territory(["510104", "510105"]) == ["510104", "510105"]

    @given(st.lists(TestRegionCodes.codes, max_size=8), TestRegionCodes.codes)
    def test_simplifying_keeps_the_same_places(self, territory: list[str], code: str) -> None:
        assert geo.in_territory(code, set(rules.simplify_territory(territory))) == geo.in_territory(
            code, set(territory)
        )

    def test_a_territory_overlaps_regions_inside_it_and_around_it(self) -> None:
        assert rules.overlaps({"510100"}, ["510000"])  # 成都 in 四川
        assert rules.overlaps({"510000"}, ["510104"])  # 四川 around 锦江区
        assert not rules.overlaps({"510100"}, ["500000", "310000"])
        assert not rules.overlaps(set(), ["510000"])

    @pytest.mark.parametrize(
        ("text", "parts"),
        [
            ("510100,500000", ["510100", "500000"]),
            ("成都市、重庆 ; 上海市；杭州", ["成都市", "重庆", "上海市", "杭州"]),
            ("四川省 成都市\n广州市，", ["四川省 成都市", "广州市"]),
            ("  ", []),
        ],
    )
    def test_a_cell_splits_into_codes_or_names(self, text: str, parts: list[str]) -> None:
        assert rules.split_cell(text) == parts


class TestWhereAPlaceIs:
    def test_a_confident_district_from_the_address_wins(self) -> None:
        assert rules.choose_region(AddressMatch("510104", "district", 1.0), "510108") == "510104"

    def test_otherwise_the_point_decides(self) -> None:
        assert rules.choose_region(AddressMatch("510100", "city", 1.0), "510108") == "510108"
        assert rules.choose_region(None, "510108") == "510108"

    def test_a_city_from_the_address_when_there_is_no_point(self) -> None:
        assert rules.choose_region(AddressMatch("510100", "city", 0.8), None) == "510100"

    def test_an_unsure_address_never_decides(self) -> None:
        # 朝阳区: 北京 and 长春 both have one (geo gives 0.5).
        assert rules.choose_region(AddressMatch("220104", "district", 0.5), None) is None
        assert rules.choose_region(AddressMatch("220104", "district", 0.5), "110105") == "110105"
        assert rules.choose_region(AddressMatch(None, None, 0.0), None) is None


def test_changes_lists_old_and_new() -> None:
    assert rules.changes({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}
