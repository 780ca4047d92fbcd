"""The catalog's pure rules: GS1 check digits, faces per level, image types, spreadsheet cells."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.catalog.factories import PNG
from yima.catalog import rules
from yima.catalog.demo import PRODUCTS


class TestGtin:
    @pytest.mark.parametrize(
        ("gtin", "normalised"),
        [
            ("4006381333931", "04006381333931"),  # GTIN-13 (GS1's own example)
            ("5449000000996", "05449000000996"),  # Coca-Cola 330 ml can
            ("9780201379624", "09780201379624"),  # a book's ISBN as EAN-13
            ("036000291452", "00036000291452"),  # UPC-A (GTIN-12)
            ("96385074", "00000096385074"),  # GTIN-8
            ("10012345000017", "10012345000017"),  # GTIN-14 of a case (indicator digit 1)
            ("690 1234 567892", "06901234567892"),  # spaces between digit groups are ignored
        ],
    )
    def test_known_gtins_are_valid_and_normalised_to_14_digits(self, gtin: str, normalised: str) -> None:
        assert rules.normalise_gtin(gtin) == normalised

    @pytest.mark.parametrize(
        ("gtin", "code"),
        [
            ("4006381333932", "gtin_check_digit"),
            ("6901234567893", "gtin_check_digit"),
            ("690123456789", "gtin_check_digit"),  # a GTIN-13 missing its last digit, read as GTIN-12
            ("12345", "gtin_length"),
            ("123456789012345", "gtin_length"),
            ("69012345678a2", "gtin_digits"),
            ("６９０１２３４５６７８９２", "gtin_digits"),  # full-width digits
            ("00000000", "gtin_digits"),
        ],
    )
    def test_bad_gtins_say_why(self, gtin: str, code: str) -> None:
        with pytest.raises(rules.GtinError) as error:
            rules.normalise_gtin(gtin)
        assert error.value.code == code
        assert not rules.is_valid_gtin(gtin)

    def test_the_check_digit_message_names_the_right_digit(self) -> None:
        with pytest.raises(rules.GtinError, match="should be 2, not 3"):
            rules.normalise_gtin("6901234567893")

    @given(st.sampled_from([7, 11, 12, 13]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)))
    def test_a_computed_check_digit_always_validates(self, body: str) -> None:
        gtin = body + str(rules.gtin_check_digit(body))
        if not gtin.strip("0"):
            return  # all zeros is refused on purpose
        assert rules.normalise_gtin(gtin) == gtin.zfill(14)

    @given(st.text("0123456789", min_size=12, max_size=12), st.integers(1, 9))
    def test_any_other_last_digit_is_refused(self, body: str, shift: int) -> None:
        wrong = (rules.gtin_check_digit(body) + shift) % 10
        with pytest.raises(rules.GtinError):
            rules.normalise_gtin(body + str(wrong))

    def test_the_demo_brand_uses_valid_chinese_gtins(self) -> None:
        for _, _, gtin, *_ in PRODUCTS:
            assert rules.is_valid_gtin(gtin) and gtin[:3] in {str(p) for p in range(690, 700)}


class TestFaces:
    @pytest.mark.parametrize(
        ("level", "faces", "code"),
        [
            ("bottle", ["outer", "inner"], None),
            ("bottle", ["inner"], None),
            ("bottle", [], "bottle_needs_face"),
            ("case", [], None),
            ("pallet", ["outer"], None),
            ("pallet", ["outer", "inner"], "pallet_one_face"),
            ("case", ["outer", "outer"], "duplicate_face"),
            ("case", ["side"], "unknown_face"),
        ],
    )
    def test_what_each_level_may_carry(self, level: rules.Level, faces: list[str], code: str | None) -> None:
        problem = rules.faces_problem(level, faces)
        assert (problem[0] if problem else None) == code

    def test_faces_come_in_canonical_order(self) -> None:
        assert rules.ordered_faces(["inner", "outer"]) == ["outer", "inner"]


def test_image_types_are_read_from_the_bytes() -> None:
    assert rules.image_kind(PNG) == rules.ImageKind("png", "image/png")
    assert rules.image_kind(b"\xff\xd8\xff\xe0rest") == rules.ImageKind("jpg", "image/jpeg")
    assert rules.image_kind(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == rules.ImageKind("webp", "image/webp")
    assert rules.image_kind(b"<svg xmlns=...>") is None


def test_changes_list_only_what_differs() -> None:
    assert rules.changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


class TestSheet:
    def test_headers_match_in_either_language_and_unknown_columns_are_ignored(self) -> None:
        headers = ["sku", "Name", "条码", None, "备注", "规格", "包装规格 packaging spec"]
        assert rules.match_headers(headers) == {
            "sku": 0,
            "name": 1,
            "gtin": 2,
            "specification": 5,
            "packaging_spec_code": 6,
        }

    def test_the_template_headers_match_themselves(self) -> None:
        headers = [c.header for c in rules.IMPORT_COLUMNS]
        assert rules.match_headers(headers) == {c.field: i for i, c in enumerate(rules.IMPORT_COLUMNS)}

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (None, ""),
            (6901234567892, "6901234567892"),
            (6901234567892.0, "6901234567892"),
            (1.5, "1.5"),
            ("  CSH-1 ", "CSH-1"),
            (dt.date(2026, 1, 2), "2026-01-02"),
        ],
    )
    def test_cells_read_as_typed(self, value: object, text: str) -> None:
        assert rules.cell_text(value) == text

    def test_repeats_point_at_the_first_row(self) -> None:
        assert rules.first_occurrences([(2, "a"), (3, "b"), (4, "a"), (5, "a")]) == {4: 2, 5: 2}
